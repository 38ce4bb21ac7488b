/// Which bus operation a fault hook is looking at.
public struct AccessSite: Sendable, CustomStringConvertible {
    /// What kind of access.
    public enum Space: UInt8, Sendable {
        /// Configuration space.
        case config
        /// A memory BAR.
        case memory
        /// An I/O BAR.
        case io
    }
    /// The function accessed.
    public var device: PCIAddress
    /// Config, memory or I/O.
    public var space: Space
    /// BAR number (0 for config).
    public var bar: Int
    /// Offset in the BAR or config space.
    public var offset: UInt64
    /// Access width.
    public var width: AccessWidth
    /// Whether it is a write.
    public var isWrite: Bool
    /// The value written (writes only).
    public var value: UInt64
    /// Virtual time of the access.
    public var time: VirtualTime
    /// e.g. `0000:00:03.0 memory BAR0+0x8 write32`.
    public var description: String {
        "\(device) \(space) BAR\(bar)+0x\(hex(offset, 1)) \(isWrite ? "write" : "read")\(width)"
    }
}

/// What a fault hook does to a config or register access.
public enum AccessFault: Sendable, Equatable {
    /// Let it through.
    case none
    /// A read returns all ones without reaching the device (a surprise-removed or hung device).
    case allOnesRead
    /// A write is lost.
    case dropWrite
    /// A write reaches the device with this value instead.
    case replaceWrite(UInt64)
    /// A read returns this value (masked to the access width) without reaching the device
    /// (a hostile or broken device answering garbage).
    case replaceRead(UInt64)
}

/// A DMA transfer a fault hook is looking at.
public struct DMASite: Sendable {
    /// The function doing DMA.
    public var device: PCIAddress
    /// Bus address of the transfer.
    public var address: BusAddress
    /// Length in bytes.
    public var length: Int
    /// True for a device write to memory.
    public var isWrite: Bool
    /// Virtual time of the transfer.
    public var time: VirtualTime
}

/// What a fault hook does to a DMA transfer.
public enum DMAFault: Sendable, Equatable {
    /// Let it through (possibly with bytes the hook changed in place).
    case none
    /// The transfer fails with a master abort.
    case masterAbort
    /// The transfer reports success but moves no data.
    case drop
}

/// An interrupt a fault hook is looking at.
public struct InterruptSite: Sendable {
    /// The function signalling.
    public var device: PCIAddress
    /// INTx, MSI or MSI-X.
    public var kind: InterruptKind
    /// Vector (MSI/MSI-X) or line (INTx).
    public var vector: Int
    /// Virtual time of the signal.
    public var time: VirtualTime
}

/// What a fault hook does to an interrupt.
public enum InterruptFault: Sendable, Equatable {
    /// Deliver normally.
    case none
    /// Lose it.
    case drop
    /// Deliver it this much later.
    case delay(VirtualDuration)
    /// Deliver it twice (a second, identical message or level report after the first).
    case duplicate
    /// Keep it pending as if its MSI-X vector were masked, whatever the Mask Bit says: the Pending
    /// Bit is set and the message waits (INTx and MSI: lost).
    case holdPending
}

/// The platform's fault hook points. Every config access, register access, DMA transfer and
/// interrupt delivery passes through one of these, so a fault injector can change its outcome.
/// The default implementations let everything through.
public protocol FaultInjector: AnyObject {
    /// Called for every config-space access by software.
    func configAccess(_ site: AccessSite) -> AccessFault
    /// Called for every BAR register access by software.
    func registerAccess(_ site: AccessSite) -> AccessFault
    /// Called for every DMA transfer with the bytes in flight (for a device write, the bytes about to
    /// land; for a device read, the bytes about to reach the device), which the hook may change.
    func dmaTransfer(_ site: DMASite, data: UnsafeMutableRawBufferPointer) -> DMAFault
    /// Called for every interrupt delivery (MSI/MSI-X message or INTx level change).
    func interrupt(_ site: InterruptSite) -> InterruptFault
}

extension FaultInjector {
    /// Default: no fault.
    public func configAccess(_ site: AccessSite) -> AccessFault { .none }
    /// Default: no fault.
    public func registerAccess(_ site: AccessSite) -> AccessFault { .none }
    /// Default: no fault.
    public func dmaTransfer(_ site: DMASite, data: UnsafeMutableRawBufferPointer) -> DMAFault { .none }
    /// Default: no fault.
    public func interrupt(_ site: InterruptSite) -> InterruptFault { .none }
}
