/// The trace side of a replay, the same on every host: frames read lazily from the source (one
/// ahead, so memory stays constant) and counted as the summary reports them.
final class ReplayFeed {
    /// Where the frames come from.
    let source: any FrameSource
    /// Frames taken from the source.
    private(set) var taken = 0
    /// Frames the capture cut short that were padded.
    private(set) var paddedTruncated = 0
    /// Frames padded to the 60-byte minimum.
    private(set) var runts = 0
    private let progress: ((Int) -> Void)?
    /// Progress is reported every this many frames.
    static let progressInterval = 4096

    init(source: any FrameSource, progress: ((Int) -> Void)?) {
        self.source = source
        self.progress = progress
    }

    /// The next frame, counted, or nil at the end.
    @inline(__always)
    func next() throws -> ReplayFrame? {
        guard let f = try source.next() else { return nil }
        taken += 1
        if f.paddedTruncated { paddedTruncated += 1 }
        if f.paddedRunt { runts += 1 }
        if taken % Self.progressInterval == 0 { progress?(taken) }
        return f
    }
}

/// What a receive check counted, whichever host delivered the frames (the driver's client on the
/// emulator and QEMU hosts, the guest agent's reports on the Linux host).
protocol ReceiveTally {
    /// Frames sent on the wire.
    var sent: Int { get }
    /// Frames delivered correctly, in order.
    var delivered: Int { get }
    /// Frames never delivered (they must be counted by the device).
    var missing: Int { get }
    /// Delivered frames that match nothing sent.
    var mismatched: Int { get }
    /// Indices of the first few missing frames.
    var missingSample: [Int] { get }
    /// The first mismatch: trace packet index and byte offset (-1 when only a fingerprint was compared).
    var firstMismatchLocation: (index: Int, offset: Int)? { get }
}

extension ReceiveCheck: ReceiveTally {
    var firstMismatchLocation: (index: Int, offset: Int)? { firstMismatch }
}

extension GuestReceiveCheck: ReceiveTally {
    var firstMismatchLocation: (index: Int, offset: Int)? { firstMismatch.map { ($0, -1) } }
}
