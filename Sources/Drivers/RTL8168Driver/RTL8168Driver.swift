import NativeDriverKit

/// Driver for the Realtek RTL8111C/RTL8168C PCIe gigabit Ethernet controller (10EC:8168, XID 3C4h),
/// written from the RTL8111C/8168C datasheet ("DS") and the facts Linux's r8169 documents.
///
/// Probe resets the chip (DS §7 ChipCmd.RST), identifies it by the XID in TxConfig, reads the
/// station address from IDR0–5, configures the RTL8211B PHY over PHYAR (the vendor-page writes r8169
/// performs for this revision, then auto-negotiation), sets up both 16-byte-descriptor rings and the
/// interrupt (MSI-X, else MSI, else INTx). ``open(client:)`` enables the engines and interrupts.
/// Receive and transmit completions are handled NAPI-like: the handler masks IMR, acknowledges ISR
/// and schedules a poll of at most `napi_budget` frames; the poll unmasks when done. Statistics come
/// from the tally counters the chip dumps by DMA (DTCCR). Parameters: ``RTL8168Configuration``.
public final class RTL8168Driver: PCIDriver, NetworkInterface {
    public static let name = "rtl8168"
    public static let matchTable: [PCIMatch] = [.device(0x10EC, 0x8168)]

    /// Counters the driver keeps itself.
    public struct DriverCounters: Sendable, Equatable {
        /// Frames delivered to the client.
        public var rxPackets: UInt64 = 0
        /// Bytes delivered to the client.
        public var rxBytes: UInt64 = 0
        /// Frames whose descriptor reported an error (RES): counted, not delivered.
        public var rxErrors: UInt64 = 0
        /// Frames that spanned descriptors (not FS and LS in one): dropped, as r8169 does.
        public var rxFragmented: UInt64 = 0
        /// Frames reported transmitted.
        public var txCompleted: UInt64 = 0
        /// Bytes of the frames the chip put on the wire (as sent: giant-send segments with their
        /// repeated headers, inserted VLAN tags; without FCS and padding).
        public var txBytes: UInt64 = 0
        /// Frames reported failed.
        public var txFailed: UInt64 = 0
        /// Handler runs that found work.
        public var interrupts: UInt64 = 0
        /// Poll runs.
        public var polls: UInt64 = 0
    }

    /// XIDs this driver knows (r8169's table row for RTL_GIGA_MAC_VER_22: mask 7CFh, value 3C4h).
    static let knownXIDs: [(mask: UInt16, value: UInt16, name: String)] = [(0x7CF, 0x3C4, "RTL8168c/8111c")]

    /// The chip's name as identified at probe.
    public internal(set) var chipName = ""
    /// The XID read from TxConfig.
    public internal(set) var xid: UInt16 = 0
    /// The interrupt mode in use.
    public internal(set) var interruptMode: InterruptMode = .intx
    /// PHYID1 << 16 | PHYID2.
    public internal(set) var phyIdentifier: UInt32 = 0
    /// The driver's own counters.
    public internal(set) var counters = DriverCounters()
    public internal(set) var macAddress = MACAddress(0, 0, 0, 0, 0, 0)
    public internal(set) var linkState = LinkState.down
    /// Standard Ethernet: 1514 bytes without FCS (a tagged frame may carry 4 more).
    public var maximumFrameSize: Int { Self.maximumFrame }
    /// Whether the interface is open.
    public internal(set) var isOpen = false

    let device: any PCIDevice
    let context: any DriverContext
    let dma: any DMAAllocator
    let regs: DeviceRegion
    let config: RTL8168Configuration

    // Receive ring (DS §8.2).
    var rxRing: DMABuffer?
    var rxBuffers: [DMABuffer] = []
    var rxNext = 0
    // Transmit ring (DS §8.1): descriptor i uses bytes i·bufferBytes of txPool.
    var txRing: DMABuffer?
    var txPool: DMABuffer?
    var txTail = 0
    var txClean = 0
    /// For the first descriptor of each packet: its last descriptor and token.
    var txLast: [Int] = []
    var txToken: [UInt64] = []
    /// For the first descriptor of each packet: the bytes it puts on the wire.
    var txWireBytes: [UInt64] = []
    // Tally dump target (64 bytes, 64-byte aligned, DS §7 DTCCR).
    var tallyBuffer: DMABuffer?
    /// The last tally dump, by name.
    public internal(set) var tally: [(name: String, value: UInt64)] = []

    var interruptsAllocated = false
    var pollMasked = false
    var poll: (any DeferredWork)?
    var linkWork: (any DeferredWork)?
    var client: (any NetworkClient)?
    var filter = ReceiveFilter()
    var removed = false

    /// Bytes of one receive buffer and one transmit slot.
    static let bufferBytes = 2048
    /// Largest untagged frame without FCS.
    static let maximumFrame = 1514
    /// RxMaxSize: a tagged 1518-byte frame with FCS (DS §7 RMS counts the FCS).
    static let rxMaxSize: UInt16 = 1522
    /// Largest giant-send super-frame: a 64 KiB IPv4 datagram behind a tagged header.
    static let largestSegmentationFrame = 65_535 + 18

    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device
        self.context = context
        dma = device.dma
        config = try RTL8168Configuration(context: context)
        // BAR2 is the 4 KiB memory window; BAR0 (I/O) decodes the same registers.
        guard let r = device.region(2) ?? device.region(0), r.size >= 256 else {
            throw .unsupportedDevice("10EC:8168 without its register BAR")
        }
        regs = r
        do {
            try bringUp()
        } catch {
            releaseResources()
            throw error
        }
    }

    /// Probe, in the order r8169 and the datasheet give (DS §7; r8169 rtl_init_one, rtl_hw_start_8168).
    private func bringUp() throws(DriverError) {
        device.enable([regs.kind == .memory ? .memorySpace : .ioSpace, .busMaster])
        try dma.setAddressingLimit(bits: 64)
        try identify()
        // Mask and acknowledge everything before the reset (r8169 rtl8169_irq_mask_and_ack).
        regs.write16(Reg.IntrMask, 0)
        regs.write16(Reg.IntrStatus, Intr.all)
        try softwareReset()
        readStationAddress()
        try setUpPHY()
        try allocateRings()
        try allocateTally()
        programChip()
        try setUpInterrupts()
        poll = context.makeDeferredWork(name: "rtl8168-poll") { [unowned self] in self.runPoll() }
        linkWork = context.makeDeferredWork(name: "rtl8168-link") { [unowned self] in self.checkLink() }
        resetTally()
        linkState = readLinkState()
        context.log(.info, "\(chipName), XID \(String(xid, radix: 16)), \(macAddress), PHY \(hex(phyIdentifier)), \(interruptMode), rings \(config.rxDescriptors)/\(config.txDescriptors)")
    }

    /// The XID in TxConfig bits 31:20 (r8169 rtl8169_get_mac_version).
    private func identify() throws(DriverError) {
        let v = regs.read32(Reg.TxConfig)
        guard v != 0xFFFF_FFFF else { throw .unsupportedDevice("registers read all ones") }
        xid = TxConfig.xid(v)
        guard let known = Self.knownXIDs.first(where: { xid & $0.mask == $0.value }) else {
            throw .unsupportedDevice("XID \(String(xid, radix: 16)) is not an RTL8168C/8111C")
        }
        chipName = known.name
    }

    /// ChipCmd.RST, then wait for it to self-clear (r8169 rtl_hw_reset: 100 µs × 100).
    func softwareReset() throws(DriverError) {
        regs.write8(Reg.ChipCmd, ChipCmd.RST)
        let regs = self.regs
        guard context.wait(until: { regs.read8(Reg.ChipCmd) & ChipCmd.RST == 0 }, timeout: .milliseconds(10), interval: .microseconds(100)) else {
            throw .timeout("ChipCmd.RST did not clear")
        }
    }

    /// IDR0–5, loaded from the EEPROM at power-on (DS §7).
    private func readStationAddress() {
        let b = (0..<6).map { regs.read8(Reg.IDR0 + $0) }
        macAddress = MACAddress(b[0], b[1], b[2], b[3], b[4], b[5])
    }

    /// Ring bases, receive and transmit configuration, offloads and limits, with the config
    /// registers unlocked around them (DS §7 9346CR; r8169 rtl_hw_start).
    private func programChip() {
        regs.write8(Reg.Cfg9346, Cfg9346.Unlock)
        regs.write8(Reg.MaxTxPacketSize, UInt8(8064 >> 7))        // r8169 TxPacketMax
        regs.write16(Reg.RxMaxSize, Self.rxMaxSize)
        var cplus = CPlusCmd.PCIMulRW | CPlusCmd.PCIDAC
        if config.receiveChecksum { cplus |= CPlusCmd.RxChkSum }
        if config.vlanStrip { cplus |= CPlusCmd.RxVlan }
        regs.write16(Reg.CPlusCmd, cplus)
        regs.write16(Reg.IntrMitigate, config.intrMitigate)
        let tx = txRing!.busAddress, rx = rxRing!.busAddress
        regs.write32(Reg.TNPDSHigh, tx.high32)
        regs.write32(Reg.TNPDS, tx.low32)
        regs.write32(Reg.RDSARHigh, rx.high32)
        regs.write32(Reg.RDSAR, rx.low32)
        regs.write32(Reg.TxConfig, TxConfig.MXDMA_UNLIMITED | TxConfig.IFG96)
        writeReceiveConfig()
        regs.write8(Reg.Cfg9346, Cfg9346.Lock)
    }

    /// RCR and MAR from the receive filter.
    func writeReceiveConfig() {
        var rcr = RxConfig.Rx128IntEnable | RxConfig.MultiEnable | RxConfig.MXDMA_UNLIMITED | RxConfig.AB | RxConfig.APM
        var mar = [UInt8](repeating: 0, count: 8)
        if filter.promiscuous || filter.allMulticast {
            rcr |= RxConfig.AM
            mar = [UInt8](repeating: 0xFF, count: 8)
        } else if !filter.multicast.isEmpty {
            rcr |= RxConfig.AM
            for a in filter.multicast {
                let n = Int(Self.etherCRC(a.array) >> 26)
                mar[7 - n / 8] |= 1 << UInt8(n % 8)         // 8168 layout (see RTL8168Driver+Filter note)
            }
        }
        if filter.promiscuous { rcr |= RxConfig.AAP }
        func dword(_ o: Int) -> UInt32 { UInt32(mar[o]) | UInt32(mar[o + 1]) << 8 | UInt32(mar[o + 2]) << 16 | UInt32(mar[o + 3]) << 24 }
        regs.write32(Reg.MAR0, dword(0))
        regs.write32(Reg.MAR4, dword(4))
        regs.write32(Reg.RxConfig, rcr)
    }

    /// The big-endian CRC-32 Linux calls `ether_crc`, whose top 6 bits index the multicast hash.
    static func etherCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for var octet in bytes {
            for _ in 0..<8 {
                let bit = (crc >> 31) ^ UInt32(octet & 1)
                crc <<= 1
                if bit != 0 { crc ^= 0x04C1_1DB7 }
                octet >>= 1
            }
        }
        return crc
    }

    public func setReceiveFilter(_ filter: ReceiveFilter) {
        self.filter = filter
        guard !removed else { return }
        writeReceiveConfig()
    }

    // MARK: open / close

    public func open(client: any NetworkClient) throws(DriverError) {
        guard !removed else { throw .invalidState("the rtl8168 at \(device.location) was removed") }
        guard !isOpen else { throw .invalidState("already open") }
        self.client = client
        regs.barrier()
        regs.write8(Reg.ChipCmd, ChipCmd.TE | ChipCmd.RE)
        isOpen = true
        regs.write16(Reg.IntrStatus, Intr.all)
        regs.write16(Reg.IntrMask, Intr.enabled)
        linkState = readLinkState()
        if linkState.up { client.linkChanged(linkState) }
    }

    public func close() {
        guard isOpen else { return }
        // Receiver off, hand over what was written, let the transmitter drain (bounded), then stop.
        regs.write8(Reg.ChipCmd, ChipCmd.TE)
        regs.flush(readingAt: Reg.TxConfig)
        while receive(budget: config.rxDescriptors) > 0 {}
        let me = self
        _ = context.wait(until: { me.reclaimTransmitted(); return me.txClean == me.txTail }, timeout: .milliseconds(50), interval: .microseconds(20))
        regs.write16(Reg.IntrMask, Intr.LinkChg)
        dumpTally()
        regs.write8(Reg.ChipCmd, 0)
        if txClean != txTail { failUnsentFrames() }
        isOpen = false
        pollMasked = false
        client = nil
    }

    private func failUnsentFrames() {
        var failed: [UInt64] = []
        while txClean != txTail {
            failed.append(txToken[txClean])
            txClean = (txLast[txClean] + 1) % config.txDescriptors
        }
        if let ring = txRing { ring.fill(0, at: 0, count: ring.length) }
        for i in 0..<config.txDescriptors where i == config.txDescriptors - 1 { ring32(txRing!, i, 0, Desc.EOR) }
        // The chip's transmit position restarts at the ring base when TNPDS is rewritten.
        regs.write8(Reg.Cfg9346, Cfg9346.Unlock)
        regs.write32(Reg.TNPDS, txRing!.busAddress.low32)
        regs.write8(Reg.Cfg9346, Cfg9346.Lock)
        txTail = 0; txClean = 0
        counters.txFailed &+= UInt64(failed.count)
        context.log(.warning, "\(failed.count) frame(s) still queued at close reported failed")
        for t in failed { client?.transmitCompleted(token: t, success: false) }
    }

    // MARK: remove

    public func remove() {
        guard !removed else { return }
        if isOpen { close() }
        regs.write16(Reg.IntrMask, 0)
        regs.write16(Reg.IntrStatus, Intr.all)
        do { try softwareReset() } catch { context.log(.warning, "reset at removal: \(error)") }
        releaseResources()
    }

    private func releaseResources() {
        removed = true
        isOpen = false
        if interruptsAllocated { device.freeInterrupts(); interruptsAllocated = false }
        for b in rxBuffers { dma.unmap(b); dma.free(b) }
        rxBuffers = []
        for b in [rxRing, txRing, txPool, tallyBuffer] { if let b { dma.free(b) } }
        rxRing = nil; txRing = nil; txPool = nil; tallyBuffer = nil
        client = nil
        device.disable([.busMaster, .memorySpace, .ioSpace])
    }

    /// Writes 32 bits at dword `word` of descriptor `i` in `ring`.
    func ring32(_ ring: DMABuffer, _ i: Int, _ word: Int, _ v: UInt32) { ring.store(i * Desc.size + 4 * word, v) }
    /// Reads 32 bits at dword `word` of descriptor `i`.
    func ring32(_ ring: DMABuffer, _ i: Int, _ word: Int) -> UInt32 { ring.load(i * Desc.size + 4 * word) }
}

/// `0x…` for log lines.
func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }
