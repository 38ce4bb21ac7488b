import BoxlessPlatform
import NICCore

/// Device model of the Intel 82540EM (8086:100E, conventional PCI 32-bit/33 MHz; 8254x SDM rev 4.0)
/// and 82574L (8086:10D3, PCIe x1; 82574 GbE Controller Family Datasheet) gigabit Ethernet controllers.
///
/// Modelled: config space and BARs (`E1000ConfigSpace.swift`), the register file with datasheet names
/// (`E1000RegisterMap.swift`, `E1000Device+Registers.swift`), reset and the EEPROM (`E1000NVM.swift`),
/// the PHY over MDIC with auto-negotiation (`E1000PHYState.swift`, `E1000Device+Link.swift`),
/// interrupts — ICR/ICS/IMS/IMC, IAM/EIAC/IVAR, ITR/EITR, INTx, MSI, MSI-X — and the delay timers
/// (`E1000Device+Interrupts.swift`), receive filtering, offloads and the packet FIFO
/// (`E1000Device+Receive.swift`), receive DMA with legacy and extended descriptors
/// (`E1000Device+ReceiveDMA.swift`), transmit with legacy, context and data descriptors, checksum
/// insertion, VLAN insertion and TCP segmentation (`E1000Device+Transmit.swift`,
/// `E1000Device+TxOffload.swift`), statistics (`E1000Statistics.swift`) and strict-mode rules
/// (`E1000Device+Strict.swift`).
///
/// Timing (every parameter and its source: ``E1000ModelTiming``): DMA at the function's bus rate
/// (PCI 32/33: 133 MB/s, 240 ns read round trip, 8 bytes per transaction; PCIe 1.1 x1: 250 MB/s,
/// 1 µs read round trip, 24 bytes per 128-byte TLP); descriptors fetched 16 at a time; 1 Gb/s wire time
/// from ``EthernetPort``; ITR/EITR in 256 ns units, RDTR/RADV/TIDV/TADV in 1.024 µs units; MDIO
/// 25.6 µs per access; EERD 26 µs (Microwire) / 20 µs (SPI); auto-negotiation 1262 ms by default
/// (``autoNegotiationTime``). Everything is scheduled on the function's device lane; the clock skips
/// idle time.
public final class E1000Device: NICModel, EthernetReceiver {
    /// The modelled controller.
    public enum Chip: Sendable { case i82540EM, i82574L }

    /// The controller this instance models.
    public let chip: Chip
    /// `82540EM` or `82574L`.
    public let name: String
    /// The MAC's side of the Ethernet link, created in `attach(to:)`; connect it with `EthernetPort.connect`.
    public private(set) var port: EthernetPort!
    /// Time from PHY reset, power-on, BMCR restart or carrier coming back until the link is up
    /// (see ``E1000ModelTiming``). Changing it while a negotiation runs moves that negotiation's end.
    public var autoNegotiationTime: VirtualDuration = E1000ModelTiming.autoNegotiation {
        didSet { rescheduleNegotiation() }
    }
    /// The Ethernet address programmed into the EEPROM.
    public let macAddress: [UInt8]
    /// Frames that arrived while the receiver was disabled (RCTL.EN = 0) or the link was down. The
    /// hardware counts these nowhere; the model does, so a replay can account for them.
    public internal(set) var framesIgnoredWhileDisabled: UInt64 = 0

    /// Non-destructive snapshot of the statistics counters, names as in the manual, as totals since
    /// power-on (driver reads, which clear the registers, and CTRL.RST do not reset these). The 64-bit
    /// octet pairs appear once, without the L/H suffix (GORC, GOTC, TOR, TOT).
    public var counters: [(name: String, value: UInt64)] {
        counterNames.map { (name: $0.0, value: stats.total($0.1)) }
    }

    /// The counters of received frames the device did not store (SDM §13.7), with their reasons.
    public var dropCounters: [CounterInfo] { E1000Device.dropCounterInfo }
    static let dropCounterInfo: [CounterInfo] = [
        CounterInfo("MPC", drop: .missed), CounterInfo("ROC", drop: .oversize), CounterInfo("RUC", drop: .undersize),
        CounterInfo("RFC", drop: .undersize), CounterInfo("RJC", drop: .oversize), CounterInfo("CRCERRS", drop: .badFCS),
        CounterInfo("ALGNERRC", drop: .alignment), CounterInfo("RXERRC", drop: .receiveError),
    ]

    /// The same counters as the registers would read now (since the last read or CTRL.RST).
    public var registerCounters: [(name: String, value: UInt64)] {
        counterNames.map { (name: $0.0, value: stats.peek($0.1)) }
    }

    // MARK: state
    // The model runs on its machine's single thread and never holds overlapping accesses, so the hot
    // stored properties opt out of dynamic exclusivity checks (a measurable share of the per-frame cost).

    let kind: E1000Chip
    unowned(unsafe) var function: PCIFunction!
    /// The same function, unmanaged: per-frame paths borrow it (``onFunction(_:)``) instead of
    /// retaining and releasing it around every call.
    var unmanagedFunction: Unmanaged<PCIFunction>?
    /// The function's bus timing (set in `attach`), for DMA costs.
    var timing = BusTiming.pci33
    let registerMap: RegisterMap
    let counterNames: [(String, Int)]

    /// Plain register storage, one dword per 4 bytes of BAR0 (``registerCount`` dwords; a plain
    /// pointer, so a register access is one load or store).
    let regs: UnsafeMutablePointer<UInt32>
    static let registerCount = 0x20000 / 4
    var nvm: E1000NVM
    var phy: E1000PHYState
    let stats = E1000Statistics()

    // Interrupts.
    @exclusivity(unchecked) var icr: UInt32 = 0
    @exclusivity(unchecked) var ims: UInt32 = 0
    @exclusivity(unchecked) var lineAsserted = false
    @exclusivity(unchecked) var msixLatched: UInt32 = 0
    /// Set by anything besides ICR that ``updateInterrupts()`` reads (a register write, a config
    /// write); cleared when it runs. A cause already set in ICR then needs no new evaluation.
    @exclusivity(unchecked) var interruptInputsChanged = true
    @exclusivity(unchecked) var throttleNext = [VirtualTime](repeating: .zero, count: 6)
    @exclusivity(unchecked) var throttleEvent = [Bool](repeating: false, count: 6)
    @exclusivity(unchecked) var timers = [TimerSlot](repeating: TimerSlot(), count: 4)
    var timerActions: [() -> Void] = []
    var throttleActions: [() -> Void] = []

    // Link.
    @exclusivity(unchecked) var linkUp = false
    var negotiationEvent: EventID?
    var negotiationStart: VirtualTime = .zero
    var phyHeldInReset = false
    var mdicValue: UInt32 = E1000MDIC.R
    var mdicBusy = false
    /// Fault state (E1000Device+Faults.swift): carrier held down, auto-negotiation failing, the
    /// transmitter hung until CTRL.RST.
    var faultCarrierDown = false
    var faultAutonegFailing = false
    @exclusivity(unchecked) var txHung = false

    // Receive.
    @exclusivity(unchecked) var fifo = E1000RxFIFO(empty: E1000RxStatus())
    @exclusivity(unchecked) var rxCache: UnsafeMutableRawPointer
    @exclusivity(unchecked) var rxCacheCount = 0
    @exclusivity(unchecked) var rxCacheNext = 0
    @exclusivity(unchecked) var rxEngineFreeAt: VirtualTime = .zero
    @exclusivity(unchecked) var rxDrainScheduled = false
    @exclusivity(unchecked) var rxHalted = false
    @exclusivity(unchecked) var exactAddresses: [UInt64] = []
    var rxDrainAction: () -> Void = {}

    // Transmit.
    @exclusivity(unchecked) var txCache: UnsafeMutableRawPointer
    @exclusivity(unchecked) var txCacheCount = 0
    @exclusivity(unchecked) var txCacheNext = 0
    @exclusivity(unchecked) var txEngineFreeAt: VirtualTime = .zero
    @exclusivity(unchecked) var txRunScheduled = false
    @exclusivity(unchecked) var txHalted = false
    @exclusivity(unchecked) var txBuffer: UnsafeMutableRawPointer
    @exclusivity(unchecked) var txBufferCapacity = 64 * 1024
    @exclusivity(unchecked) var segment: UnsafeMutableRawPointer
    /// TCP segmentation (the NIC core's segmenter and its segment buffer).
    @exclusivity(unchecked) var segmenter = TCPSegmenter()
    @exclusivity(unchecked) var segmentCapacity = 40 * 1024
    @exclusivity(unchecked) var txPacket = TxPacketState()
    @exclusivity(unchecked) var txContext = TxContext()
    @exclusivity(unchecked) var txHeld = false
    var txRunAction: () -> Void = {}
    @exclusivity(unchecked) var txDescriptorsDone = false

    // I/O window.
    var ioAddress: UInt32 = 0

    /// Creates a controller with `macAddress` in its EEPROM.
    public init(chip: Chip, macAddress: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]) {
        precondition(macAddress.count == 6, "a MAC address has 6 bytes")
        self.chip = chip
        kind = chip == .i82540EM ? .i82540EM : .i82574L
        name = chip == .i82540EM ? "82540EM" : "82574L"
        self.macAddress = macAddress
        registerMap = E1000RegisterMap.map(for: kind)
        counterNames = E1000Statistics.names(for: kind)
        nvm = E1000NVM(chip: kind, mac: macAddress, deviceID: E1000PCIIdentity.identity(for: kind).deviceID)
        phy = E1000PHYState(chip: kind)
        regs = .allocate(capacity: Self.registerCount)
        regs.initialize(repeating: 0, count: Self.registerCount)
        rxCache = .allocate(byteCount: 16 * E1000ModelTiming.descriptorFetchBatch, alignment: 16)
        txCache = .allocate(byteCount: 16 * E1000ModelTiming.descriptorFetchBatch, alignment: 16)
        txBuffer = .allocate(byteCount: txBufferCapacity, alignment: 16)
        segment = .allocate(byteCount: 40 * 1024, alignment: 16)
    }

    deinit {
        fifo.deallocate()
        regs.deallocate()
        rxCache.deallocate(); txCache.deallocate(); txBuffer.deallocate(); segment.deallocate(); segmenter.deallocate()
    }

    // MARK: PCIDeviceModel

    public func buildConfigSpace() -> ConfigSpaceBuilder {
        E1000ConfigSpace.build(kind, registers: registerMap, mac: macAddress)
    }

    public func attach(to function: PCIFunction) {
        self.function = function
        unmanagedFunction = .passUnretained(function)
        function.timing = kind == .i82540EM ? .pci33 : .pcie1x1
        timing = function.timing
        port = EthernetPort(name: "\(name)@\(function.address)", function: function)
        port.receiver = self
        // The function (and so its scheduler, which holds these) never outlives the model it owns.
        let me = Unmanaged.passUnretained(self)   // borrowed in the per-frame action: no retain
        rxDrainAction = { me._withUnsafeGuaranteedRef { $0.rxDrainScheduled = false; $0.rxDrain() } }
        txRunAction = { [unowned(unsafe) self] in self.txRunScheduled = false; self.txRun() }
        timerActions = (0..<4).map { i in { [unowned(unsafe) self] in self.timerFired(i) } }
        throttleActions = (0..<6).map { i in { [unowned(unsafe) self] in self.throttleEvent[i] = false; self.updateInterrupts() } }
    }

    /// Power-on / Function Level Reset: MAC and PHY to their defaults, counters to zero, and a new
    /// auto-negotiation.
    public func reset() {
        stats.powerOn()
        macReset()
        phy.powerOn()
        phyHeldInReset = false
        startNegotiation()
    }

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        switch bar {
        case 0:
            if width == .qword {
                return UInt64(readRegister(UInt32(offset))) | UInt64(readRegister(UInt32(offset) + 4)) << 32
            }
            return UInt64(readRegister(UInt32(offset)))
        case ioBAR: return UInt64(readIO(offset))
        default: return width.mask   // Flash window: erased
        }
    }

    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        switch bar {
        case 0:
            writeRegister(UInt32(offset), UInt32(truncatingIfNeeded: value))
            if width == .qword { writeRegister(UInt32(offset) + 4, UInt32(truncatingIfNeeded: value >> 32)) }
        case ioBAR: writeIO(offset, UInt32(truncatingIfNeeded: value))
        default: break
        }
    }

    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) {
        interruptInputsChanged = true
        // MSI/MSI-X enable or Interrupt Disable may have changed the delivery mechanism.
        updateInterrupts()
        if offset <= ConfigHeader.command && offset + width.bytes > ConfigHeader.command { kickEngines() }
    }

    /// Runs `body` with the function borrowed (it owns the model, so it is alive while the model runs).
    @inline(__always) func onFunction<R>(_ body: (PCIFunction) -> R) -> R {
        unmanagedFunction.unsafelyUnwrapped._withUnsafeGuaranteedRef(body)
    }

    /// BAR index of the I/O window.
    var ioBAR: Int { E1000ConfigSpace.ioBAR(kind) }

    // MARK: EthernetReceiver

    public func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { receive(frame, fcsValid: fcsValid) }

    public func carrierChanged(_ up: Bool) {
        if up && !faultCarrierDown { startNegotiation() } else { linkLost() }
    }
}
