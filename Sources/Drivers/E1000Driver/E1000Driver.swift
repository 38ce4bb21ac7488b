import NativeDriverKit

/// Driver for the Intel 82540EM (8086:100E, PCI) and 82574L (8086:10D3, PCIe) gigabit Ethernet
/// controllers: one core for both, written from the 8254x Software Developer's Manual ("SDM") and
/// the 82574 datasheet ("82574 DS").
///
/// Probe resets the controller, reads the station address from the EEPROM (checksum verified),
/// starts auto-negotiation and sets up both descriptor rings; ``open(client:)`` enables receive and
/// transmit. Receive is NAPI-like: the interrupt handler acknowledges the cause, masks receive and
/// transmit interrupts and schedules a poll that handles up to `napi_budget` descriptors, then
/// re-arms. Parameters are listed on `E1000Configuration` (`interrupts`, `itr_ns`, `jumbo`,
/// `vlan_strip`, `rx_csum`, `rx_descriptors`, `tx_descriptors`, `napi_budget`).
public final class E1000Driver: PCIDriver, NetworkInterface {
    public static let name = "e1000"
    public static let matchTable: [PCIMatch] = [
        .device(0x8086, 0x100E, driverData: Chip.i82540EM.rawValue),
        .device(0x8086, 0x10D3, driverData: Chip.i82574L.rawValue),
    ]

    /// Counters the driver keeps itself (the device's counters are in ``statistics()``).
    public struct DriverCounters: Sendable, Equatable {
        /// Frames delivered to the client.
        public var rxPackets: UInt64 = 0
        /// Bytes delivered to the client.
        public var rxBytes: UInt64 = 0
        /// Frames whose last descriptor reported a frame error (CE, SE, SEQ, CXE, RXE): counted, not delivered.
        public var rxDescriptorErrors: UInt64 = 0
        /// Frames longer than the receive buffer space the driver assembles (never with a sane device).
        public var rxOversize: UInt64 = 0
        /// Frames reported transmitted.
        public var txCompleted: UInt64 = 0
        /// Frames reported failed (collisions, or still queued when the interface closed).
        public var txFailed: UInt64 = 0
        /// Interrupt handler runs that found work.
        public var interrupts: UInt64 = 0
        /// Poll runs.
        public var polls: UInt64 = 0
        /// Controller resets after a transmit hang (``checkTransmitHang()``).
        public var txHangResets: UInt64 = 0
    }

    /// Which controller this is.
    public let chip: Chip
    /// The interrupt mode in use.
    public internal(set) var interruptMode: InterruptMode = .intx
    /// Vectors in use (3 with MSI-X: receive, transmit, other).
    public internal(set) var interruptVectors = 0
    /// PHY_ID1 << 16 | PHY_ID2, as read at probe.
    public internal(set) var phyIdentifier: UInt32 = 0
    /// The driver's own counters.
    public internal(set) var counters = DriverCounters()
    public internal(set) var macAddress = MACAddress(0, 0, 0, 0, 0, 0)
    public internal(set) var linkState = LinkState.down
    public var maximumFrameSize: Int { config.maximumFrame }
    /// Whether the interface is open.
    public internal(set) var isOpen = false

    let device: any PCIDevice
    let context: any DriverContext
    let dma: any DMAAllocator
    let regs: DeviceRegion
    let config: E1000Configuration
    /// Where a received frame is copied (and assembled, if it spans descriptors) before delivery.
    let scratch: UnsafeMutableRawBufferPointer

    // Receive ring (SDM §3.2).
    var rxRing: DMABuffer?
    var rxBuffers: [DMABuffer] = []
    /// Bus address of each receive buffer's mapping.
    var rxBufferAddresses: [UInt64] = []
    let rxMask: Int
    /// Next descriptor to look at; RDT is kept at rxNext − 1.
    var rxNext = 0
    /// Bytes of a multi-descriptor frame assembled so far.
    var rxAssembled = 0
    /// A frame being assembled is dropped (too long).
    var rxDiscarding = false

    // Transmit ring (SDM §3.3) and its buffers: descriptor i uses bytes i·2048 of txPool.
    var txRing: DMABuffer?
    var txPool: DMABuffer?
    let txMask: Int
    /// Next free descriptor (what TDT is set to).
    var txTail = 0
    /// Oldest descriptor not yet reclaimed.
    var txClean = 0
    /// For the first descriptor of each frame: the frame's last descriptor.
    var txLast: [Int] = []
    /// For the first descriptor of each frame: its token.
    var txToken: [UInt64] = []

    // Interrupts and bottom halves.
    var interruptsAllocated = false
    /// INTx/MSI: receive and transmit causes are masked in IMS while the poll owns them.
    var napiMasked = false
    /// MSI-X: the receive / transmit vector is masked while the poll owns it.
    var rxVectorMasked = false
    var txVectorMasked = false
    var poll: (any DeferredWork)?
    var linkWork: (any DeferredWork)?
    var watchdog: (any DriverTimer)?
    /// What the watchdog saw of the transmit ring at its last tick.
    var txWatch = TransmitWatch()

    var client: (any NetworkClient)?
    var filter = ReceiveFilter()
    /// RCTL as last written (no read-modify-write on MMIO).
    var rctl: UInt32 = 0
    var hardware = HardwareCounters()
    var removed = false
    /// The device stopped answering (registers read all-ones): surprise removal. Nothing touches
    /// its registers or config space again (``surpriseRemoval()``).
    var gone = false

    /// Bytes of one receive buffer and one transmit slot (RCTL.BSIZE = 2048, SDM §3.2.2).
    static let bufferBytes = 2048
    /// Largest TCP segmentation super-frame: an IPv4 datagram of 64 KiB − 1 behind a tagged header.
    static let largestSegmentationFrame = 65_535 + E1000Configuration.ethernetHeader + E1000Configuration.vlanTagBytes
    /// Watchdog period: counters folded in, link state re-read.
    static let watchdogPeriod: Duration = .seconds(2)
    /// MSI-X vectors: receive queue 0, transmit queue 0, other causes.
    static let rxVector = 0, txVector = 1, otherVector = 2, msixVectors = 3

    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device
        self.context = context
        dma = device.dma
        guard let c = Chip(rawValue: match.driverData) else {
            throw .unsupportedDevice("match data \(match.driverData) names no known e1000 chip")
        }
        chip = c
        config = try E1000Configuration(context: context, chip: c)
        guard let r = device.region(0), r.kind == .memory, r.size >= 0x2_0000 else {
            throw .unsupportedDevice("\(c) without its 128 KiB memory BAR0")
        }
        regs = r
        rxMask = config.rxDescriptors - 1
        txMask = config.txDescriptors - 1
        let scratchBytes = max(Self.bufferBytes, config.maximumFrame + E1000Configuration.vlanTagBytes + Self.bufferBytes)
        scratch = .allocate(byteCount: scratchBytes, alignment: 64)
        do {
            try bringUp()
        } catch {
            releaseResources()
            throw error
        }
    }

    deinit { scratch.deallocate() }

    /// Probe, in the manuals' order (SDM §14.3 "General Configuration", §14.4, §14.5; 82574 DS §4.6).
    private func bringUp() throws(DriverError) {
        // Decoding and bus mastering (PCI 3.0 §6.2.2); the I/O window is not used.
        device.enable([.memorySpace, .busMaster])
        // Descriptors and buffers carry 64-bit addresses (RDBAH/TDBAH, SDM §3.2.3, §3.3.3).
        try dma.setAddressingLimit(bits: 64)
        try globalReset()
        try readStationAddress()
        programStationAddress()
        try setUpLink()
        try allocateRings()
        programRings()
        programOffloads()
        try setUpInterrupts()
        poll = context.makeDeferredWork(name: "e1000-poll") { [unowned self] in self.runPoll() }
        linkWork = context.makeDeferredWork(name: "e1000-link") { [unowned self] in self.checkLink() }
        linkState = readLinkState()
        context.log(.info, "\(chip) \(macAddress), PHY \(hex(phyIdentifier)), \(interruptMode) with \(interruptVectors) vector(s), rings \(config.rxDescriptors)/\(config.txDescriptors), MTU \(config.mtu)")
    }

    /// Quiesces the device, frees interrupts, stops timers and releases every ring and buffer.
    public func remove() {
        guard !removed else { return }
        if isOpen { close() }
        quiesce()
        releaseResources()
    }

    /// Stops all DMA and interrupts: IMC, RCTL/TCTL off, then a global reset.
    private func quiesce() {
        guard stillPresent() else { return }
        regs.write32(Reg.IMC, chip.definedCauses)
        regs.write32(Reg.RCTL, 0)
        regs.write32(Reg.TCTL, 0)
        regs.flush(readingAt: Reg.STATUS)
        do { try globalReset() } catch {
            context.log(.warning, "reset at removal: \(error)")
        }
    }

    /// Frees whatever probe got so far (also the failure path of probe).
    private func releaseResources() {
        removed = true
        isOpen = false
        watchdog?.cancel()
        watchdog = nil
        if interruptsAllocated {
            device.freeInterrupts()
            interruptsAllocated = false
        }
        for b in rxBuffers {
            dma.unmap(b)
            dma.free(b)
        }
        rxBuffers = []
        rxBufferAddresses = []
        if let r = rxRing { dma.free(r) }
        if let r = txRing { dma.free(r) }
        if let p = txPool { dma.free(p) }
        rxRing = nil; txRing = nil; txPool = nil
        client = nil
        if !gone { device.disable([.busMaster, .memorySpace]) }
    }

    // MARK: open / close

    public func open(client: any NetworkClient) throws(DriverError) {
        guard !removed else { throw .invalidState("the e1000 at \(device.location) was removed") }
        guard !isOpen else { throw .invalidState("already open") }
        self.client = client
        startEngines()
        isOpen = true
        txWatch = TransmitWatch()
        watchdog = context.startTimer(after: Self.watchdogPeriod, repeating: Self.watchdogPeriod) { [unowned self] in
            self.watchdogTick()
        }
        // The client learns the link state it opened into.
        linkState = readLinkState()
        if linkState.up { client.linkChanged(linkState) }
    }

    public func close() {
        guard isOpen else { return }
        if !stillPresent() {
            // Nothing to stop: report what was queued and let go of the client.
            isOpen = false
            watchdog?.cancel()
            watchdog = nil
            failQueuedWithoutDevice()
            client = nil
            return
        }
        // Stop accepting frames, then hand over what the device already wrote.
        rctl &= ~RCTL.EN
        regs.write32(Reg.RCTL, rctl)
        regs.flush(readingAt: Reg.STATUS)
        while receive(budget: config.rxDescriptors) > 0 {}
        // Let queued frames leave (bounded), report them, then stop the transmitter.
        let regs = self.regs, tail = UInt32(txTail)
        let drained = context.wait(until: { regs.read32(Reg.TDH) == tail }, timeout: .milliseconds(50), interval: .microseconds(20))
        reclaimTransmitted()
        regs.write32(Reg.TCTL, 0)
        if !drained || txClean != txTail { failUnsentFrames() }
        isOpen = false
        regs.write32(Reg.IMC, enabledCauses & ~linkCauses)
        releasePollMasks()
        watchdog?.cancel()
        watchdog = nil
        foldCounters()
        client = nil
    }

    /// Transmit frames the device did not finish: reported failed, and the ring restarted empty
    /// (TDH/TDT may be written while TCTL.EN is 0, SDM §13.4.39–40).
    func failUnsentFrames(_ when: String = "at close") {
        let failed = takeQueuedTokens()
        if let ring = txRing { ring.fill(0, at: 0, count: ring.length) }
        txTail = 0; txClean = 0
        regs.write32(Reg.TDH, 0)
        regs.write32(Reg.TDT, 0)
        context.log(.warning, "\(failed.count) frame(s) still queued \(when) reported failed")
        reportFailed(failed)
    }

    /// The tokens of every frame queued and not yet reclaimed, oldest first; the ring is then empty
    /// as far as the driver knows.
    func takeQueuedTokens() -> [UInt64] {
        var tokens: [UInt64] = []
        while txClean != txTail {
            tokens.append(txToken[txClean])
            txClean = (txLast[txClean] &+ 1) & txMask
        }
        return tokens
    }

    /// Tells the client `tokens` failed, and counts them.
    func reportFailed(_ tokens: [UInt64]) {
        counters.txFailed &+= UInt64(tokens.count)
        for t in tokens { client?.transmitCompleted(token: t, success: false) }
    }

    /// Starts both engines on programmed rings (open, and again after a reset). Receive (SDM
    /// §14.4): buffers are posted, so the tail goes one behind the head before RCTL.EN; the device
    /// owns every descriptor but one. Transmit (SDM §14.5): TIPG, then TCTL with EN. Then the
    /// open interface's interrupt causes.
    func startEngines() {
        regs.barrier()
        regs.write32(Reg.RDT, UInt32((rxNext &- 1) & rxMask))
        rctl = receiveControl()
        regs.write32(Reg.RCTL, rctl)
        regs.write32(Reg.TIPG, chip.ipgt | TIPG.IPGR1 << TIPG.IPGR1_SHIFT | TIPG.IPGR2 << TIPG.IPGR2_SHIFT)
        regs.write32(Reg.TCTL, TCTL.EN | TCTL.PSP | TCTL.CT_RECOMMENDED << TCTL.CT_SHIFT
                         | TCTL.COLD_FULL_DUPLEX << TCTL.COLD_SHIFT)
        regs.write32(Reg.IMS, enabledCauses)
    }

    /// RCTL for the open interface (SDM §13.4.22): receiver on, broadcasts, CRC stripped,
    /// 2048-byte buffers, long packets only with `jumbo`, filter bits from the receive filter.
    func receiveControl() -> UInt32 {
        var v = RCTL.EN | RCTL.BAM | RCTL.SECRC | RCTL.BSIZE_2048 | RCTL.RDMTS_HALF | RCTL.MO_47_36
        if config.jumbo { v |= RCTL.LPE }
        if filter.promiscuous { v |= RCTL.UPE | RCTL.MPE }
        if filter.allMulticast { v |= RCTL.MPE }
        return v
    }

    private func watchdogTick() {
        guard !removed, !gone else { return }
        checkLink()   // reads STATUS first: a vanished device is noticed before its counters are read
        guard !gone else { return }
        foldCounters()
        guard isOpen else { return }
        checkTransmitHang()
        // Work a lost interrupt left behind is found here (Linux e1000_watchdog raises ICS.RXDMT0
        // for the same reason): the poll runs once per watchdog period whatever the interrupts did.
        poll?.schedule()
    }
}

/// `0x…` for log lines.
func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }
