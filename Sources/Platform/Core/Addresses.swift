/// A PCI function's location: segment, bus, device (slot) and function (STYLE.md §2).
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// PCI segment (domain).
    public var segment: UInt16
    /// Bus number.
    public var bus: UInt8
    /// Device (slot) number, 0–31.
    public var device: UInt8
    /// Function number, 0–7.
    public var function: UInt8
    /// Creates a location; device must be < 32 and function < 8.
    public init(segment: UInt16 = 0, bus: UInt8 = 0, device: UInt8, function: UInt8 = 0) {
        precondition(device < 32 && function < 8, "PCI device must be < 32 and function < 8")
        self.segment = segment; self.bus = bus; self.device = device; self.function = function
    }
    /// The 16-bit requester ID (bus << 8 | device << 3 | function) used on the bus for DMA.
    public var requesterID: UInt16 { UInt16(bus) << 8 | UInt16(device) << 3 | UInt16(function) }
    public static func < (a: Self, b: Self) -> Bool {
        (a.segment, a.bus, a.device, a.function) < (b.segment, b.bus, b.device, b.function)
    }
    /// lspci's form, `0000:00:03.0`.
    public var description: String {
        hex(UInt64(segment), 4) + ":" + hex(UInt64(bus), 2) + ":" + hex(UInt64(device), 2) + "." + String(function)
    }
}

/// An address as a device sees it on the bus (an IOVA, translated by the IOMMU).
public struct BusAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64-bit bus address.
    public var rawValue: UInt64
    /// Wraps a raw bus address.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a raw bus address.
    @inlinable public init(_ v: UInt64) { self.rawValue = v }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// `self` plus a byte offset.
    @inlinable public static func + (a: Self, n: UInt64) -> Self { Self(rawValue: a.rawValue &+ n) }
    /// `0x…` in hex.
    public var description: String { "0x" + hex(rawValue, 1) }
}

/// An address in the machine's physical memory (behind the IOMMU).
public struct PhysicalAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64-bit physical address.
    public var rawValue: UInt64
    /// Wraps a raw physical address.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// `0x…` in hex.
    public var description: String { "0x" + hex(rawValue, 1) }
}

/// Width of a register or config access, in bytes.
public enum AccessWidth: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// 8 bits.
    case byte = 1
    /// 16 bits.
    case word = 2
    /// 32 bits.
    case dword = 4
    /// 64 bits.
    case qword = 8
    /// Size in bytes.
    @inlinable public var bytes: Int { Int(rawValue) }
    /// All ones at this width.
    @inlinable public var mask: UInt64 { rawValue == 8 ? .max : (UInt64(1) << (UInt64(rawValue) * 8)) - 1 }
    /// Creates from a byte count of 1, 2, 4 or 8.
    public init?(bytes: Int) { self.init(rawValue: UInt8(truncatingIfNeeded: bytes)) }
    /// `8`, `16`, `32` or `64` (bits).
    public var description: String { String(bytes * 8) }
}

/// Lower-case hex of `v`, zero-padded to at least `digits` digits.
@usableFromInline func hex(_ v: UInt64, _ digits: Int) -> String {
    let s = String(v, radix: 16)
    return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
}

/// Lower-case hex of `v`, zero-padded to at least `digits` digits (for logs and reports).
public func hexString(_ v: UInt64, digits: Int = 1) -> String { hex(v, digits) }
