import BoxlessPlatform
import NICCore

/// Device model of the Realtek RTL8139C (10EC:8139 rev 10h, C mode) and RTL8139C+ (rev 20h, C and
/// C+ mode) Fast Ethernet controllers (RTL8139C(L) and RTL8139C(L)+ datasheets; Linux's 8139too
/// and 8139cp and QEMU's hw/net/rtl8139.c as sources of facts, Definitions/FACTS.md).
///
/// Modelled: config space and BARs (`RTL8139ConfigSpace.swift`), the 256-byte register file behind
/// both BARs (`RTL8139Device+Registers.swift`), the 93C46 EEPROM bit-banged through 9346CR and the
/// CONFIG write lock (`RTL8139EEPROM.swift`), the internal PHY's MII registers with
/// auto-negotiation and link change (`RTL8139Device+Link.swift`), ISR/IMR, INTx, TCTR/TimerInt
/// (`RTL8139Device+Interrupts.swift`), receive filtering, the receive FIFO, the C-mode ring buffer
/// and the C+ descriptor ring with checksum and VLAN offload (`RTL8139Device+Receive.swift`),
/// transmit through the four C-mode slots and the C+ normal-priority ring with checksum, VLAN and
/// large send (`RTL8139Device+Transmit.swift`), MPC and the tally counters with their DMA dump
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
    /// Bytes without behaviour (ERBCR, ERSR, DIS, FCSC, NWAYTR, REC, CSCR, PARM, wake-up, FLASH, …).
    var raw = [UInt8](repeating: 0, count: RTL8139Register.size)

    // Link and PHY (BMCR, ANAR; BMSR/ANLPAR/ANER derive from the negotiation).
    var bmcr: UInt16 = 0
    var anar: UInt16 = RTL8139MII.ANAR_default
    var linkUp = false
    var negotiated = false
    var negotiationEvent: EventID?

    // Receive.
    /// Frames waiting in the receive FIFO (bytes without FCS, and their header status).
    var rxFIFO: [(bytes: [UInt8], status: UInt16)] = []
    var rxFIFOBytes = 0
    /// C-mode write offset (CBR) and the driver's read offset (CAPR + 16), both modulo the ring.
    var cbr: UInt32 = 0
    var readOffset: UInt32 = 0
    var rxEngineBusy = false
    var rxOverflowReported = false
    /// C+ receive descriptor index.
    var rxIndex = 0

    // Transmit.
    /// C mode: the next slot the chip sends, and which slots were handed over and not finished.
    var txNextSlot = 0
    var txSlotPending = [Bool](repeating: false, count: 4)
    /// Slots the chip owns: from the TSD write until TOK/TABT (strict: not to be rewritten).
    var txSlotOwned = [Bool](repeating: false, count: 4)
    var txEngineBusy = false
    var txEngineFreeAt: VirtualTime = .zero
    /// C+ normal-priority descriptor index.
    var txIndex = 0
    var txPollPending = false

    /// Creates a controller with `macAddress` in its EEPROM.
    public init(chip: RTL8139Chip, macAddress: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]) {
        precondition(macAddress.count == 6, "a MAC address has 6 bytes")
        self.chip = chip
        name = chip.name
        self.macAddress = macAddress
        eeprom = RTL8139EEPROM(mac: macAddress, chip: chip)
    }

    // MARK: PCIDeviceModel

    public func buildConfigSpace() -> ConfigSpaceBuilder { RTL8139ConfigSpace.build(chip) }

    public func attach(to function: PCIFunction) {
        self.function = function
        function.timing = .pci33
        timing.bus = function.timing
        port = EthernetPort(name: "\(name)@\(function.address)", function: function, timing: .fastEthernet)
        port.receiver = self
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
        bmcr = RTL8139MII.BMCR_ANE | RTL8139MII.BMCR_Spd_Set | RTL8139MII.BMCR_Duplex_Mode
        anar = RTL8139MII.ANAR_default
        tctrBase = function.now
        timerInt = 0
        rescheduleTimer()
        startNegotiation()
    }

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
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

    /// Reports a strict-mode breach of `rule` with `detail`.
    func breach(_ rule: RTL8139Rule, _ detail: String) {
        guard function.strict else { return }
        function.strictFinding(rule, detail)
    }
}

/// `0x…` for messages.
func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }
