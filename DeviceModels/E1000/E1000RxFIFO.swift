/// The receive packet buffer (SDM §3.2: frames wait in the on-chip Rx FIFO until the DMA engine has
/// descriptors and bus time for them; its size is PBA.RXA, SDM §13.4.16).
///
/// Storage is allocated once (large enough for the biggest RXA plus one maximum frame) and used as a
/// contiguous ring: a frame is never split, and wraps to the start when it does not fit before the
/// end. Occupancy is accounted separately against RXA: each frame costs its length rounded up to 16
/// bytes plus a 16-byte status entry (modelling choice; the manuals' internal format was not read).
struct E1000RxFIFO {
    /// A frame waiting in the FIFO, with the status the MAC computed when it arrived.
    struct Entry {
        var offset: Int32 = 0
        var length: Int32 = 0
        /// Bytes already moved to host buffers (a frame can span descriptors and wait for more).
        var done: Int32 = 0
        var cost: Int32 = 0
        /// Legacy-format status and errors (RDESC.STATUS / ERRORS bits).
        var status: UInt8 = 0
        var errors: UInt8 = 0
        /// Packet checksum from RXCSUM.PCSS (SDM §3.2.3).
        var checksum: UInt16 = 0
        /// Stripped 802.1Q tag.
        var special: UInt16 = 0
        /// IPv4 identification (82574 extended descriptors).
        var ipID: UInt16 = 0
        var ipIDValid = false
    }

    static let storageSize = 128 * 1024
    static let entryCapacity = 2048

    let storage: UnsafeMutableRawPointer
    private let entries: UnsafeMutablePointer<Entry>
    private var head = 0
    private(set) var count = 0
    private var readPos = 0
    private var writePos = 0
    /// Bytes accounted against RXA.
    private(set) var usedBytes = 0

    init() {
        storage = .allocate(byteCount: Self.storageSize, alignment: 64)
        entries = .allocate(capacity: Self.entryCapacity)
        entries.initialize(repeating: Entry(), count: Self.entryCapacity)
    }

    /// Frees the storage (called from the device's deinit).
    func deallocate() {
        storage.deallocate()
        entries.deinitialize(count: Self.entryCapacity)
        entries.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Reserves room for a frame of `length` bytes if RXA (`limit` bytes) and the storage allow;
    /// returns where to write it. Commit with ``commit(_:)``.
    mutating func reserve(length: Int, limit: Int) -> Int? {
        let cost = (length + 15) & ~15 + 16
        guard usedBytes + cost <= limit, count < Self.entryCapacity, length <= Self.storageSize / 2 else { return nil }
        if count == 0 { readPos = 0; writePos = 0 }
        if writePos >= readPos {
            if writePos + length <= Self.storageSize { return writePos }
            if length < readPos { return 0 }
            return nil
        }
        return writePos + length < readPos ? writePos : nil
    }

    /// Adds the frame written at `entry.offset`.
    mutating func commit(_ entry: Entry) {
        var e = entry
        e.cost = Int32((Int(e.length) + 15) & ~15 + 16)
        entries[(head + count) % Self.entryCapacity] = e
        count += 1
        usedBytes += Int(e.cost)
        writePos = Int(e.offset) + Int(e.length)
    }

    /// The oldest frame.
    var first: UnsafeMutablePointer<Entry>? { count == 0 ? nil : entries + head }

    /// Removes the oldest frame.
    mutating func removeFirst() {
        guard count > 0 else { return }
        usedBytes -= Int(entries[head].cost)
        head = (head + 1) % Self.entryCapacity
        count -= 1
        if count == 0 { readPos = 0; writePos = 0 } else { readPos = Int(entries[head].offset) }
    }

    /// Drops everything (reset, receiver disabled).
    mutating func removeAll() { head = 0; count = 0; readPos = 0; writePos = 0; usedBytes = 0 }
}
