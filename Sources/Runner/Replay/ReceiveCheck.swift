import DequeModule
import Glibc
import NativeDriverKit

/// The receive check of DESIGN.md: every frame that reached the wire is delivered exactly once, in
/// order, byte-identical — or is missing, and the device counted a drop for it.
///
/// Frames in flight (sent, not yet delivered or declared dropped) wait in a FIFO; memory is bounded
/// by what the device can hold. A delivered frame is matched against the oldest in-flight frame
/// equal to it; the frames before it are missing (dropped). A delivered frame that equals none is a
/// mismatch, reported with the first differing offset against the oldest in-flight frame.
public struct ReceiveCheck {
    /// Frames in flight, oldest first: trace index and where their bytes are in ``arena``.
    private var inFlight = Deque<(index: Int, position: Int, length: Int)>()
    /// The bytes of the frames in flight, back to back (copied in, so sending allocates nothing in
    /// steady state). `arena[i]` is byte `arenaBase + i` of everything sent.
    private var arena: [UInt8] = []
    private var arenaBase = 0
    /// Frames sent on the wire.
    public private(set) var sent = 0
    /// Frames delivered correctly.
    public private(set) var delivered = 0
    /// Frames never delivered (they must be counted by the device).
    public private(set) var missing = 0
    /// Delivered frames that match nothing sent.
    public private(set) var mismatched = 0
    /// The first mismatch: trace packet index and byte offset.
    public private(set) var firstMismatch: (index: Int, offset: Int)?
    /// Indices of the first few missing frames (for the report).
    public private(set) var missingSample: [Int] = []

    /// Creates an empty check.
    public init() {}

    /// A frame went on the wire.
    public mutating func sentFrame(index: Int, bytes: [UInt8]) {
        bytes.withUnsafeBytes { sentFrame(index: index, bytes: $0) }
    }

    /// A frame went on the wire (its bytes are copied).
    public mutating func sentFrame(index: Int, bytes: UnsafeRawBufferPointer) {
        if inFlight.isEmpty {
            arena.removeAll(keepingCapacity: true)
            arenaBase = 0
        } else if let first = inFlight.first, first.position - arenaBase >= 1 << 16,
                  2 * (first.position - arenaBase) >= arena.count {
            // Drop the bytes of frames already settled (amortised: at most once per half of the arena).
            arena.removeSubrange(0..<(first.position - arenaBase))
            arenaBase = first.position
        }
        inFlight.append((index, arenaBase + arena.count, bytes.count))
        arena.append(contentsOf: bytes)
        sent += 1
    }

    /// The bytes of an in-flight frame.
    private func withBytes<R>(_ f: (index: Int, position: Int, length: Int), _ body: (UnsafeRawBufferPointer) -> R) -> R {
        arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[(f.position - arenaBase)..<(f.position - arenaBase + f.length)])) }
    }

    private func matches(_ f: (index: Int, position: Int, length: Int), _ got: UnsafeRawBufferPointer) -> Bool {
        guard f.length == got.count else { return false }
        return withBytes(f) { bytesEqual($0, got) }
    }

    /// The driver delivered a frame; a stripped VLAN tag is put back before comparing.
    public mutating func deliveredFrame(_ frame: UnsafeRawBufferPointer, vlanTag: UInt16?) {
        if let tag = vlanTag, frame.count >= 12 {
            var got = Array(frame)
            got.insert(contentsOf: [0x81, 0x00, UInt8(tag >> 8), UInt8(tag & 0xFF)], at: 12)
            got.withUnsafeBytes { deliveredFrame($0) }
        } else {
            deliveredFrame(frame)
        }
    }

    private mutating func deliveredFrame(_ got: UnsafeRawBufferPointer) {
        // Fast path: the oldest frame in flight.
        if let first = inFlight.first, matches(first, got) {
            inFlight.removeFirst()
            delivered += 1
            return
        }
        var k = 0
        while k < inFlight.count && !matches(inFlight[k], got) { k += 1 }
        if k == inFlight.count {
            mismatched += 1
            if firstMismatch == nil, let first = inFlight.first {
                firstMismatch = (first.index, firstDifference(withBytes(first) { Array($0) }, Array(got)))
            } else if firstMismatch == nil {
                firstMismatch = (-1, 0)
            }
            return
        }
        for j in 0..<k where missingSample.count < 16 { missingSample.append(inFlight[j].index) }
        missing += k
        delivered += 1
        inFlight.removeFirst(k + 1)
    }

    /// Ends the run: everything still in flight is missing.
    public mutating func finish() {
        for f in inFlight where missingSample.count < 16 { missingSample.append(f.index) }
        missing += inFlight.count
        inFlight.removeAll()
    }
}

/// The transmit check: every frame handed to the driver appears on the wire exactly once,
/// byte-identical (a frame under 60 bytes may be padded with zeros by the NIC), or is reported failed.
public struct TransmitCheck {
    private var queued: [(index: Int, bytes: [UInt8])] = []
    private var head = 0
    /// Frames handed to the driver and accepted.
    public private(set) var accepted = 0
    /// Frames the driver refused or reported failed.
    public private(set) var failed = 0
    /// Frames seen on the wire matching what was queued.
    public private(set) var onWire = 0
    /// Wire frames that match nothing queued (duplicates, corruption).
    public private(set) var mismatched = 0
    /// Accepted frames that never appeared and were not reported failed.
    public private(set) var lost = 0
    /// The first mismatch: trace packet index and byte offset.
    public private(set) var firstMismatch: (index: Int, offset: Int)?
    private var failedIndices = Set<Int>()

    /// Creates an empty check.
    public init() {}

    /// The driver accepted frame `index`.
    public mutating func accepted(index: Int, bytes: [UInt8]) { queued.append((index, bytes)); accepted += 1 }
    /// The driver refused frame `index` or completed it with failure.
    public mutating func failed(index: Int) { failed += 1; failedIndices.insert(index) }

    static func sameFrame(_ want: [UInt8], _ wire: UnsafeRawBufferPointer) -> Bool {
        if wire.count == want.count { return wire.elementsEqual(want) }
        // Short frames are padded to 60 bytes with zeros (TCTL.PSP and equivalents).
        guard want.count < 60, wire.count == 60 else { return false }
        return wire.prefix(want.count).elementsEqual(want) && wire.dropFirst(want.count).allSatisfy { $0 == 0 }
    }

    /// A frame arrived on the wire.
    public mutating func wireFrame(_ frame: UnsafeRawBufferPointer) {
        var k = head
        while k < queued.count && !Self.sameFrame(queued[k].bytes, frame) { k += 1 }
        guard k < queued.count else {
            mismatched += 1
            if firstMismatch == nil, head < queued.count {
                let want = queued[head].bytes
                firstMismatch = (queued[head].index, firstDifference(want, Array(frame)))
            }
            return
        }
        for j in head..<k where !failedIndices.contains(queued[j].index) { lost += 1 }
        onWire += 1
        head = k + 1
        if head > 1024 && head * 2 > queued.count { queued.removeFirst(head); head = 0 }
    }

    /// Ends the run.
    public mutating func finish() {
        for j in head..<queued.count where !failedIndices.contains(queued[j].index) { lost += 1 }
        head = queued.count
    }
}

/// The first offset where `a` and `b` differ (the shorter length if one is a prefix of the other).
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
    return min(a.count, b.count)
}

/// Whether `a` and `b` hold the same bytes (memcmp).
@inline(__always) func bytesEqual(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
    a.withUnsafeBytes { bytesEqual($0, b) }
}

/// Whether `a` and `b` hold the same bytes (memcmp).
@inline(__always) func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard let ab = a.baseAddress, let bb = b.baseAddress, a.count > 0 else { return true }
    return memcmp(ab, bb, b.count) == 0
}
