/// The machine's physical memory: sparse, allocated in page-aligned regions on demand.
///
/// Only what is allocated uses host memory. Freed regions are reused by later allocations of the same
/// page count, deterministically (last freed, first reused). Memory is zeroed when allocated.
public final class PhysicalMemory {
    /// Page size of the allocator and of the IOMMU (4 KiB).
    public static let pageSize: UInt64 = 4096
    private struct Region { var base: UInt64; var pages: UInt64; var pointer: UnsafeMutableRawPointer; var live: Bool }
    private var regions: [UInt64: Region] = [:]   // by base
    private var free: [UInt64: [UInt64]] = [:]     // page count → bases
    private var next: UInt64
    /// Bytes currently allocated.
    public private(set) var allocatedBytes: UInt64 = 0
    /// Bytes of host memory held (allocated plus free for reuse).
    public private(set) var heldBytes: UInt64 = 0

    /// Creates empty memory whose allocations start at `base` (default 1 MiB).
    public init(base: UInt64 = 0x10_0000) { next = base }

    deinit { for r in regions.values { r.pointer.deallocate() } }

    /// Allocates `size` bytes (rounded up to pages), zeroed, and returns the physical address and
    /// the host pointer backing it.
    public func allocate(size: Int) -> (PhysicalAddress, UnsafeMutableRawPointer) {
        precondition(size > 0)
        let pages = (UInt64(size) + Self.pageSize - 1) / Self.pageSize
        let bytes = Int(pages * Self.pageSize)
        if var list = free[pages], let base = list.popLast() {
            free[pages] = list
            regions[base]!.live = true
            let p = regions[base]!.pointer
            p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            allocatedBytes += UInt64(bytes)
            return (PhysicalAddress(rawValue: base), p)
        }
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Int(Self.pageSize))
        p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        let base = next
        next += pages * Self.pageSize
        regions[base] = Region(base: base, pages: pages, pointer: p, live: true)
        allocatedBytes += UInt64(bytes)
        heldBytes += UInt64(bytes)
        return (PhysicalAddress(rawValue: base), p)
    }

    /// Frees a region returned by ``allocate(size:)``; freeing anything else is a programming error.
    public func free(_ address: PhysicalAddress) {
        guard let r = regions[address.rawValue], r.live else { preconditionFailure("free of unallocated \(address)") }
        regions[address.rawValue]!.live = false
        free[r.pages, default: []].append(r.base)
        allocatedBytes -= r.pages * Self.pageSize
    }

    /// The host pointer for `length` bytes at a live region's `address` (which may be inside the
    /// region), or nil if they are not all inside one live region.
    public func pointer(_ address: PhysicalAddress, length: Int) -> UnsafeMutableRawPointer? {
        // Regions are page aligned: walk back page by page to the region's base (regions are small).
        var base = address.rawValue & ~(Self.pageSize - 1)
        while true {
            if let r = regions[base] {
                guard r.live, address.rawValue + UInt64(length) <= r.base + r.pages * Self.pageSize else { return nil }
                return r.pointer + Int(address.rawValue - r.base)
            }
            if base < Self.pageSize { return nil }
            base -= Self.pageSize
            if address.rawValue - base > 1 << 30 { return nil }
        }
    }
}
