/// Hands out guest-physical RAM for DMA: first fit over a sorted free list, with alignment, merging
/// neighbours on free. Bus address = guest-physical address (q35 without an IOMMU).
struct GuestMemoryAllocator {
    /// Free ranges, sorted, never adjacent.
    private(set) var free: [Range<UInt64>]
    /// Granule every allocation is rounded up to (a cache line).
    static let granule: UInt64 = 64

    init(_ range: Range<UInt64>) { free = [range] }

    /// Allocates `size` bytes aligned to `alignment` (a power of two).
    mutating func allocate(size: Int, alignment: Int) -> Range<UInt64>? {
        let n = (UInt64(size) + Self.granule - 1) & ~(Self.granule - 1)
        let align = max(UInt64(alignment), Self.granule)
        for (i, r) in free.enumerated() {
            let base = (r.lowerBound + align - 1) & ~(align - 1)
            guard base + n <= r.upperBound else { continue }
            var pieces: [Range<UInt64>] = []
            if r.lowerBound < base { pieces.append(r.lowerBound..<base) }
            if base + n < r.upperBound { pieces.append(base + n..<r.upperBound) }
            free.replaceSubrange(i...i, with: pieces)
            return base..<base + n
        }
        return nil
    }

    /// Returns a range from ``allocate(size:alignment:)``.
    mutating func release(_ r: Range<UInt64>) {
        let i = free.firstIndex { $0.lowerBound > r.lowerBound } ?? free.count
        free.insert(r, at: i)
        if i + 1 < free.count, free[i].upperBound == free[i + 1].lowerBound {
            free[i] = free[i].lowerBound..<free[i + 1].upperBound; free.remove(at: i + 1)
        }
        if i > 0, free[i - 1].upperBound == free[i].lowerBound {
            free[i - 1] = free[i - 1].lowerBound..<free[i].upperBound; free.remove(at: i)
        }
    }

    /// Bytes free.
    var freeBytes: UInt64 { free.reduce(0) { $0 + $1.upperBound - $1.lowerBound } }
}
