import NativeDriverKit

/// Driver for the Realtek RTL8139C (10EC:8139 rev 10h) and RTL8139C+ (rev 20h): one driver for
/// both, written from the RTL8139C(L) datasheet ("DS") and the RTL8139C(L)+ datasheet ("C+ DS").
///
/// Parameters: `mode=c|cplus` (default `cplus` where the chip has C+ mode, revision ≥ 20h, else
/// `c`). C mode receives into a 32 KiB ring buffer (RCR.WRAP = 1, with 1.5 KiB slack) and sends
/// through the four TSD/TSAD slots; C+ mode uses 64-descriptor receive and transmit rings with
/// IP/TCP/UDP checksum offload, VLAN insertion/stripping and large send (TCP segmentation). Probe resets the chip (DS §5.6 CR.RST),
/// reads the station address from EEPROM words 7–9 by bit-banging 9346CR (DS §5.11), programs IDR
/// and sets up the rings; ``open(client:)`` enables receive and transmit.
public final class RTL8139Driver: PCIDriver, NetworkInterface {
    public static let name = "rtl8139"
    public static let matchTable: [PCIMatch] = [.device(0x10EC, 0x8139)]

    /// The register interface the driver uses.
    public enum Mode: String, Sendable { case c, cplus }

    /// Counters the driver keeps itself.
    public struct DriverCounters: Sendable, Equatable {
        /// Frames delivered to the client, and their bytes.
        public var rxPackets: UInt64 = 0, rxBytes: UInt64 = 0
        /// Frames the chip reported with an error status (not delivered).
        public var rxErrors: UInt64 = 0
        /// Frames reported transmitted / failed.
        public var txCompleted: UInt64 = 0, txFailed: UInt64 = 0
        /// Interrupts that found work.
        public var interrupts: UInt64 = 0
    }

    /// The mode in use.
    public let mode: Mode
    /// PCI revision (10h RTL8139C, 20h RTL8139C+).
    public let revision: UInt8
    /// TCR's hardware version bits (DS §5.9).
    public private(set) var hardwareVersion: UInt32 = 0
    public private(set) var macAddress = MACAddress(0, 0, 0, 0, 0, 0)
    public internal(set) var linkState = LinkState.down
    public var maximumFrameSize: Int { Self.maximumFrame }
    /// The driver's counters.
    public internal(set) var counters = DriverCounters()
    /// Whether the interface is open.
    public internal(set) var isOpen = false

    let device: any PCIDevice
    let context: any DriverContext
    let dma: any DMAAllocator
    let regs: DeviceRegion

    // C mode (DS §6.1, §6.2).
    var rxBuffer: DMABuffer?
    var txBuffers: DMABuffer?
    var curRx = 0
    var txHead = 0, txDirty = 0, txInFlight = 0
    var txTokens = [UInt64](repeating: 0, count: 4)

    // C+ mode (C+ DS §9).
    var rxRing: DMABuffer?, txRing: DMABuffer?, rxPool: DMABuffer?, txPool: DMABuffer?, tally: DMABuffer?
    var rxNext = 0
    var txTail = 0, txClean = 0
    var txRingTokens = [UInt64](repeating: 0, count: RTL8139Driver.ringSize)
    /// Whether a transmit descriptor is the last (LS) of its frame: its completion is reported.
    var txRingLast = [Bool](repeating: false, count: RTL8139Driver.ringSize)

    var interruptsAllocated = false
    var poll: (any DeferredWork)?
    var linkWork: (any DeferredWork)?
    var client: (any NetworkClient)?
    var filter = ReceiveFilter()
    var mpcTotal: UInt64 = 0
    var removed = false

    /// Longest frame without FCS.
    static let maximumFrame = 1514
    /// C mode ring: 32 KiB (RCR.RBLEN = 10b) plus 16 bytes and 1.5 KiB slack for RCR.WRAP = 1 (DS §5.10).
    static let ringBytes = 32 * 1024, ringLengthCode: UInt32 = 2, ringSlack = 16 + 1536
    /// C-mode slot buffer bytes (TSD.SIZE up to 1792, DS §5.2).
    static let slotBytes = 2048
    /// C+ ring size (C+ DS §9: up to 64) and buffer bytes.
    static let ringSize = 64, bufferBytes = 2048
    /// Largest large-send frame: an IPv4 datagram's 65535 bytes after the Ethernet header, carried
    /// by up to 32 descriptors of 2 KiB (C+ DS §9.1: a frame spans descriptors FS…LS).
    static let largestLargeSend = 14 + 65535
    /// Early transmit threshold: 256 bytes, in 32-byte units (DS §5.2 ERTXTH).
    static let earlyTxThreshold: UInt32 = 256 / 32

    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device
        self.context = context
        dma = device.dma
        revision = device.identity.revision
        let hasCPlus = revision >= 0x20
        switch context.parameter("mode") {
        case nil: mode = hasCPlus ? .cplus : .c
        case "c": mode = .c
        case "cplus":
            guard hasCPlus else { throw .invalidArgument("mode=cplus: revision \(hex(revision)) has no C+ mode (RTL8139C+ is 20h)") }
            mode = .cplus
        case let other?: throw .invalidArgument("mode=\(other): expected c or cplus")
        }
        // BAR1 (memory) preferred; BAR0 (I/O) decodes the same registers (DS §4).
        if let r = device.region(1), r.kind == .memory, r.size >= 256 { regs = r }
        else if let r = device.region(0), r.size >= 256 { regs = r }
        else { throw .unsupportedDevice("RTL8139 without its 256-byte register BAR") }
        do { try bringUp() } catch {
            releaseResources()
            throw error
        }
    }

    private func bringUp() throws(DriverError) {
        device.enable([regs.kind == .memory ? .memorySpace : .ioSpace, .busMaster])
        // RBSTART, TSAD are 32-bit; the C+ rings are used without DAC (CpCmd.DAC clear).
        try dma.setAddressingLimit(bits: 32)
        try softwareReset()
        hardwareVersion = regs.read32(Reg.TCR) & TCR.HWVERID_MASK
        macAddress = readStationAddress()
        programStationAddress()
        try allocateBuffers()
        _ = try device.allocateInterrupts(InterruptRequest(modes: [.intx]))
        interruptsAllocated = true
        try device.attachInterrupt(vector: 0, name: "rtl8139") { [unowned self] in self.interrupt() }
        poll = context.makeDeferredWork(name: "rtl8139-poll") { [unowned self] in self.runPoll() }
        linkWork = context.makeDeferredWork(name: "rtl8139-link") { [unowned self] in self.checkLink() }
        regs.write16(Reg.IMR, Intr.PUN_LinkChg)
        linkState = readLinkState()
        context.log(.info, "RTL8139 rev \(hex(revision)) (TCR version \(hex(hardwareVersion))) \(macAddress), \(mode == .c ? "C" : "C+") mode")
    }

    /// CR.RST, then wait for it to clear (DS §5.6).
    func softwareReset() throws(DriverError) {
        regs.write8(Reg.CR, CR.RST)
        let r = regs
        guard context.wait(until: { r.read8(Reg.CR) & CR.RST == 0 }, timeout: .milliseconds(10), interval: .microseconds(10)) else {
            throw .timeout("CR.RST did not clear within 10 ms")
        }
    }

    /// IDR0–5 from the EEPROM address, written as two dwords with the 9346CR unlock (DS §5).
    private func programStationAddress() {
        let m = macAddress.array
        regs.write8(Reg.CR9346, CR9346.EEM_CONFIG_WRITE)
        regs.write32(Reg.IDR0, UInt32(m[0]) | UInt32(m[1]) << 8 | UInt32(m[2]) << 16 | UInt32(m[3]) << 24)
        regs.write32(Reg.IDR4, UInt32(m[4]) | UInt32(m[5]) << 8)
        regs.write8(Reg.CR9346, CR9346.EEM_NORMAL)
    }

    private func allocateBuffers() throws(DriverError) {
        switch mode {
        case .c:
            rxBuffer = try dma.allocateCoherent(size: Self.ringBytes + Self.ringSlack, alignment: 16)
            txBuffers = try dma.allocateCoherent(size: 4 * Self.slotBytes, alignment: 16)
        case .cplus:
            rxRing = try dma.allocateCoherent(size: Self.ringSize * Desc.size, alignment: 256)
            txRing = try dma.allocateCoherent(size: Self.ringSize * Desc.size, alignment: 256)
            rxPool = try dma.allocateCoherent(size: Self.ringSize * Self.bufferBytes, alignment: 64)
            txPool = try dma.allocateCoherent(size: Self.ringSize * Self.bufferBytes, alignment: 64)
            tally = try dma.allocateCoherent(size: 64, alignment: 64)
        }
    }

    public func remove() {
        guard !removed else { return }
        if isOpen { close() }
        regs.write16(Reg.IMR, 0)
        regs.write8(Reg.CR, 0)
        if mode == .cplus { regs.write16(Reg.CpCmd, 0) }
        do { try softwareReset() } catch { context.log(.warning, "reset at removal: \(error)") }
        releaseResources()
    }

    private func releaseResources() {
        removed = true
        isOpen = false
        if interruptsAllocated { device.freeInterrupts(); interruptsAllocated = false }
        for b in [rxBuffer, txBuffers, rxRing, txRing, rxPool, txPool, tally] { if let b { dma.free(b) } }
        rxBuffer = nil; txBuffers = nil; rxRing = nil; txRing = nil; rxPool = nil; txPool = nil; tally = nil
        client = nil
        device.disable([.busMaster, .memorySpace, .ioSpace])
    }

    // MARK: open / close

    public func open(client: any NetworkClient) throws(DriverError) {
        guard !removed else { throw .invalidState("the RTL8139 at \(device.location) was removed") }
        guard !isOpen else { throw .invalidState("already open") }
        self.client = client
        if mode == .c { startCMode() } else { startCPlusMode() }
        programFilter()
        isOpen = true
        regs.write16(Reg.IMR, Intr.receive | Intr.transmit | Intr.PUN_LinkChg | Intr.SERR)
        linkState = readLinkState()
        if linkState.up { client.linkChanged(linkState) }
    }

    public func close() {
        guard isOpen else { return }
        regs.write16(Reg.IMR, Intr.PUN_LinkChg)
        if mode == .c { receiveCMode() } else { receiveCPlus() }
        let r = regs
        _ = context.wait(until: { [unowned self] in self.reclaimAll(); return self.pendingTransmits == 0 },
                         timeout: .milliseconds(50), interval: .microseconds(20))
        regs.write8(Reg.CR, 0)
        r.flush(readingAt: Reg.TCR)
        failUnsent()
        isOpen = false
        foldCounters()
        client = nil
    }

    /// Frames handed over and not yet reported.
    var pendingTransmits: Int { mode == .c ? txInFlight : (txTail - txClean + Self.ringSize) % Self.ringSize }

    func reclaimAll() { if mode == .c { reclaimCMode() } else { reclaimCPlus() } }

    private func failUnsent() {
        var tokens: [UInt64] = []
        if mode == .c {
            while txInFlight > 0 { tokens.append(txTokens[txDirty]); txDirty = (txDirty + 1) % 4; txInFlight -= 1 }
        } else {
            while txClean != txTail {
                if txRingLast[txClean] { tokens.append(txRingTokens[txClean]) }
                txClean = (txClean + 1) % Self.ringSize
            }
        }
        guard !tokens.isEmpty else { return }
        context.log(.warning, "\(tokens.count) frame(s) still queued at close reported failed")
        counters.txFailed &+= UInt64(tokens.count)
        for t in tokens { client?.transmitCompleted(token: t, success: false) }
    }

    /// RCR for the open interface (DS §5.10): own address, broadcast, multicast through MAR,
    /// everything when promiscuous; whole-frame FIFO threshold, unlimited DMA burst.
    func receiveConfiguration() -> UInt32 {
        var v = RCR.APM | RCR.AB | RCR.AM | RCR.MXDMA_UNLIMITED | RCR.RXFTH_NONE
        if filter.promiscuous { v |= RCR.AAP }
        if mode == .c { v |= RCR.WRAP | Self.ringLengthCode << RCR.RBLEN_SHIFT }
        return v
    }

    public func setReceiveFilter(_ filter: ReceiveFilter) {
        self.filter = filter
        if isOpen { programFilter() }
    }

    /// RCR and MAR0–7: bit (CRC-32 >> 26) of MAR for each multicast address (DS §5.1).
    func programFilter() {
        var mar: UInt64 = 0
        if filter.promiscuous || filter.allMulticast { mar = .max }
        else { for a in filter.multicast { mar |= 1 << UInt64(multicastHash(a.array) >> 26) } }
        regs.write32(Reg.MAR0, UInt32(truncatingIfNeeded: mar))
        regs.write32(Reg.MAR4, UInt32(truncatingIfNeeded: mar >> 32))
        regs.write32(Reg.RCR, receiveConfiguration())
    }

    /// The MSB-first CRC-32 of an address (the hash the chip indexes MAR with).
    func multicastHash(_ a: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for var b in a {
            for _ in 0..<8 {
                let bit = (crc >> 31) ^ UInt32(b & 1)
                crc <<= 1; b >>= 1
                if bit != 0 { crc ^= 0x04C1_1DB7 }
            }
        }
        return crc
    }

    // MARK: interrupts

    /// INTx: ISR says why; writing the bits back clears them (DS §5.8).
    func interrupt() -> InterruptResult {
        let status = regs.read16(Reg.ISR)
        guard status != 0, status != 0xFFFF else { return .notMine }
        regs.write16(Reg.ISR, status)
        counters.interrupts &+= 1
        if status & (Intr.receive | Intr.transmit | Intr.TDU) != 0, isOpen { poll?.schedule() }
        if status & Intr.PUN_LinkChg != 0 { linkWork?.schedule() }
        return .handled
    }

    func runPoll() {
        guard isOpen else { return }
        reclaimAll()
        if mode == .c { receiveCMode() } else { receiveCPlus() }
    }

    // MARK: transmit

    public func transmit(_ frame: UnsafeRawBufferPointer, token: UInt64, offload: TransmitOffload) -> TransmitResult {
        guard isOpen else { return .rejected("interface closed") }
        let extra = offload.vlanTag != nil ? 4 : 0
        let largest = offload.tcpSegmentationMSS != nil ? Self.largestLargeSend : Self.maximumFrame + 4
        guard frame.count >= 14, frame.count + extra <= largest else { return .rejected("frame of \(frame.count) bytes") }
        if mode == .c {
            guard offload == .none else { return .rejected("C mode has no transmit offloads") }
            return transmitCMode(frame, token: token)
        }
        return transmitCPlus(frame, token: token, offload: offload)
    }

    // MARK: link

    /// MSR.LINKB and the negotiated abilities (DS §5.14, §5.20–5.21).
    func readLinkState() -> LinkState {
        let msr = regs.read8(Reg.MSR)
        guard msr & Media.LINKB == 0 else { return .down }
        let common = regs.read16(Reg.ANAR) & regs.read16(Reg.ANLPAR)
        let speed = msr & Media.SPEED_10 != 0 ? 10 : 100
        let full = speed == 100 ? common & Media.ANAR_100FD != 0 : common & Media.ANAR_10FD != 0
        return LinkState(up: true, speedMbps: speed, fullDuplex: full)
    }

    func checkLink() {
        guard !removed else { return }
        let s = readLinkState()
        guard s != linkState else { return }
        linkState = s
        context.log(.info, "link \(s)")
        if isOpen { client?.linkChanged(s) }
    }
}

/// `0x…` for log lines.
func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }
