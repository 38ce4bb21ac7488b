/// The result of a DMA transfer as the device sees it.
public enum DMAStatus: UInt8, Sendable {
    /// The transfer completed.
    case ok = 0
    /// Bus mastering was off or nobody claimed the address: the device got a master abort
    /// (PCI Local Bus 3.0 §3.3.3.1); reads return all ones.
    case masterAbort = 1
    /// The IOMMU refused the transfer (no mapping, wrong direction); the device gets an Unsupported
    /// Request completion; reads return all ones.
    case iommuFault = 2
    /// A fault plan dropped the transfer: it reports success but moved no data.
    case dropped = 3
}

/// What happened to an interrupt on its way to the CPU.
public enum InterruptOutcome: UInt8, Sendable {
    /// Delivered to the interrupt controller.
    case delivered = 0
    /// Masked at the source; its pending bit was set.
    case pending = 1
    /// Lost (fault injection) or suppressed (Interrupt Disable, MSI disabled).
    case suppressed = 2
}

/// The kinds of interrupt signal a function can send.
public enum InterruptKind: UInt8, Sendable, CustomStringConvertible {
    /// Legacy INTx pin (level).
    case intx = 0
    /// Message Signalled Interrupt.
    case msi = 1
    /// MSI-X.
    case msix = 2
    public var description: String { ["intx", "msi", "msix"][Int(rawValue)] }
}

/// Which address space a register access went to.
public enum RegionSpace: UInt8, Sendable {
    /// Memory-mapped (MMIO).
    case memory = 0
    /// I/O ports.
    case io = 1
}

/// One record of the event log. Its canonical binary form (``EventLog``) feeds the run's digest.
public enum EventRecord: Sendable {
    /// A config-space read.
    case configRead(PCIAddress, offset: UInt16, width: AccessWidth, value: UInt32)
    /// A config-space write.
    case configWrite(PCIAddress, offset: UInt16, width: AccessWidth, value: UInt32)
    /// A register read from a BAR.
    case registerRead(PCIAddress, space: RegionSpace, bar: UInt8, offset: UInt64, width: AccessWidth, value: UInt64)
    /// A register write to a BAR.
    case registerWrite(PCIAddress, space: RegionSpace, bar: UInt8, offset: UInt64, width: AccessWidth, value: UInt64)
    /// A device read from memory (bytes moved to the device).
    case dmaRead(PCIAddress, address: BusAddress, length: UInt32, status: DMAStatus)
    /// A device write to memory (bytes moved from the device).
    case dmaWrite(PCIAddress, address: BusAddress, length: UInt32, status: DMAStatus)
    /// An interrupt signal (INTx level change, MSI or MSI-X message).
    case interrupt(PCIAddress, kind: InterruptKind, vector: UInt16, asserted: Bool, outcome: InterruptOutcome)
    /// A rule breach.
    case finding(Finding)
    /// A CPU write barrier before register writes to a BAR (orders DMA-memory writes before them).
    case barrier(PCIAddress, bar: UInt8)
    /// A free-form note from a component (a driver's log line, a model's state change).
    case note(source: String, text: String)
    /// A fault a fault plan injected.
    case fault(FaultRecord)
}
