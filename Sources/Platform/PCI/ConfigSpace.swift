/// A function's configuration space: bytes plus a writable mask and a write-1-to-clear mask
/// (STYLE.md §3, after QEMU's `wmask`/`w1cmask`).
///
/// A write stores `value` only in the writable bits; in write-1-to-clear bits a 1 clears the stored bit.
/// Everything else is read-only. Accesses are little-endian and must stay inside the space.
public struct ConfigSpace: Sendable {
    /// The stored bytes (256 for conventional PCI, 4096 for PCI Express).
    public private(set) var bytes: [UInt8]
    /// Bits software may write.
    public var writableMask: [UInt8]
    /// Bits software clears by writing 1.
    public var writeOneToClearMask: [UInt8]

    /// An all-zero, all-read-only space of `size` bytes (256 or 4096).
    public init(size: Int) {
        precondition(size == 256 || size == 4096, "config space is 256 or 4096 bytes")
        bytes = Array(repeating: 0, count: size)
        writableMask = Array(repeating: 0, count: size)
        writeOneToClearMask = Array(repeating: 0, count: size)
    }

    /// Size in bytes.
    public var size: Int { bytes.count }

    /// Reads `width` bytes at `offset` (little-endian).
    @inlinable @inline(__always)
    public func read(_ offset: Int, _ width: AccessWidth) -> UInt32 {
        let n = min(width.bytes, 4)
        precondition(offset >= 0 && offset <= bytes.count - n, "config access outside the space")
        return bytes.withUnsafeBytes { b in
            switch n {
            case 1: return UInt32(b.load(fromByteOffset: offset, as: UInt8.self))
            case 2: return UInt32(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            default: return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            }
        }
    }

    /// Applies a software write of `width` bytes at `offset` through the masks.
    public mutating func write(_ offset: Int, _ width: AccessWidth, _ value: UInt32) {
        for i in 0..<min(width.bytes, 4) {
            let b = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))
            let o = offset + i
            let w = writableMask[o], c = writeOneToClearMask[o]
            bytes[o] = (bytes[o] & ~w | b & w) & ~(b & c)
        }
    }

    /// Sets bytes directly, ignoring masks (for the device and the platform, never for software).
    public mutating func set(_ offset: Int, _ width: AccessWidth, _ value: UInt32) {
        for i in 0..<min(width.bytes, 4) { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// Sets the writable mask of `width` bytes at `offset`.
    public mutating func setWritable(_ offset: Int, _ width: AccessWidth, _ mask: UInt32) {
        for i in 0..<min(width.bytes, 4) { writableMask[offset + i] = UInt8(truncatingIfNeeded: mask >> (8 * UInt32(i))) }
    }

    /// Sets the write-1-to-clear mask of `width` bytes at `offset`.
    public mutating func setWriteOneToClear(_ offset: Int, _ width: AccessWidth, _ mask: UInt32) {
        for i in 0..<min(width.bytes, 4) { writeOneToClearMask[offset + i] = UInt8(truncatingIfNeeded: mask >> (8 * UInt32(i))) }
    }

    /// Sets or clears bits `mask` of the 16-bit register at `offset`, ignoring masks.
    public mutating func setBits16(_ offset: Int, _ mask: UInt16, _ on: Bool) {
        let v = UInt16(read(offset, .word))
        set(offset, .word, UInt32(on ? v | mask : v & ~mask))
    }
}

/// Offsets and bits of the type-0 configuration header (PCI Local Bus 3.0 §6.1, PCIe Base §7.5.1).
public enum ConfigHeader {
    /// Vendor ID.
    public static let vendorID = 0x00
    /// Device ID.
    public static let deviceID = 0x02
    /// Command register (§6.2.2).
    public static let command = 0x04
    /// Status register (§6.2.3).
    public static let status = 0x06
    /// Revision ID.
    public static let revisionID = 0x08
    /// Programming interface (class code byte 0).
    public static let classProgIF = 0x09
    /// Sub-class (class code byte 1).
    public static let subclass = 0x0A
    /// Base class (class code byte 2).
    public static let baseClass = 0x0B
    /// Cache Line Size.
    public static let cacheLineSize = 0x0C
    /// Latency Timer.
    public static let latencyTimer = 0x0D
    /// Header Type (bit 7: multi-function).
    public static let headerType = 0x0E
    /// First Base Address Register; BAR n is at `bar0 + 4 * n` (§6.2.5.1).
    public static let bar0 = 0x10
    /// Subsystem Vendor ID.
    public static let subsystemVendorID = 0x2C
    /// Subsystem ID.
    public static let subsystemID = 0x2E
    /// Expansion ROM base address.
    public static let expansionROM = 0x30
    /// Capabilities Pointer (§6.7).
    public static let capabilitiesPointer = 0x34
    /// Interrupt Line.
    public static let interruptLine = 0x3C
    /// Interrupt Pin (1 = INTA# … 4 = INTD#, 0 = none).
    public static let interruptPin = 0x3D

    /// Command: I/O Space enable.
    public static let commandIOSpace: UInt16 = 1 << 0
    /// Command: Memory Space enable.
    public static let commandMemorySpace: UInt16 = 1 << 1
    /// Command: Bus Master enable.
    public static let commandBusMaster: UInt16 = 1 << 2
    /// Command: Parity Error Response.
    public static let commandParityErrorResponse: UInt16 = 1 << 6
    /// Command: SERR# Enable.
    public static let commandSERR: UInt16 = 1 << 8
    /// Command: Interrupt Disable (§6.2.2, bit 10).
    public static let commandInterruptDisable: UInt16 = 1 << 10
    /// Status: Interrupt Status (§6.2.3, bit 3), read-only.
    public static let statusInterrupt: UInt16 = 1 << 3
    /// Status: Capabilities List (bit 4).
    public static let statusCapabilitiesList: UInt16 = 1 << 4
    /// Status: Master Data Parity Error (bit 8), RW1C.
    public static let statusMasterDataParityError: UInt16 = 1 << 8
    /// Status: Signaled Target Abort (bit 11), RW1C.
    public static let statusSignaledTargetAbort: UInt16 = 1 << 11
    /// Status: Received Target Abort (bit 12), RW1C.
    public static let statusReceivedTargetAbort: UInt16 = 1 << 12
    /// Status: Received Master Abort (bit 13), RW1C.
    public static let statusReceivedMasterAbort: UInt16 = 1 << 13
    /// Status: Signaled System Error (bit 14), RW1C.
    public static let statusSignaledSystemError: UInt16 = 1 << 14
    /// Status: Detected Parity Error (bit 15), RW1C.
    public static let statusDetectedParityError: UInt16 = 1 << 15
}
