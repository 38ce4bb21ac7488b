import BoxlessPlatform

/// Where a fault acts.
public enum FaultLayer: String, Sendable {
    /// The bus: config and register accesses, DMA, interrupts (the platform's hooks).
    case platform
    /// A NIC's MAC and PHY (the model's ``DeviceFaultHooks`` and ``DeviceStateFaultTarget``).
    case nic
    /// The wire between a traffic source and a NIC (``LinkImpairment``, netem's vocabulary).
    case link
    /// A disk behind a storage controller.
    case disk
    /// A device that answers with hostile values.
    case hostile
}

/// Every fault a plan can inject (`inject: KIND`). The raw value is the plan name.
///
/// A fault either acts on the event that fired it (an *event fault*: the read, the transfer, the
/// frame, the command) or changes the device's state at the moment it fires (a *state fault*: a
/// surprise removal, a link going down, a power loss). Event faults fired by `at:` hit the first
/// fitting event at or after that time; with `duration:` every fitting event in that window.
public enum FaultKind: String, CaseIterable, Sendable, CustomStringConvertible {
    // MARK: platform
    /// A register or config read returns all ones without reaching the device.
    case allOnes = "all-ones"
    /// The function vanishes for good: every read all ones, writes dropped, DMA aborted, interrupts lost.
    case surpriseRemoval = "surprise-removal"
    /// A DMA transfer ends in a master abort (Status.Received Master Abort set; reads see all ones).
    case masterAbort = "master-abort"
    /// A DMA transfer reports success but moves nothing.
    case dmaDrop = "dma-drop"
    /// `bits` seeded bits of the DMA payload are flipped in flight.
    case bitFlip = "bit-flip"
    /// An interrupt is lost.
    case irqDrop = "irq-drop"
    /// An interrupt arrives `delay` (± `jitter`) late.
    case irqDelay = "irq-delay"
    /// An interrupt arrives twice.
    case irqDuplicate = "irq-duplicate"
    /// An interrupt arrives that the device never raised (MSI-X entry `vector`, MSI, or INTx).
    case irqSpurious = "irq-spurious"
    /// MSI-X messages stay pending as if masked for `duration`, then are sent.
    case msixStuckMasked = "msix-stuck-masked"
    /// Command.Bus Master Enable clears behind the driver's back; DMA master-aborts until it is set again.
    case busMasterOff = "bus-master-off"
    // MARK: NIC
    /// The link partner drops carrier; it comes back after `duration` (if given).
    case linkDown = "link-down"
    /// The link goes down and up `count` times, each state lasting `period`.
    case linkFlap = "link-flap"
    /// Auto-negotiation fails for `duration` (if given).
    case autonegFail = "autoneg-fail"
    /// A received frame has a bad FCS.
    case fcsError = "fcs-error"
    /// A received frame is cut below 64 bytes.
    case runt
    /// A received frame runs past the maximum length.
    case jabber
    /// A received frame is missed: the receive FIFO overflowed.
    case rxFifoOverflow = "rx-fifo-overflow"
    /// The transmitter stops until the driver resets the device.
    case txHang = "tx-hang"
    /// A descriptor write-back happens `delay` (± `jitter`) late.
    case writebackDelay = "writeback-delay"
    // MARK: link (netem)
    /// Frames are lost: each fired frame (random loss: the trigger's `probability`), or per a
    /// Gilbert–Elliott channel (`model: gilbert-elliott`, `p`, `r`, `loss-bad`, `loss-good`).
    case loss
    /// Frames are delayed by `delay` ± `jitter` (uniform), keeping their order.
    case delay
    /// Frames are sent twice.
    case duplicate
    /// Frames are held back by `delay` so that later frames overtake them.
    case reorder
    /// One seeded bit of the frame is flipped (FCS recomputed, as netem corrupts before the MAC).
    case corrupt
    /// The link carries at most `rate` bits per second (frames queue behind each other).
    case rate
    // MARK: disk
    /// Reads of `lba` fail with an uncorrectable error (UNC); an event fault fails the command itself.
    case mediaError = "media-error"
    /// A command never completes.
    case commandTimeout = "command-timeout"
    /// A command fails with an interface CRC error (ICRC; PxSERR.ERR.C and DIAG.C).
    case interfaceCRC = "interface-crc"
    /// The SATA PHY loses PhyRdy for `duration`, then retrains.
    case phyNotReady = "phy-not-ready"
    /// Power is cut and restored: the volatile write cache is lost.
    case powerLoss = "power-loss"
    /// A command completes `delay` late.
    case latencyOutlier = "latency-outlier"
    // MARK: hostile device
    /// A register or config read returns a seeded random value.
    case randomRead = "random-read"
    /// A descriptor is written back with a hostile `field` (length, index or status), `value` or seeded.
    case badWriteback = "bad-writeback"

    /// The plan name.
    public var description: String { rawValue }

    /// Where the fault acts.
    public var layer: FaultLayer {
        switch self {
        case .allOnes, .surpriseRemoval, .masterAbort, .dmaDrop, .bitFlip, .irqDrop, .irqDelay, .irqDuplicate,
             .irqSpurious, .msixStuckMasked, .busMasterOff: .platform
        case .linkDown, .linkFlap, .autonegFail, .fcsError, .runt, .jabber, .rxFifoOverflow, .txHang, .writebackDelay: .nic
        case .loss, .delay, .duplicate, .reorder, .corrupt, .rate: .link
        case .mediaError, .commandTimeout, .interfaceCRC, .phyNotReady, .powerLoss, .latencyOutlier: .disk
        case .randomRead, .badWriteback: .hostile
        }
    }

    /// The events this fault can act on (or, for a state fault, be fired by).
    public var events: [FaultEvent] {
        switch self {
        case .allOnes, .randomRead: FaultEvent.reads
        case .surpriseRemoval, .busMasterOff, .irqSpurious: FaultEvent.platform
        case .masterAbort, .dmaDrop, .bitFlip: FaultEvent.dma
        case .irqDrop, .irqDelay, .irqDuplicate, .msixStuckMasked: [.interrupt]
        case .linkDown, .linkFlap, .autonegFail: FaultEvent.frames
        case .fcsError, .runt, .jabber, .rxFifoOverflow: [.rxFrame]
        case .txHang: [.txFrame]
        case .writebackDelay, .badWriteback: [.writeback]
        case .loss, .delay, .duplicate, .reorder, .corrupt, .rate: FaultEvent.frames
        case .mediaError, .commandTimeout, .interfaceCRC, .phyNotReady, .powerLoss, .latencyOutlier: [.diskCommand]
        }
    }

    /// Whether the fault changes device state when it fires (rather than acting on the event).
    public var isStateFault: Bool {
        switch self {
        case .surpriseRemoval, .busMasterOff, .irqSpurious, .linkDown, .linkFlap, .autonegFail, .phyNotReady, .powerLoss: true
        default: false
        }
    }

    /// The parameters (plan keys besides `when`, `inject`, `set-state`, `recover-within`) it takes.
    public var parameters: [FaultParameterKey] {
        switch self {
        case .allOnes, .masterAbort, .dmaDrop, .irqDrop, .irqDuplicate, .fcsError, .runt, .jabber, .rxFifoOverflow,
             .duplicate, .corrupt, .commandTimeout, .interfaceCRC, .randomRead: [.duration]
        case .surpriseRemoval, .busMasterOff, .powerLoss, .txHang: []
        case .bitFlip: [.duration, .bits]
        case .irqDelay, .writebackDelay, .delay: [.duration, .delay, .jitter]
        case .irqSpurious: [.vector]
        case .msixStuckMasked: [.duration, .vector]
        case .linkDown, .autonegFail, .phyNotReady: [.duration]
        case .linkFlap: [.count, .period]
        case .loss: [.duration, .model, .p, .r, .lossBad, .lossGood]
        case .reorder, .latencyOutlier: [.duration, .delay]
        case .rate: [.duration, .rate]
        case .mediaError: [.lba, .healedByWrite]
        case .badWriteback: [.duration, .field, .value]
        }
    }

    /// The virtual time within which a correct driver has the device working again after this
    /// fault (a plan's `recover-within:` overrides it); nil for faults with no recovery to expect
    /// (a removal, hostile values, losses the checks account to the fault).
    public var defaultRecoverWithin: VirtualDuration? {
        switch self {
        // e1000's watchdog notices a link change within 2 s; retraining and auto-negotiation add ~1 s.
        case .linkDown, .linkFlap, .autonegFail: .seconds(3)
        // A transmit hang is detected by a driver's watchdog (Linux e1000: 2 s tx timeout) and reset.
        case .txHang: .seconds(5)
        // A lost or late interrupt: the work waits for the driver's watchdog, which runs every 2 s
        // in Linux's e1000/e1000e (e1000_watchdog raises ICS.RXDMT0 "to ensure rx ring is cleaned").
        case .irqDrop, .irqDelay, .msixStuckMasked: .seconds(3)
        // A lost DMA or bus mastering, a late write-back: the next frame or poll moves things again.
        case .busMasterOff, .dmaDrop, .masterAbort, .writebackDelay: .seconds(1)
        // Linux libata's command timeout is 30 s; error handling resets the port after it.
        case .commandTimeout: .seconds(35)
        // COMRESET and retraining, then the command is retried.
        case .phyNotReady, .interfaceCRC, .powerLoss: .seconds(10)
        default: nil
        }
    }
}

/// A parameter key of a plan entry (besides `when`, `inject`, `set-state`, `recover-within`).
public enum FaultParameterKey: String, CaseIterable, Sendable {
    /// How long the fault lasts (a window for event faults; link/PHY down time for state faults).
    case duration
    /// Sectors, `A-B` inclusive or one LBA.
    case lba
    /// Whether a write to a bad sector repairs it (default false).
    case healedByWrite = "healed-by-write"
    /// Added latency.
    case delay
    /// Uniform jitter around `delay`.
    case jitter
    /// Number of bits flipped (default 1).
    case bits
    /// Interrupt vector (MSI-X table entry).
    case vector
    /// Number of flaps (default 3).
    case count
    /// Duration of each flap state (default 1ms).
    case period
    /// Loss model: `random` (default) or `gilbert-elliott`.
    case model
    /// Gilbert–Elliott: probability of moving from the good to the bad state, per frame.
    case p
    /// Gilbert–Elliott: probability of moving from the bad to the good state, per frame.
    case r
    /// Gilbert–Elliott: loss probability in the bad state (netem's 1-h; default 1).
    case lossBad = "loss-bad"
    /// Gilbert–Elliott: loss probability in the good state (netem's 1-k; default 0).
    case lossGood = "loss-good"
    /// Link rate, e.g. `10Mbit`, `1Gbit`, `500kbit`, or bits per second.
    case rate
    /// Bad write-back field: `length` (default), `index` or `status`.
    case field
    /// Bad write-back value (default: seeded).
    case value
}
