import PacketCapture

/// What to do with a frame the capture cut short (captured length < length on the wire).
public enum TruncatedPolicy: String, Sendable, CaseIterable {
    /// Pad with zeros to the wire length and send it (default; counted in the summary).
    case pad
    /// Leave it out (counted).
    case skip
    /// Stop with an error naming the file and packet index.
    case error
}

/// A frame ready for the wire: the bytes a sending NIC would put out (without FCS), and where it
/// came from.
public struct ReplayFrame: Sendable {
    /// Packet index in the source (0-based, counting every packet of the file).
    public var index: Int
    /// Capture timestamp in nanoseconds.
    public var timestampNanoseconds: UInt64
    /// The frame's bytes, padded as the policy and the minimum frame size require.
    public var bytes: [UInt8]
    /// Whether zeros were added for a short capture.
    public var paddedTruncated: Bool
    /// Whether zeros were added to reach the 60-byte minimum.
    public var paddedRunt: Bool
}

/// A stream of frames (read lazily: a replay holds one frame ahead, so memory stays constant).
public protocol FrameSource: AnyObject {
    /// The next frame, or nil at the end.
    func next() throws -> ReplayFrame?
    /// A name for messages (the file path).
    var name: String { get }
    /// Frames the policy left out so far.
    var skippedTruncated: Int { get }
}

/// Frames from a pcap or pcapng file, read through libpcap, with an optional BPF filter.
/// Frames shorter than 60 bytes are padded with zeros as the sending NIC pads them (IEEE 802.3
/// §4.2.3.3); frames the capture cut short follow the ``TruncatedPolicy``.
public final class PcapFrameSource: FrameSource {
    private let reader: PcapReader
    private let policy: TruncatedPolicy
    /// The file.
    public let name: String
    /// Frames the policy left out so far.
    public private(set) var skippedTruncated = 0
    /// Ethernet's minimum frame without FCS.
    public static let minimumFrame = 60

    /// Opens `path` (Ethernet link type only) and applies `filter` if given.
    public init(path: String, filter: String? = nil, truncated: TruncatedPolicy = .pad) throws {
        reader = try PcapReader(path: path, requireEthernet: true)
        if let filter { try reader.setFilter(filter) }
        policy = truncated
        name = path
    }

    public func next() throws -> ReplayFrame? {
        while let f = try reader.next() {
            var bytes = f.bytes
            var paddedTruncated = false
            if f.isTruncated {
                switch policy {
                case .skip: skippedTruncated += 1; continue
                case .error:
                    throw RunnerError.cannotRead(name, "packet \(f.index): captured \(f.bytes.count) of \(f.wireLength) bytes (--truncated error)")
                case .pad:
                    bytes.append(contentsOf: repeatElement(0, count: f.wireLength - bytes.count))
                    paddedTruncated = true
                }
            }
            let runt = bytes.count < Self.minimumFrame
            if runt { bytes.append(contentsOf: repeatElement(0, count: Self.minimumFrame - bytes.count)) }
            return ReplayFrame(index: f.index, timestampNanoseconds: f.timestampNanoseconds, bytes: bytes,
                               paddedTruncated: paddedTruncated, paddedRunt: runt)
        }
        return nil
    }
}

/// Frames from memory (generated traces, benchmarks, tests).
public final class ArrayFrameSource: FrameSource {
    private var frames: [ReplayFrame]
    private var position = 0
    /// A name for messages.
    public let name: String
    /// Always 0.
    public let skippedTruncated = 0
    /// Wraps frames.
    public init(name: String, frames: [ReplayFrame]) { self.name = name; self.frames = frames }
    public func next() throws -> ReplayFrame? {
        guard position < frames.count else { return nil }
        defer { position += 1 }
        return frames[position]
    }
}

/// `count` copies of one frame, generated on demand (constant memory, for long benchmarks).
///
/// Allocation-free when the consumer lets go of each frame before asking for the next (as the
/// replay's injector does): the one buffer is then uniquely owned again and rewritten in place.
public final class RepeatingFrameSource: FrameSource {
    private var frame: [UInt8]
    private let count: Int
    private var position = 0
    /// A name for messages.
    public let name: String
    /// Always 0.
    public let skippedTruncated = 0
    /// `count` copies of `frame`, timestamps 0 (use line-rate timing).
    public init(name: String, frame: [UInt8], count: Int) { self.name = name; self.frame = frame; self.count = count }
    public func next() throws -> ReplayFrame? {
        guard position < count else { return nil }
        defer { position += 1 }
        // Make each frame distinct (sequence number in the last 4 bytes) so the check can tell them apart.
        let n = UInt32(truncatingIfNeeded: position)
        if frame.count >= 4 {
            frame.withUnsafeMutableBytes { $0.storeBytes(of: n.littleEndian, toByteOffset: $0.count - 4, as: UInt32.self) }
        }
        return ReplayFrame(index: position, timestampNanoseconds: 0, bytes: frame, paddedTruncated: false, paddedRunt: false)
    }
}
