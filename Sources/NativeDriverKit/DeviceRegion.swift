/// Whether a BAR decodes memory or I/O ports.
public enum RegionKind: UInt8, Sendable {
    /// Memory-mapped registers (MMIO).
    case memory
    /// I/O ports.
    case io
}

/// Width of a register access, in bytes.
public enum RegisterWidth: UInt8, Sendable {
    /// 8 bits.
    case byte = 1
    /// 16 bits.
    case word = 2
    /// 32 bits.
    case dword = 4
    /// 64 bits.
    case qword = 8
}

/// The host side of register access. Hosts implement it; drivers use ``DeviceRegion``.
public protocol RegionIO: AnyObject {
    /// Reads `width` at `offset` of BAR `bar`; a bad access is reported by the host and reads as all ones.
    func read(bar: Int, offset: Int, width: RegisterWidth) -> UInt64
    /// Writes `width` at `offset` of BAR `bar`.
    func write(bar: Int, offset: Int, width: RegisterWidth, value: UInt64)
    /// Orders the CPU's earlier writes to DMA memory before its later register writes (`wmb()`).
    func barrier(bar: Int)
}

/// One BAR of a function, with typed register accessors (little-endian, as PCI is).
///
/// A write is posted; to know it reached the device, read a register of the same BAR afterwards
/// (``flush(readingAt:)``), as drivers on real hardware do. Bad accesses (out of range, unsupported
/// width) do not crash: the host reports them and reads return all ones.
public struct DeviceRegion: Sendable {
    /// BAR number, 0–5.
    public let bar: Int
    /// Memory or I/O.
    public let kind: RegionKind
    /// Size in bytes.
    public let size: Int
    @usableFromInline nonisolated(unsafe) unowned(unsafe) let io: any RegionIO

    /// Created by hosts; `io` must outlive the region (hosts keep it until the driver is removed).
    public init(bar: Int, kind: RegionKind, size: Int, io: any RegionIO) {
        self.bar = bar; self.kind = kind; self.size = size; self.io = io
    }

    /// Reads 8 bits at `offset`.
    @inlinable public func read8(_ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: io.read(bar: bar, offset: offset, width: .byte)) }
    /// Reads 16 bits at `offset`.
    @inlinable public func read16(_ offset: Int) -> UInt16 { UInt16(truncatingIfNeeded: io.read(bar: bar, offset: offset, width: .word)) }
    /// Reads 32 bits at `offset`.
    @inlinable public func read32(_ offset: Int) -> UInt32 { UInt32(truncatingIfNeeded: io.read(bar: bar, offset: offset, width: .dword)) }
    /// Reads 64 bits at `offset`.
    @inlinable public func read64(_ offset: Int) -> UInt64 { io.read(bar: bar, offset: offset, width: .qword) }
    /// Writes 8 bits at `offset`.
    @inlinable public func write8(_ offset: Int, _ value: UInt8) { io.write(bar: bar, offset: offset, width: .byte, value: UInt64(value)) }
    /// Writes 16 bits at `offset`.
    @inlinable public func write16(_ offset: Int, _ value: UInt16) { io.write(bar: bar, offset: offset, width: .word, value: UInt64(value)) }
    /// Writes 32 bits at `offset`.
    @inlinable public func write32(_ offset: Int, _ value: UInt32) { io.write(bar: bar, offset: offset, width: .dword, value: UInt64(value)) }
    /// Writes 64 bits at `offset`.
    @inlinable public func write64(_ offset: Int, _ value: UInt64) { io.write(bar: bar, offset: offset, width: .qword, value: value) }
    /// Write barrier: DMA-memory writes before it are visible to the device before register writes after it.
    @inlinable public func barrier() { io.barrier(bar: bar) }
    /// Flushes posted writes by reading the 32-bit register at `offset` (choose one without read side effects).
    @inlinable @discardableResult public func flush(readingAt offset: Int) -> UInt32 { read32(offset) }
}
