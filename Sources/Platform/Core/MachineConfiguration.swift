/// Machine-wide settings. Every field is an input of the run: two runs with equal configurations,
/// models and inputs produce the same event log.
public struct MachineConfiguration: Sendable {
    /// The run's seed; every component's random stream is split from it.
    public var seed: UInt64
    /// Time from a device signalling an interrupt (MSI write or INTx level change) to the interrupt
    /// controller seeing it. Default 500 ns: an MSI is a posted memory write crossing the root complex
    /// (PCIe Base §6.1.4) plus LAPIC acceptance; a typical measured figure, not a specified one.
    public var interruptLatency: VirtualDuration
    /// Whether device models apply their strict-mode rules (DESIGN.md, "Strict mode").
    public var strict: Bool
    /// The most events one run may execute before it is stopped with a finding (guards against a
    /// model or driver that never goes idle).
    public var eventLimit: UInt64

    /// Creates a configuration.
    public init(seed: UInt64 = 1, interruptLatency: VirtualDuration = .nanoseconds(500), strict: Bool = false,
                eventLimit: UInt64 = 500_000_000) {
        self.seed = seed; self.interruptLatency = interruptLatency; self.strict = strict; self.eventLimit = eventLimit
    }
}

/// Bus timing of one function, stated by its model with the source of each figure (DESIGN.md,
/// "Cycle-approximate timing").
public struct BusTiming: Sendable, Equatable {
    /// CPU-visible latency of a register read (a non-posted round trip).
    public var readLatency: VirtualDuration
    /// CPU-visible cost of a register write (posted).
    public var writeLatency: VirtualDuration
    /// Sustained DMA bandwidth in bytes per second.
    public var dmaBytesPerSecond: UInt64
    /// Bus time each transaction costs beyond its data, in bytes: PCI's address phase and
    /// turnaround (2 clocks = 8 bytes, PCI Local Bus 3.0 §3.2); a PCIe TLP's framing 4, sequence
    /// and LCRC 6 and 4-DW header 16 bytes, less rounding (PCIe Base 1.1 §2.2, §3.5.2, §4.2.2).
    public var transactionOverheadBytes: Int
    /// Largest payload of one transaction: a PCI burst of a page; PCIe's reset-default
    /// Max_Payload_Size / Max_Read_Request_Size of 128 bytes (PCIe Base 1.1 §7.8.4).
    public var maxPayloadBytes: Int
    /// Creates bus timing.
    public init(readLatency: VirtualDuration, writeLatency: VirtualDuration, dmaBytesPerSecond: UInt64,
                transactionOverheadBytes: Int = 0, maxPayloadBytes: Int = 4096) {
        self.readLatency = readLatency; self.writeLatency = writeLatency; self.dmaBytesPerSecond = dmaBytesPerSecond
        self.transactionOverheadBytes = transactionOverheadBytes; self.maxPayloadBytes = maxPayloadBytes
    }
    /// Conventional PCI, 32-bit at 33 MHz: 133 MB/s peak (PCI Local Bus 3.0 §1.1). A read is about
    /// 8 bus clocks of 30 ns with target latency (§3.5.1.1 allows 16); a posted write about 3 clocks.
    public static let pci33 = BusTiming(readLatency: .nanoseconds(240), writeLatency: .nanoseconds(90),
                                        dmaBytesPerSecond: 133_333_333, transactionOverheadBytes: 8, maxPayloadBytes: 4096)
    /// PCI Express 1.1 x1: 2.5 GT/s with 8b/10b = 250 MB/s per direction (PCIe Base 1.1 §4.2); a
    /// non-posted read round trip of about 1 µs is typical of root complexes, a posted write ~150 ns.
    public static let pcie1x1 = BusTiming(readLatency: .nanoseconds(1000), writeLatency: .nanoseconds(150),
                                          dmaBytesPerSecond: 250_000_000, transactionOverheadBytes: 24, maxPayloadBytes: 128)
    /// Time to move `bytes` over the bus at ``dmaBytesPerSecond``, rounded up to a picosecond.
    public func transferTime(bytes: Int) -> VirtualDuration {
        .transfer(bytes: bytes, bytesPerSecond: dmaBytesPerSecond)
    }

    /// Bus time of a device's posted DMA write of `bytes`, split into transactions of at most
    /// ``maxPayloadBytes`` with ``transactionOverheadBytes`` each.
    @inlinable
    public func dmaWriteCost(_ bytes: Int) -> VirtualDuration {
        let transactions = max(1, (bytes + maxPayloadBytes - 1) / maxPayloadBytes)
        return transferTime(bytes: bytes + transactions * transactionOverheadBytes)
    }

    /// Bus time of a device's DMA read of `bytes`: the non-posted round trip plus the data.
    @inlinable
    public func dmaReadCost(_ bytes: Int) -> VirtualDuration { readLatency + dmaWriteCost(bytes) }
}
