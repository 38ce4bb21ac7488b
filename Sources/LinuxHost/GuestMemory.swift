import Glibc

/// The guest's memory as the vhost-user front end shares it (vhost-user protocol, "Memory regions
/// description", VHOST_USER_SET_MEM_TABLE): each region is a file descriptor mapped here with
/// MAP_SHARED, so device DMA and virtqueue accesses see exactly the guest's bytes.
///
/// Addresses come in two spaces: guest physical (what a device puts on the bus; UML's DMA
/// addresses are its physical addresses) and front-end user addresses (how vring addresses are
/// given). Both translate to a pointer into the mapping; anything outside every region is nil.
public final class GuestMemory {
    /// One mapped region.
    public struct Region: Sendable, CustomStringConvertible {
        /// Guest physical address of the first byte.
        public var guestAddress: UInt64
        /// Length in bytes.
        public var size: UInt64
        /// The front end's virtual address of the first byte.
        public var userAddress: UInt64
        /// Offset of the first byte in the shared file.
        public var mmapOffset: UInt64
        /// Plain description for logs.
        public var description: String {
            "guest 0x\(String(guestAddress, radix: 16))+0x\(String(size, radix: 16)) (user 0x\(String(userAddress, radix: 16)), file offset 0x\(String(mmapOffset, radix: 16)))"
        }
    }

    private var mappings: [(region: Region, base: UnsafeMutableRawPointer, mapBase: UnsafeMutableRawPointer, mapLength: Int)] = []

    /// Creates an empty memory (no region mapped yet).
    public init() {}

    deinit { unmapAll() }

    /// The regions, in the order the front end sent them.
    public var regions: [Region] { mappings.map(\.region) }

    /// Replaces the memory table: maps each region from its descriptor (which is closed afterwards).
    public func setTable(_ regions: [(Region, fd: Int32)]) throws(LinuxHostError) {
        unmapAll()
        defer { for (_, fd) in regions { close(fd) } }
        for (r, fd) in regions {
            guard r.size > 0, r.size < 1 << 40 else { throw .protocolError("memory region of \(r.size) bytes") }
            let length = Int(r.mmapOffset + r.size)
            let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
            guard let p, p != MAP_FAILED else {
                throw .protocolError("cannot map guest memory region \(r): \(String(cString: strerror(errno)))")
            }
            mappings.append((r, p + Int(r.mmapOffset), p, length))
        }
    }

    private func unmapAll() {
        for m in mappings { munmap(m.mapBase, m.mapLength) }
        mappings.removeAll()
    }

    /// The host pointer for `length` bytes at guest physical `address`, if one region holds them all.
    public func pointer(guest address: UInt64, length: Int) -> UnsafeMutableRawPointer? {
        for m in mappings where address >= m.region.guestAddress
            && address &+ UInt64(length) <= m.region.guestAddress + m.region.size && address &+ UInt64(length) >= address {
            return m.base + Int(address - m.region.guestAddress)
        }
        return nil
    }

    /// The host pointer for `length` bytes at the front end's user address `address`.
    public func pointer(user address: UInt64, length: Int) -> UnsafeMutableRawPointer? {
        for m in mappings where address >= m.region.userAddress
            && address &+ UInt64(length) <= m.region.userAddress + m.region.size && address &+ UInt64(length) >= address {
            return m.base + Int(address - m.region.userAddress)
        }
        return nil
    }

    /// Each region's guest range and host pointer (for mapping guest memory into a device's IOMMU).
    public var guestRanges: [(guestAddress: UInt64, size: UInt64, pointer: UnsafeMutableRawPointer)] {
        mappings.map { ($0.region.guestAddress, $0.region.size, $0.base) }
    }
}
