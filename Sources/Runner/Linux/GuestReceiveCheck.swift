import DequeModule

/// The receive check of DESIGN.md for frames a guest reports by fingerprint (length and FNV-1a-64
/// of the bytes, from the guest agent): every frame on the wire is reported exactly once, in order,
/// or is missing — and then the device must have counted a drop for it.
///
/// Same rule as ``ReceiveCheck``: a reported frame matches the oldest in-flight frame with its
/// fingerprint; the frames before it are missing; one that matches nothing is a mismatch.
struct GuestReceiveCheck {
    private var inFlight = Deque<(index: Int, bytes: [UInt8], hash: UInt64)>()
    private(set) var sent = 0
    private(set) var delivered = 0
    private(set) var missing = 0
    private(set) var mismatched = 0
    private(set) var firstMismatch: Int?
    private(set) var missingSample: [Int] = []

    /// FNV-1a 64-bit, as the guest agent computes it (Guest/boxless-agent.c).
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    mutating func sentFrame(index: Int, bytes: [UInt8]) {
        inFlight.append((index, bytes, Self.fingerprint(bytes)))
        sent += 1
    }

    /// The guest reported a frame of `length` bytes with fingerprint `hash`; returns the matching
    /// frame's bytes (nil for a mismatch).
    @discardableResult
    mutating func reported(length: Int, hash: UInt64) -> [UInt8]? {
        guard let k = inFlight.firstIndex(where: { $0.bytes.count == length && $0.hash == hash }) else {
            mismatched += 1
            if firstMismatch == nil { firstMismatch = inFlight.first?.index ?? -1 }
            return nil
        }
        let bytes = inFlight[k].bytes
        for j in 0..<k where missingSample.count < 16 { missingSample.append(inFlight[j].index) }
        missing += k
        delivered += 1
        inFlight.removeFirst(k + 1)
        return bytes
    }

    /// Ends the run: what is still in flight is missing.
    mutating func finish() {
        for f in inFlight where missingSample.count < 16 { missingSample.append(f.index) }
        missing += inFlight.count
        inFlight.removeAll()
    }
}
