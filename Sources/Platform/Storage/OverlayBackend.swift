/// A copy-on-write view of another backend: writes land in a sparse in-memory overlay, reads take
/// the overlay's sectors where present and fall through to the base elsewhere. The base is never
/// written, so the user's image stays untouched unless they ask for `--writable` (DESIGN.md,
/// "Command line": "The image given is never modified unless `--writable` is given").
public final class OverlayBackend: BlockBackend {
    /// The backend underneath (only read).
    public let base: any BlockBackend
    /// The sectors written through this overlay.
    public let overlay = SparseSectorStore()
    public var sectorSize: Int { base.sectorSize }
    public var sectorCount: UInt64 { base.sectorCount }
    public let isWritable = true
    public var label: String { base.label + " (copy-on-write overlay)" }

    /// Layers an empty overlay over `base`.
    public init(base: any BlockBackend) { self.base = base }

    /// Sectors written through the overlay.
    public var modifiedSectors: UInt64 { overlay.presentSectors }

    public func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) {
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        switch overlay.coverage(lba: lba, count: count) {
        case .none: try base.read(lba: lba, count: count, into: buffer)
        case .full: overlay.read(lba: lba, count: count, into: buffer, zeroAbsent: false)
        case .partial:
            try base.read(lba: lba, count: count, into: buffer)
            overlay.read(lba: lba, count: count, into: buffer, zeroAbsent: false)
        }
    }

    public func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) throws(StorageError) {
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        overlay.write(lba: lba, count: count, from: buffer)
    }

    /// The overlay lives in memory: nothing to make durable, and the base is never touched.
    public func flush() throws(StorageError) {}
}
