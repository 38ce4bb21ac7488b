import BoxlessPlatform

/// Device model of the Realtek RTL8111C/RTL8168C PCIe gigabit Ethernet controller (10EC:8168;
/// Linux r8169 RTL_GIGA_MAC_VER_22), from the RTL8111C/8168C datasheet ("DS") and the facts Linux's
/// r8169 relies on (Definitions/FACTS.md).
///
/// Modelled: config space with its capabilities (`RTL8168ConfigSpace.swift`); the register file in
/// both BAR0 (I/O) and BAR2 (memory) with the 9346CR lock (`RTL8168Device+Registers.swift`);
/// interrupts — ISR/IMR, IntrMitigate, the TCTR/TimerInt timer, INTx, MSI and MSI-X vector 0
/// (`RTL8168Device+Interrupts.swift`); PHYAR access to the RTL8211B PHY with its pages, PHYstatus
/// and auto-negotiation (`RTL8211BPHY.swift`, `RTL8168Device+Link.swift`); CSI access to config space;
/// receive filtering, checksum and VLAN offload, frames spanning descriptors, the receive FIFO
/// (`RTL8168Device+Receive.swift`); transmit with v2 checksum offload, VLAN insertion and giant send
/// (`RTL8168Device+Transmit.swift`); the tally counter dump (`RTL8168Device+Tally.swift`); strict
/// rules (``RTL8168Rule``).
///
/// Timing (every parameter and its source: ``RTL8168ModelTiming``, TIMING.md).
public final class RTL8168Device: PCIDeviceModel, EthernetReceiver {
    /// The revision modelled.
    public let chip: RTL8168ChipVersion
    /// `RTL8168C/8111C`.
    public var name: String { chip.name }
    /// The station address loaded into IDR0–5 at power-on (from the chip's EEPROM/eFuse).
    public let macAddress: [UInt8]
    /// The MAC's side of the Ethernet link, created in `attach(to:)`.
    public private(set) var port: EthernetPort!
    /// Time from PHY reset, restart or carrier until the link is up (``RTL8168ModelTiming/autoNegotiation``).
    public var autoNegotiationTime: VirtualDuration = RTL8168ModelTiming.autoNegotiation

    /// The tally counters (totals since power-on or DTCCR.Reset).
    public internal(set) var tally = RTL8168TallyCounters()
    /// Frames not delivered, by reason (never cleared).
    public internal(set) var drops = [UInt64](repeating: 0, count: RTL8168DropReason.allCases.count)

    /// The tally counters by datasheet name, in dump order.
    public var counters: [(name: String, value: UInt64)] {
        RTL8168TallyCounters.fields.enumerated().map { (name: $0.element.name, value: tally.values[$0.offset]) }
    }
    /// Drops by reason, in a fixed order.
    public var dropCounters: [(reason: RTL8168DropReason, value: UInt64)] {
        RTL8168DropReason.allCases.enumerated().map { (reason: $0.element, value: drops[$0.offset]) }
    }

    // MARK: state

    unowned(unsafe) var function: PCIFunction!
    let registerMap = RTL8168RegisterMap.map
    /// The 256-byte register file (plain storage for registers without side effects).
    var regs = [UInt8](repeating: 0, count: 256)
    var phy: RTL8211BPHY

    // Interrupts.
    var isr: UInt16 = 0
    var imr: UInt16 = 0
    var interruptLevel = false
    var timerBase: VirtualTime = .zero
    var timerEvent: EventID?
    var rxMitigation = Mitigation()
    var txMitigation = Mitigation()

    // Link and management.
    var negotiationEvent: EventID?
    var carrier = true
    var phyBusy = false
    var csiBusy = false
    var tallyBusy = false
    var resetting = false

    // Receive.
    var rxIndex = 0
    var rxFIFO: [(frame: [UInt8], fcsValid: Bool)] = []
    var rxFIFOBytes = 0
    var rxScheduled = false
    var rxEngineFreeAt: VirtualTime = .zero
    var rxMaxSizeReported = false

    // Transmit.
    var txIndex = 0
    var txScheduled = false
    var txPolling = false

    /// Interrupt mitigation state of one direction (IntrMitigate).
    struct Mitigation {
        var pendingFrames = 0
        var timer: EventID?
    }

    /// Creates a chip with `macAddress` in its EEPROM.
    public init(chip: RTL8168ChipVersion = .rtl8168c, macAddress: [UInt8] = [0x00, 0xE0, 0x4C, 0x68, 0x00, 0x01]) {
        precondition(macAddress.count == 6, "a MAC address has 6 bytes")
        self.chip = chip
        self.macAddress = macAddress
        phy = RTL8211BPHY(identifier: chip.phyIdentifier)
    }

    // MARK: PCIDeviceModel

    public func buildConfigSpace() -> ConfigSpaceBuilder { RTL8168ConfigSpace.build(chip, registers: registerMap) }

    public func attach(to function: PCIFunction) {
        self.function = function
        function.timing = RTL8168ModelTiming.bus
        port = EthernetPort(name: "\(name)@\(function.address)", function: function, timing: RTL8168ModelTiming.wire)
        port.receiver = self
    }

    /// Power-on: registers to defaults, IDR from the EEPROM, counters cleared, PHY reset and a new
    /// auto-negotiation.
    public func reset() {
        tally.clear()
        regs = [UInt8](repeating: 0, count: 256)
        for i in 0..<6 { regs[i] = macAddress[i] }
        phy.powerOn()
        macReset()
        startNegotiation()
    }

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        guard bar == RTL8168ConfigSpace.ioBAR || bar == RTL8168ConfigSpace.registerBAR else { return width.mask }
        guard offset + UInt64(width.bytes) <= RTL8168ConfigSpace.registerBytes else {
            function.finding(.accessOutOfRange, "read\(width) at BAR\(bar)+0x\(String(offset, radix: 16)) is past the 256-byte register file")
            return width.mask
        }
        return readRegisters(Int(offset), width.bytes)
    }

    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        guard bar == RTL8168ConfigSpace.ioBAR || bar == RTL8168ConfigSpace.registerBAR else { return }
        guard offset + UInt64(width.bytes) <= RTL8168ConfigSpace.registerBytes else {
            function.finding(.accessOutOfRange, "write\(width) at BAR\(bar)+0x\(String(offset, radix: 16)) is past the 256-byte register file")
            return
        }
        writeRegisters(Int(offset), width.bytes, value)
    }

    public func configWritten(offset: Int, width: AccessWidth, value: UInt32) {
        let vpd = RTL8168ConfigSpace.vpd + 2
        if offset <= vpd + 1 && offset + width.bytes > vpd { vpdAccess() }
        interruptInputsChanged()
    }

    // MARK: EthernetReceiver

    public func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { receive(frame, fcsValid: fcsValid) }

    public func carrierChanged(_ up: Bool) {
        carrier = up
        if up { startNegotiation() } else { setLink(up: false) }
    }

    // MARK: helpers

    /// Reports a strict-mode breach of `rule`.
    func breach(_ rule: RTL8168Rule, _ detail: String = "") {
        guard function.strict else { return }
        function.strictFinding(rule, detail)
    }

    /// Counts a drop.
    func drop(_ reason: RTL8168DropReason) {
        drops[RTL8168DropReason.allCases.firstIndex(of: reason)!] &+= 1
    }

    /// VPD (PCI 3.0 §6.4): the chip has no VPD ROM; reads return FFh bytes, writes are ignored;
    /// the F flag completes at once.
    private func vpdAccess() {
        let a = RTL8168ConfigSpace.vpd + 2
        let addr = UInt16(function.deviceReadConfig(a, .word))
        if addr & VPDCapabilityLayout.flag == 0 {
            function.deviceSetConfig(a + 2, .dword, 0xFFFF_FFFF)
            function.deviceSetConfig(a, .word, UInt32(addr | VPDCapabilityLayout.flag))
        } else {
            function.deviceSetConfig(a, .word, UInt32(addr & ~VPDCapabilityLayout.flag))
        }
    }

    func le32(_ o: Int) -> UInt32 {
        UInt32(regs[o]) | UInt32(regs[o + 1]) << 8 | UInt32(regs[o + 2]) << 16 | UInt32(regs[o + 3]) << 24
    }
    func le16(_ o: Int) -> UInt16 { UInt16(regs[o]) | UInt16(regs[o + 1]) << 8 }
    func setLE32(_ o: Int, _ v: UInt32) { for i in 0..<4 { regs[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
    func setLE16(_ o: Int, _ v: UInt16) { regs[o] = UInt8(v & 0xFF); regs[o + 1] = UInt8(v >> 8) }
    func reg32(_ r: RTL8168Register) -> UInt32 { le32(Int(r.rawValue)) }
    func reg16(_ r: RTL8168Register) -> UInt16 { le16(Int(r.rawValue)) }
    func reg8(_ r: RTL8168Register) -> UInt8 { regs[Int(r.rawValue)] }
    func reg64(_ low: RTL8168Register) -> UInt64 { UInt64(le32(Int(low.rawValue))) | UInt64(le32(Int(low.rawValue) + 4)) << 32 }

    var receiverOn: Bool { reg8(.ChipCmd) & RTL8168ChipCmd.RE != 0 && !resetting }
    var transmitterOn: Bool { reg8(.ChipCmd) & RTL8168ChipCmd.TE != 0 && !resetting }
    var cplus: UInt16 { reg16(.CPlusCmd) }
    var unlocked: Bool { reg8(.Cfg9346) & RTL8168Cfg9346.modeMask == RTL8168Cfg9346.Unlock }
}
