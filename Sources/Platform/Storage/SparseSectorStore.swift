/// Sparse sector storage: 64 KiB chunks allocated on first write, each with a bitmap of which of its
/// 128 sectors hold data. It backs ``MemoryBackend`` (absent sectors read as zeros), the copy-on-write
/// layer of ``OverlayBackend`` (absent sectors fall through to the base) and a disk model's volatile
/// write cache (present sectors are the unflushed ones).
///
/// Only written chunks use host memory, so a 1 TiB ``MemoryBackend`` costs nothing up front.
/// Iteration (``runs``, ``forEachRun(_:)``) is in LBA order, never in hash order (DESIGN.md,
/// "Determinism"). Confined to one thread.
public final class SparseSectorStore {
    /// Sectors per chunk (64 KiB of 512-byte sectors).
    public static let chunkSectors = 128
    /// Bytes per chunk.
    public static let chunkBytes = chunkSectors * BlockGeometry.sectorSize

    /// One chunk: its bytes and which sectors are present.
    final class Chunk {
        let bytes: UnsafeMutableRawPointer
        var present0: UInt64 = 0   // sectors 0–63
        var present1: UInt64 = 0   // sectors 64–127
        init() {
            bytes = UnsafeMutableRawPointer.allocate(byteCount: SparseSectorStore.chunkBytes, alignment: 64)
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: SparseSectorStore.chunkBytes)
        }
        deinit { bytes.deallocate() }
        @inline(__always) func isPresent(_ i: Int) -> Bool {
            i < 64 ? present0 >> UInt64(i) & 1 != 0 : present1 >> UInt64(i - 64) & 1 != 0
        }
        /// Marks sectors `first..<first+n` present (or absent).
        func mark(_ first: Int, _ n: Int, _ on: Bool) {
            for i in first..<first + n {
                if i < 64 { if on { present0 |= 1 << UInt64(i) } else { present0 &= ~(1 << UInt64(i)) } }
                else { if on { present1 |= 1 << UInt64(i - 64) } else { present1 &= ~(1 << UInt64(i - 64)) } }
            }
        }
        var presentCount: Int { present0.nonzeroBitCount + present1.nonzeroBitCount }
        var isFull: Bool { present0 == .max && present1 == .max }
    }

    private var chunks: [UInt64: Chunk] = [:]
    /// Number of sectors currently present.
    public private(set) var presentSectors: UInt64 = 0

    /// Creates an empty store.
    public init() {}

    /// Number of chunks allocated (each 64 KiB of host memory).
    public var chunkCount: Int { chunks.count }
    /// Host memory held by the chunks, in bytes.
    public var allocatedBytes: Int { chunks.count * Self.chunkBytes }
    /// Whether no sector is present.
    public var isEmpty: Bool { presentSectors == 0 }

    /// How much of a range is present.
    public enum Coverage: Sendable, Equatable {
        /// No sector of the range is present.
        case none
        /// Every sector is present.
        case full
        /// Some are.
        case partial
    }

    /// Which part of `lba..<lba+count` is present.
    public func coverage(lba: UInt64, count: Int) -> Coverage {
        if chunks.isEmpty || count == 0 { return .none }
        var any = false, all = true
        var s = lba
        let end = lba + UInt64(count)
        while s < end {
            let key = s / UInt64(Self.chunkSectors)
            let first = Int(s % UInt64(Self.chunkSectors))
            let n = Int(min(end - s, UInt64(Self.chunkSectors - first)))
            if let c = chunks[key] {
                if c.isFull { any = true } else {
                    for i in first..<first + n { if c.isPresent(i) { any = true } else { all = false } }
                }
            } else { all = false }
            s += UInt64(n)
        }
        return !any ? .none : all ? .full : .partial
    }

    /// Stores `count` sectors at `lba` from `buffer` (`count * 512` bytes) and marks them present.
    public func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) {
        var s = lba, off = 0
        let end = lba + UInt64(count)
        while s < end {
            let key = s / UInt64(Self.chunkSectors)
            let first = Int(s % UInt64(Self.chunkSectors))
            let n = Int(min(end - s, UInt64(Self.chunkSectors - first)))
            let c: Chunk
            if let e = chunks[key] { c = e } else { c = Chunk(); chunks[key] = c }
            let before = c.presentCount
            (c.bytes + first * BlockGeometry.sectorSize).copyMemory(from: buffer.baseAddress! + off, byteCount: n * BlockGeometry.sectorSize)
            c.mark(first, n, true)
            presentSectors += UInt64(c.presentCount - before)
            s += UInt64(n); off += n * BlockGeometry.sectorSize
        }
    }

    /// Copies the present sectors of `lba..<lba+count` into `buffer` (`count * 512` bytes), leaving the
    /// bytes of absent sectors untouched, or zeroing them when `zeroAbsent` is set.
    public func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer, zeroAbsent: Bool) {
        let ss = BlockGeometry.sectorSize
        var s = lba, off = 0
        let end = lba + UInt64(count)
        while s < end {
            let key = s / UInt64(Self.chunkSectors)
            let first = Int(s % UInt64(Self.chunkSectors))
            let n = Int(min(end - s, UInt64(Self.chunkSectors - first)))
            let dst = buffer.baseAddress! + off
            if let c = chunks[key] {
                if c.isFull {
                    dst.copyMemory(from: c.bytes + first * ss, byteCount: n * ss)
                } else {
                    for i in 0..<n {
                        if c.isPresent(first + i) { (dst + i * ss).copyMemory(from: c.bytes + (first + i) * ss, byteCount: ss) }
                        else if zeroAbsent { (dst + i * ss).initializeMemory(as: UInt8.self, repeating: 0, count: ss) }
                    }
                }
            } else if zeroAbsent {
                dst.initializeMemory(as: UInt8.self, repeating: 0, count: n * ss)
            }
            s += UInt64(n); off += n * ss
        }
    }

    /// Marks `lba..<lba+count` absent (freeing chunks that become empty).
    public func discard(lba: UInt64, count: Int) {
        if chunks.isEmpty { return }
        var s = lba
        let end = lba + UInt64(count)
        while s < end {
            let key = s / UInt64(Self.chunkSectors)
            let first = Int(s % UInt64(Self.chunkSectors))
            let n = Int(min(end - s, UInt64(Self.chunkSectors - first)))
            if let c = chunks[key] {
                let before = c.presentCount
                c.mark(first, n, false)
                presentSectors -= UInt64(before - c.presentCount)
                if c.presentCount == 0 { chunks[key] = nil }
            }
            s += UInt64(n)
        }
    }

    /// Drops every sector.
    public func removeAll() {
        chunks.removeAll()
        presentSectors = 0
    }

    /// Calls `body` for each run of present sectors, in LBA order, with the run's bytes. A run never
    /// spans two chunks (so its bytes are contiguous); ``runs`` merges neighbours across chunks.
    public func forEachRun<E: Error>(_ body: (_ lba: UInt64, _ count: Int, _ bytes: UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let ss = BlockGeometry.sectorSize
        for key in chunks.keys.sorted() {
            let c = chunks[key]!
            var i = 0
            while i < Self.chunkSectors {
                guard c.isPresent(i) else { i += 1; continue }
                var j = i
                while j < Self.chunkSectors && c.isPresent(j) { j += 1 }
                try body(key * UInt64(Self.chunkSectors) + UInt64(i), j - i,
                         UnsafeRawBufferPointer(start: c.bytes + i * ss, count: (j - i) * ss))
                i = j
            }
        }
    }

    /// The present sectors as sorted, merged LBA ranges.
    public var runs: [Range<UInt64>] {
        var out: [Range<UInt64>] = []
        forEachRun { (lba: UInt64, n: Int, _: UnsafeRawBufferPointer) in
            let r = lba..<lba + UInt64(n)
            if let last = out.last, last.upperBound == r.lowerBound { out[out.count - 1] = last.lowerBound..<r.upperBound }
            else { out.append(r) }
        }
        return out
    }
}
