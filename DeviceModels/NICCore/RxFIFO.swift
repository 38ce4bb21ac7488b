/// A NIC's on-chip receive packet buffer: frames wait here, in arrival order, until the receive DMA
/// engine has host buffers and bus time for them (Intel SDM §3.2 "Rx FIFO", PBA.RXA; Realtek's
/// RX FIFO, RTL8139C datasheet §5 and RTL8169 datasheet §8 "Receive FIFO"). Overflow is the device's
/// "missed packet" (MPC / MissPkt).
///
/// Storage is allocated once (``storageSize`` bytes) and used as a contiguous ring: a frame is
/// never split, and wraps to the start when it does not fit before the end. Occupancy is accounted
/// separately against the chip's FIFO size (`limit`): each frame costs its length rounded up to 16
/// bytes plus a 16-byte status entry (a modelling choice; neither vendor documents the internal
/// format). `Metadata` is what the chip's MAC computed when the frame arrived (status bits,
/// checksum results, a stripped tag) and its receive DMA writes back later.
public struct RxFIFO<Metadata> {
    /// A frame waiting in the FIFO.
    public struct Entry {
        /// Where its bytes start in ``storage``.
        public var offset: Int32 = 0
        /// Its length in bytes (as stored: FCS included when the chip keeps it).
        public var length: Int32 = 0
        /// Bytes already moved to host buffers (a frame can span descriptors and wait for more).
        public var done: Int32 = 0
        @usableFromInline var cost: Int32 = 0
        /// The chip's status for the frame.
        public var metadata: Metadata
        /// Creates an entry.
        @inlinable public init(offset: Int, length: Int, metadata: Metadata) {
            self.offset = Int32(offset); self.length = Int32(length); self.metadata = metadata
        }
    }

    /// Bytes of storage: the largest FIFO plus room to place a maximum frame contiguously.
    public let storageSize: Int
    /// Most frames waiting at once.
    public let entryCapacity: Int
    /// The frames' bytes.
    public let storage: UnsafeMutableRawPointer
    @usableFromInline let entries: UnsafeMutablePointer<Entry>
    @usableFromInline var head = 0
    @usableFromInline var _count = 0
    /// Frames waiting.
    @inlinable public var count: Int { _count }
    @usableFromInline var readPos = 0
    @usableFromInline var writePos = 0
    @usableFromInline var _usedBytes = 0
    /// Bytes accounted against the FIFO size.
    @inlinable public var usedBytes: Int { _usedBytes }

    /// Allocates the storage. `empty` fills unused entries.
    public init(storageSize: Int = 128 * 1024, entryCapacity: Int = 2048, empty: Metadata) {
        self.storageSize = storageSize; self.entryCapacity = entryCapacity
        storage = .allocate(byteCount: storageSize, alignment: 64)
        entries = .allocate(capacity: entryCapacity)
        entries.initialize(repeating: Entry(offset: 0, length: 0, metadata: empty), count: entryCapacity)
    }

    /// Frees the storage (call from the owning model's deinit).
    public func deallocate() {
        storage.deallocate()
        entries.deinitialize(count: entryCapacity)
        entries.deallocate()
    }

    /// No frame waits.
    @inlinable public var isEmpty: Bool { count == 0 }

    /// What a frame of `length` bytes costs against the FIFO size.
    @inlinable static func cost(_ length: Int) -> Int { (length + 15) & ~15 + 16 }

    /// Reserves room for a frame of `length` bytes if the FIFO size (`limit` bytes) and the storage
    /// allow; returns where to write it. Add it with ``commit(_:)``.
    @inlinable
    public mutating func reserve(length: Int, limit: Int) -> Int? {
        guard usedBytes + Self.cost(length) <= limit, count < entryCapacity, length <= storageSize / 2 else { return nil }
        if count == 0 { readPos = 0; writePos = 0 }
        if writePos >= readPos {
            if writePos + length <= storageSize { return writePos }
            if length < readPos { return 0 }
            return nil
        }
        return writePos + length < readPos ? writePos : nil
    }

    /// Adds the frame written at `entry.offset`.
    @inlinable
    public mutating func commit(_ entry: Entry) {
        var e = entry
        e.cost = Int32(Self.cost(Int(e.length)))
        var slot = head + count
        if slot >= entryCapacity { slot -= entryCapacity }
        entries[slot] = e
        _count += 1
        _usedBytes += Int(e.cost)
        writePos = Int(e.offset) + Int(e.length)
    }

    /// The oldest frame.
    @inlinable public var first: UnsafeMutablePointer<Entry>? { count == 0 ? nil : entries + head }

    /// Removes the oldest frame.
    @inlinable
    public mutating func removeFirst() {
        guard count > 0 else { return }
        _usedBytes -= Int(entries[head].cost)
        head = head + 1 == entryCapacity ? 0 : head + 1
        _count -= 1
        if count == 0 { readPos = 0; writePos = 0 } else { readPos = Int(entries[head].offset) }
    }

    /// Drops everything (reset, receiver disabled).
    @inlinable
    public mutating func removeAll() { head = 0; _count = 0; readPos = 0; writePos = 0; _usedBytes = 0 }
}
