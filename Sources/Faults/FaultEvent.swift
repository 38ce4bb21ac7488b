import BoxlessPlatform

/// The kinds of event a fault plan's trigger counts (`when: { event: ... }`).
///
/// Platform events are counted at the platform's hook points (every config access, register
/// access, DMA transfer and interrupt signal); `rx-frame`/`tx-frame` at a NIC's MAC (NIC faults) or
/// on the wire (link faults, in ``LinkImpairment``); `writeback` at a NIC's descriptor write-back;
/// `disk-command` when a storage controller's disk starts a command.
public enum FaultEvent: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A config-space read by software.
    case configRead = "config-read"
    /// A config-space write by software.
    case configWrite = "config-write"
    /// A memory-BAR register read.
    case mmioRead = "mmio-read"
    /// A memory-BAR register write.
    case mmioWrite = "mmio-write"
    /// An I/O-BAR register read.
    case ioRead = "io-read"
    /// An I/O-BAR register write.
    case ioWrite = "io-write"
    /// A device DMA read of memory (bytes towards the device).
    case dmaRead = "dma-read"
    /// A device DMA write to memory.
    case dmaWrite = "dma-write"
    /// An interrupt signal (MSI/MSI-X message or INTx assertion).
    case interrupt
    /// A frame arriving at a NIC (at its MAC, or on the wire towards it).
    case rxFrame = "rx-frame"
    /// A frame leaving a NIC (at its MAC, or on the wire away from it).
    case txFrame = "tx-frame"
    /// A descriptor write-back by a NIC (receive or transmit).
    case writeback
    /// A command started by a disk behind a storage controller.
    case diskCommand = "disk-command"

    /// The plan name, e.g. `mmio-read`.
    public var description: String { rawValue }

    /// Whether `offset:` (and `bar:`) can narrow this event: config and register accesses.
    public var hasOffset: Bool {
        switch self {
        case .configRead, .configWrite, .mmioRead, .mmioWrite, .ioRead, .ioWrite: true
        default: false
        }
    }

    /// Every platform event (counted at the platform's hook points).
    public static let platform: [FaultEvent] = [.configRead, .configWrite, .mmioRead, .mmioWrite, .ioRead, .ioWrite,
                                                .dmaRead, .dmaWrite, .interrupt]
    /// Register and config reads.
    public static let reads: [FaultEvent] = [.configRead, .mmioRead, .ioRead]
    /// DMA in either direction.
    public static let dma: [FaultEvent] = [.dmaRead, .dmaWrite]
    /// Frames in either direction.
    public static let frames: [FaultEvent] = [.rxFrame, .txFrame]
}
