import BoxlessPlatform
import NICCore

/// Device model of the Realtek RTL8139C (10EC:8139 rev 10h, C mode) and RTL8139C+ (rev 20h, C and
/// C+ mode) Fast Ethernet controllers (RTL8139C(L) and RTL8139C(L)+ datasheets; Linux's 8139too
/// and 8139cp and QEMU's hw/net/rtl8139.c as sources of facts, Definitions/FACTS.md).
///
/// Modelled: config space and BARs (`RTL8139ConfigSpace.swift`), the 256-byte register file behind
/// both BARs (`RTL8139Device+Registers.swift`), the 93C46 EEPROM bit-banged through 9346CR and the
/// CONFIG write lock (`RTL8139EEPROM.swift`), the internal PHY on the NIC core's `MIIPHY` with
/// auto-negotiation and link change (`RTL8139PHY.swift`, `RTL8139Device+Link.swift`), ISR/IMR,
/// INTx, IntrMitigate, TCTR/TimerInt (`RTL8139Device+Interrupts.swift`), receive filtering, the
/// NIC core's `RxFIFO`, early-receive status, the C-mode ring buffer and the C+ descriptor ring
/// with checksum and VLAN offload (`RTL8139Device+Receive.swift`), transmit through the four C-mode
/// slots with their early-transmit threshold and the C+ high- and normal-priority rings with
/// checksum, VLAN and large send on the NIC core's offload pieces, TCR loopback
/// (`RTL8139Device+Transmit.swift`), the fault layer's hooks and state faults
/// (`RTL8139Device+Faults.swift`), MPC and the tally counters with their DMA dump
/// (`RTL8139Statistics.swift`) and strict-mode rules (`RTL8139StrictRules.swift`).
///
/// Timing (every parameter and its source: `TIMING.md` and ``RTL8139ModelTiming``): PCI 32-bit/33 MHz
/// DMA, 100 Mb/s wire from ``EthernetPort``, TCTR at the 33 MHz PCI clock, auto-negotiation
/// ``autoNegotiationTime``.
public final class RTL8139Device: NICModel, EthernetReceiver {
    /// The part this instance models.
    public let chip: RTL8139Chip
    /// `RTL8139C` or `RTL8139C+`.
    public let name: String
    /// The MAC's side of the link, created in `attach(to:)`; connect it with `EthernetPort.connect`.
    public private(set) var port: EthernetPort!
    /// The station address in the EEPROM.
    public let macAddress: [UInt8]
    /// Time from PHY reset, power-on, BMCR restart or carrier coming back until the link is up.
    public var autoNegotiationTime: VirtualDuration = RTL8139ModelTiming.autoNegotiation

    /// MPC, the tally counters, and RUNT/CRC/LONG drops by name, as totals since power-on.
    public var counters: [(name: String, value: UInt64)] { stats.named }
    /// MPC (missed: FIFO full), RUNT (undersize), CRC (bad FCS), LONG (oversize).
    public var dropCounters: [CounterInfo] { RTL8139Statistics.dropCounters }
    /// Frames that arrived while CR.RE was clear or the link down (counted by no register).
    public var framesIgnoredWhileDisabled: UInt64 { stats.ignored }

    // MARK: state

    unowned(unsafe) var function: PCIFunction!
    var timing = RTL8139ModelTiming.pci
    var eeprom: RTL8139EEPROM
    var stats = RTL8139Statistics()

    // Register file (names as RTL8139Register). 10h–2Fh hold TSD/TSAD in C mode and DTCCR,
    // TNPDS, THPDS in C+ mode: one storage, two meanings, as on the chip.
    var idr = [UInt8](repeating: 0, count: 6)
    var mar = [UInt8](repeating: 0, count: 8)
    var tsd = [UInt32](repeating: 0, count: 4)
    var tsad = [UInt32](repeating: 0, count: 4)
    var rbstart: UInt32 = 0
    var cr: UInt8 = 0
    var imr: UInt16 = 0
    var isr: UInt16 = 0
    var tcr: UInt32 = 0
    var rcr: UInt32 = 0
    var tctrBase: VirtualTime = .zero
    var timerInt: UInt32 = 0
    var timerEvent: EventID?
    var cr9346: UInt8 = 0
    var config = [UInt8](repeating: 0, count: 6)   // CONFIG0…CONFIG5 (index 2 unused)
    var mulint: UInt16 = 0
    var cpcmd: UInt16 = 0
    var intrMitigate: UInt16 = 0
    var rxRingAddr: UInt64 = 0
    var etthr: UInt8 = 0
    /// Bytes without behaviour (DIS, FCSC, NWAYTR, REC, CSCR, PARM, wake-up, FLASH, …).
    var raw = [UInt8](repeating: 0, count: RTL8139Register.size)

    // Link and PHY: the NIC core's clause 22 PHY (BMCR, BMSR with its latch-low link bit, ANAR,
    // ANLPAR, ANER), its link driven here with the scheduler.
    var phy = MIIPHY(identity: .rtl8139, vendor: RTL8139PHYVendor())
    /// The PHY register an access is reading (one MII read per access, so BMSR's latch clears once).
    var miiRead: (index: Int, value: UInt16) = (-1, 0)
    var negotiationEvent: EventID?
    /// Fault layer: the partner is held down, or auto-negotiation fails, until cleared.
    var faultCarrierDown = false
    var faultAutonegFailing = false
    var faultFlapsLeft = 0
    var faultFlapPeriod = VirtualDuration.zero

    // Receive.
    /// The on-chip receive FIFO (frames with their CRC, and the MAC's status for each).
    @exclusivity(unchecked) var fifo = RxFIFO(storageSize: RTL8139ModelTiming.fifoStorageBytes, entryCapacity: 64, empty: RTL8139RxStatus())
    /// C-mode write offset (CBR) and the driver's read offset (CAPR + 16), both modulo the ring.
    @exclusivity(unchecked) var cbr: UInt32 = 0
    @exclusivity(unchecked) var readOffset: UInt32 = 0
    @exclusivity(unchecked) var rxEngineBusy = false
    var rxOverflowReported = false
    /// C+ receive descriptor index.
    @exclusivity(unchecked) var rxIndex = 0
    /// Early receive (§5 ERBCR, §5.5 ERSR): bytes of the last packet and its early status.
    var erbcr: UInt16 = 0
    var ersr: UInt8 = 0
    /// What the receive DMA in progress writes back when it ends: the C-mode header and CBR, or
    /// the C+ descriptors (capacity reserved once).
    @exclusivity(unchecked) var rxHeaderPending: (address: BusAddress, value: UInt32, cbr: UInt32)?
    @exclusivity(unchecked) var rxWritebacks: [RTL8139Writeback] = []
    @exclusivity(unchecked) var rxPlan: [(index: Int, address: UInt64, size: Int, eor: Bool)] = []
    var rxDoneAction: () -> Void = {}

    // Transmit.
    /// C mode: the next slot the chip sends, and which slots were handed over and not finished.
    @exclusivity(unchecked) var txNextSlot = 0
    @exclusivity(unchecked) var txSlotPending = [Bool](repeating: false, count: 4)
    /// Slots the chip owns: from the TSD write until TOK/TABT (strict: not to be rewritten).
    @exclusivity(unchecked) var txSlotOwned = [Bool](repeating: false, count: 4)
    /// The slot being loaded, its DMA status, and slots on the wire waiting for TOK, in order.
    @exclusivity(unchecked) var txSlotLoading = 0
    @exclusivity(unchecked) var txSlotLoadOK = true
    @exclusivity(unchecked) var txSlotWire: (slots: [Int], head: Int, count: Int) = ([0, 0, 0, 0], 0, 0)
    @exclusivity(unchecked) var txEngineBusy = false
    /// The transmitter hung (fault layer): nothing more is sent until CR.RST.
    @exclusivity(unchecked) var txHung = false
    /// C+ descriptor indexes of the normal- and high-priority rings, and the queues polled.
    @exclusivity(unchecked) var txIndex = 0
    @exclusivity(unchecked) var txHighIndex = 0
    @exclusivity(unchecked) var npqPending = false
    @exclusivity(unchecked) var hpqPending = false
    /// The chain being sent: its descriptors (capacity reserved once), its queue, its length.
    @exclusivity(unchecked) var txChain: [RTL8139TxFetched] = []
    @exclusivity(unchecked) var txChainHigh = false
    @exclusivity(unchecked) var txChainLength = 0
    /// The frame being sent (``txHeadroom`` bytes before it for a VLAN tag), grown once to the
    /// largest frame and kept.
    @exclusivity(unchecked) var txBuffer: UnsafeMutableRawPointer
    @exclusivity(unchecked) var txBufferCapacity: Int
    @exclusivity(unchecked) var segmenter = TCPSegmenter()
    var slotStartAction: () -> Void = {}
    var slotLoadedAction: () -> Void = {}
    var slotDoneAction: () -> Void = {}
    var cplusSendAction: () -> Void = {}
    var transmitOKAction: () -> Void = {}

    // IntrMitigate (RTL8139Device+Interrupts.swift).
    var rxMitigation = RTL8139Mitigation()
    var txMitigation = RTL8139Mitigation()
    var rxMitigationAction: () -> Void = {}
    var txMitigationAction: () -> Void = {}

    /// Bytes kept before a transmit frame for a VLAN tag inserted in place.
    static let txHeadroom = EthernetFrame.vlanTagBytes

    /// Creates a controller with `macAddress` in its EEPROM.
    public init(chip: RTL8139Chip, macAddress: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]) {
        precondition(macAddress.count == 6, "a MAC address has 6 bytes")
        self.chip = chip
        name = chip.name
        self.macAddress = macAddress
        eeprom = RTL8139EEPROM(mac: macAddress, chip: chip)
        txBufferCapacity = 2048
        txBuffer = .allocate(byteCount: txBufferCapacity, alignment: 16)
        rxWritebacks.reserveCapacity(RTL8139Descriptor.maximumRingCount)
        rxPlan.reserveCapacity(RTL8139Descriptor.maximumRingCount)
        txChain.reserveCapacity(RTL8139Descriptor.maximumRingCount)
    }

    deinit {
        fifo.deallocate()
        txBuffer.deallocate()
        segmenter.deallocate()
    }

    // MARK: PCIDeviceModel

    public func buildConfigSpace() -> ConfigSpaceBuilder { RTL8139ConfigSpace.build(chip) }

    public func attach(to function: PCIFunction) {
        self.function = function
        function.timing = .pci33
        timing.bus = function.timing
        port = EthernetPort(name: "\(name)@\(function.address)", function: function, timing: .fastEthernet)
        port.receiver = self
        // Event actions built once: scheduling them allocates nothing per frame.
        rxDoneAction = { [unowned(unsafe) self] in self.receiveDMADone() }
        slotStartAction = { [unowned(unsafe) self] in self.slotStartOnWire() }
        slotLoadedAction = { [unowned(unsafe) self] in self.slotLoaded() }
        slotDoneAction = { [unowned(unsafe) self] in self.slotLeftWire() }
        cplusSendAction = { [unowned(unsafe) self] in self.cplusSendChain() }
        transmitOKAction = { [unowned(unsafe) self] in self.signalCompletion(RTL8139Interrupt.TOK) }
        rxMitigationAction = { [unowned(unsafe) self] in self.mitigationTimerFired(receive: true) }
        txMitigationAction = { [unowned(unsafe) self] in self.mitigationTimerFired(receive: false) }
    }

    /// Power-on: registers to their defaults, the EEPROM auto-loaded, counters zero, and a new
    /// auto-negotiation.
    public func reset() {
        stats = RTL8139Statistics()
        softwareReset()
        idr = eeprom.stationAddress
        mar = [UInt8](repeating: 0, count: 8)
        cr9346 = 0
        config = [0, RTL8139CONFIG1.IOMAP | RTL8139CONFIG1.MEMMAP, 0, RTL8139CONFIG3.FBtBEn, 0, 0]
        raw = [UInt8](repeating: 0, count: RTL8139Register.size)
        phy.powerOn()
        faultCarrierDown = false; faultAutonegFailing = false; faultFlapsLeft = 0
        tctrBase = function.now
        timerInt = 0
        rescheduleTimer()
        startNegotiation()
    }

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        miiRead.index = -1
        var v: UInt64 = 0
        for i in 0..<width.bytes { v |= UInt64(readByte(UInt32(offset) + UInt32(i))) << (8 * UInt64(i)) }
        return v
    }

    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        writeRegisters(UInt32(offset), width.bytes, value)
    }

    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) {
        updateInterrupt()
        if offset <= ConfigHeader.command && offset + width.bytes > ConfigHeader.command {
            receiveKick(); transmitKick()
        }
    }

    // MARK: EthernetReceiver

    public func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { receive(frame, fcsValid: fcsValid) }

    public func carrierChanged(_ up: Bool) {
        if up { startNegotiation() } else { setLink(false) }
    }

    // MARK: modes

    /// C+ transmit: CpCmd.TxEnb on a C+ part (C+ datasheet §6 C+CR).
    var cplusTransmit: Bool { chip.hasCPlus && cpcmd & RTL8139CpCmd.TxEnb != 0 }
    /// C+ receive: CpCmd.RxEnb on a C+ part.
    var cplusReceive: Bool { chip.hasCPlus && cpcmd & RTL8139CpCmd.RxEnb != 0 }
    /// Whether 10h–2Fh mean DTCCR/TNPDS/THPDS.
    var cplusRegisters: Bool { cplusTransmit || cplusReceive }

    /// DTCCR (over TSD0–1).
    var dtccr: UInt64 { UInt64(tsd[0]) | UInt64(tsd[1]) << 32 }
    /// TNPDS (over TSAD0–1).
    var tnpds: UInt64 { UInt64(tsad[0]) | UInt64(tsad[1]) << 32 }
    /// THPDS (over TSAD2–3).
    var thpds: UInt64 { UInt64(tsad[2]) | UInt64(tsad[3]) << 32 }
    /// Link up (the PHY's state; BMSR shows it latched low until read).
    var linkUp: Bool { phy.state.linkUp }

    /// Reports a strict-mode breach of `rule` with `detail`.
    func breach(_ rule: RTL8139Rule, _ detail: String) {
        guard function.strict else { return }
        function.strictFinding(rule, detail)
    }
}

/// `0x…` for messages.
func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }
