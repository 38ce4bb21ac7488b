import BoxlessPlatform
import NICCore

/// Device model of the Realtek RTL8111C/RTL8168C PCIe gigabit Ethernet controller (10EC:8168;
/// Linux r8169 RTL_GIGA_MAC_VER_22), from the RTL8111C/8168C datasheet ("DS") and the facts Linux's
/// r8169 relies on (Definitions/FACTS.md).
///
/// Modelled: config space with its capabilities (`RTL8168ConfigSpace.swift`); the register file in
/// both BAR0 (I/O) and BAR2 (memory) with the 9346CR lock (`RTL8168Device+Registers.swift`);
/// interrupts — ISR/IMR, IntrMitigate, the TCTR/TimerInt timer, INTx, MSI and MSI-X vector 0
/// (`RTL8168Device+Interrupts.swift`); PHYAR access to the RTL8211B PHY (the NIC core's ``MIIPHY``
/// with the vendor pages of `RTL8211BVendorRegisters.swift`), PHYstatus and auto-negotiation
/// (`RTL8168Device+Link.swift`); CSI access to config space; receive filtering, checksum (IPv4 and
/// IPv6) and VLAN offload, frames spanning descriptors, the jumbo limit, the NIC core's ``RxFIFO``
/// (`RTL8168Device+Receive.swift`); transmit with v2 checksum offload, VLAN insertion and giant send
/// on the NIC core's ``TCPSegmenter`` (`RTL8168Device+Transmit.swift`); descriptor write-back
/// (`RTL8168Device+Descriptors.swift`); the tally counter dump (`RTL8168Device+Tally.swift`); fault
/// hooks and state faults (`RTL8168Device+Faults.swift`); strict rules (``RTL8168Rule``).
///
/// Timing (every parameter and its source: ``RTL8168ModelTiming``, TIMING.md).
public final class RTL8168Device: NICModel, EthernetReceiver {
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

    /// The tally counters (since power-on or DTCCR.Reset; ``RTL8168TallyCounters/totals`` since power-on).
    public internal(set) var tally = RTL8168TallyCounters()
    /// Receive errors by the bit or limit that names them (since power-on).
    var receiveErrors = RTL8168ReceiveErrors()
    /// Frames that arrived while ChipCmd.RE was clear or the link was down (counted by no register).
    public internal(set) var framesIgnoredWhileDisabled: UInt64 = 0

    /// The tally counters by datasheet name in dump order (totals since power-on), then the receive
    /// errors by descriptor bit (RUNT, CRC, RWT) and limit (RMS, JUMBO).
    public var counters: [(name: String, value: UInt64)] {
        RTL8168TallyCounters.fields.enumerated().map { (name: $0.element.name, value: tally.totals[$0.offset]) }
            + receiveErrors.named
    }
    /// The counters of dropped received frames and their reasons.
    public var dropCounters: [CounterInfo] { RTL8168ReceiveErrors.dropCounters }

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

    // Link faults (``DeviceStateFault``): carrier held down, negotiation failing.
    var faultCarrierDown = false
    var negotiationFailing = false

    // Receive.
    var rxIndex = 0
    /// Frames between the MAC and receive DMA (the NIC core's FIFO, ``RTL8168ModelTiming/rxFIFOBytes``).
    @exclusivity(unchecked) var rxFIFO = RxFIFO<RTL8168RxStatus>(storageSize: 64 * 1024 + 32 * 1024, entryCapacity: 1024, empty: RTL8168RxStatus())
    /// The descriptors one frame uses (allocated once: a ring has at most 1024).
    let rxChain = UnsafeMutablePointer<(index: Int, desc: RTL8168Descriptor)>.allocate(capacity: RTL8168Descriptor.maximumCount + 1)
    var rxScheduled = false
    var rxEngineFreeAt: VirtualTime = .zero
    var rxMaxSizeReported = false
    /// Strict mode: the receive descriptor each buffer address was last filled through.
    var rxFilledAt: [UInt64: Int] = [:]
    var bufferPostedTwiceReported = false

    // Transmit.
    var txIndex = 0
    var txScheduled = false
    var txPolling = false
    /// TxFrameFault.hang or DeviceStateFault.txHang: the transmitter stops until ChipCmd.RST.
    var txHung = false
    /// A packet gathered from its descriptors, after ``txHeadroom`` bytes kept for a VLAN tag.
    let txBuffer = UnsafeMutableRawPointer.allocate(byteCount: RTL8168Device.txBufferBytes, alignment: 64)
    static let txBufferBytes = 256 * 1024
    static let txHeadroom = EthernetFrame.vlanTagBytes
    let txChain = UnsafeMutablePointer<(index: Int, desc: RTL8168Descriptor)>.allocate(capacity: RTL8168Descriptor.maximumCount + 1)
    /// Giant send (the NIC core's segmenter and its segment buffer).
    @exclusivity(unchecked) var segmenter = TCPSegmenter(capacity: 16 * 1024)
    /// A write-back fault's `.badIndex`: the ring index the engine continues at.
    var indexOverride: Int?

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
        phy = RTL8211BPHY(identity: RTL8211BVendorRegisters.identity(chip.phyIdentifier), vendor: RTL8211BVendorRegisters())
        rxFilledAt.reserveCapacity(RTL8168Descriptor.maximumCount)
    }

    deinit {
        rxFIFO.deallocate(); segmenter.deallocate(); txBuffer.deallocate()
        rxChain.deallocate(); txChain.deallocate()
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
        tally.powerOn()
        receiveErrors = RTL8168ReceiveErrors()
        framesIgnoredWhileDisabled = 0
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
        if effectiveCarrier { startNegotiation() } else { cancelNegotiation(); setLink(up: false) }
    }

    // MARK: helpers

    /// Reports a strict-mode breach of `rule`.
    func breach(_ rule: RTL8168Rule, _ detail: String = "") {
        guard function.strict else { return }
        function.strictFinding(rule, detail)
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

    /// The partner's carrier, unless a link fault holds it down.
    var effectiveCarrier: Bool { carrier && !faultCarrierDown }
    var receiverOn: Bool { reg8(.ChipCmd) & RTL8168ChipCmd.RE != 0 && !resetting }
    var transmitterOn: Bool { reg8(.ChipCmd) & RTL8168ChipCmd.TE != 0 && !resetting }
    var cplus: UInt16 { reg16(.CPlusCmd) }
    var unlocked: Bool { reg8(.Cfg9346) & RTL8168Cfg9346.modeMask == RTL8168Cfg9346.Unlock }
}
