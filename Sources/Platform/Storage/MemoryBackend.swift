/// A disk held in host memory, sparse: sectors never written read as zeros and cost nothing, so a
/// 1 TiB disk allocates only the 64 KiB chunks that were written (``SparseSectorStore``).
public final class MemoryBackend: BlockBackend {
    public let sectorSize = BlockGeometry.sectorSize
    public let sectorCount: UInt64
    public let isWritable = true
    public let label: String
    /// The sectors written so far.
    public let store = SparseSectorStore()

    /// Creates a zero-filled disk of `sectors` 512-byte sectors (at least one).
    public init(sectors: UInt64, label: String = "memory") {
        precondition(sectors > 0, "a disk needs at least one sector")
        self.sectorCount = sectors
        self.label = label
    }

    /// Creates a zero-filled disk of `bytes` bytes (rounded down to whole sectors, at least one).
    public convenience init(bytes: UInt64) {
        self.init(sectors: max(1, bytes / UInt64(BlockGeometry.sectorSize)))
    }

    /// Host memory used by written chunks, in bytes.
    public var allocatedBytes: Int { store.allocatedBytes }

    public func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) {
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        store.read(lba: lba, count: count, into: buffer, zeroAbsent: true)
    }

    public func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) throws(StorageError) {
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        store.write(lba: lba, count: count, from: buffer)
    }

    /// Memory is as durable as it gets: nothing to do.
    public func flush() throws(StorageError) {}
}
