import NativeDriverKit

/// What the driver learned from the HBA's capabilities (AHCI 1.3.1 §3.1.1) that every port needs.
struct HBACapabilities: Sendable {
    /// CAP, as read after the HBA reset.
    var raw: UInt32
    /// CAP.NCS + 1: command slots per port.
    var slotCount: Int { Int((raw >> CAP.ncsShift) & CAP.ncsMask) + 1 }
    /// CAP.SNCQ.
    var supportsNCQ: Bool { raw & CAP.sncq != 0 }
    /// CAP.SCLO.
    var supportsCommandListOverride: Bool { raw & CAP.sclo != 0 }
    /// CAP.SSS.
    var supportsStaggeredSpinUp: Bool { raw & CAP.sss != 0 }
    /// CAP.S64A.
    var supports64BitAddressing: Bool { raw & CAP.s64a != 0 }
}

/// Bookkeeping of one command slot.
struct SlotState {
    /// The request the slot carries, nil when the slot is free.
    var pending: PendingRequest?
    /// When it was issued (for the watchdog).
    var issuedAt = Instant(picoseconds: 0)
    /// Issue order, so aborted requests go back to the queue in the order they were issued.
    var sequence: UInt64 = 0
}

/// One SATA port of the HBA with an ATA disk behind it: a ``BlockDevice`` of 512-byte blocks.
///
/// The port owns its command list, received-FIS area, one command table per slot and one bounce
/// buffer per slot, all in coherent DMA memory allocated at probe: the I/O path allocates nothing
/// but the arrays it hands to the client. Requests wait in a FIFO; reads and writes run as NCQ
/// commands (READ/WRITE FPDMA QUEUED, tag = slot) when both HBA and device support NCQ and the
/// `ncq` parameter allows it, otherwise as READ/WRITE DMA EXT one at a time. A flush is a barrier:
/// it is issued alone once every earlier command has completed, and later requests wait for it.
public final class AHCIPort: BlockDevice {
    /// The port number (bit in PI and IS).
    public let number: Int
    /// What IDENTIFY DEVICE said (nil until the port came up).
    public internal(set) var identify: IdentifyData?
    /// Whether reads and writes use NCQ.
    public internal(set) var ncqEnabled = false
    /// The geometry the port serves (valid once the port came up).
    public internal(set) var geometry = BlockGeometry(blockSize: sectorSize, blockCount: 0, maximumQueueDepth: 1,
                                                      maximumBlocksPerRequest: AHCIPort.maximumBlocksPerRequest)
    /// Requests that failed with a media error.
    public internal(set) var mediaErrors = 0
    /// Requests the watchdog found overdue.
    public internal(set) var timeouts = 0
    /// Requests issued again after an abort.
    public internal(set) var retries = 0
    /// Error recoveries run (stop, clear, restart) and COMRESETs sent.
    public internal(set) var recoveries = 0, comresets = 0

    /// Most blocks in one request: the size of a slot's bounce buffer (128 KiB).
    public static let maximumBlocksPerRequest = 256
    static let bounceBytes = maximumBlocksPerRequest * sectorSize

    enum State { case down, running, failed, removed }

    let regs: DeviceRegion
    let base: Int
    let hba: HBACapabilities
    let dma: any DMAAllocator
    let context: any DriverContext
    let parameters: AHCIParameters
    let commandList: DMABuffer
    let receivedFIS: DMABuffer
    let tables: DMABuffer
    let bounce: DMABuffer
    let scratch: DMABuffer
    let slotCount: Int
    let allSlots: UInt32

    var state = State.down
    /// The controller stopped answering (a register read all ones): surprise removal. Nothing
    /// touches its registers again; ``vanished()`` fails what was outstanding.
    var gone = false
    var slots: [SlotState]
    /// Slots issued to the HBA (bits of PxCI/PxSACT the driver set and has not completed).
    var issued: UInt32 = 0
    /// Whether the command(s) in flight are non-queued (a flush, or everything with NCQ off).
    var nonQueuedInFlight = false
    var queue: RequestQueue
    var sequence: UInt64 = 0
    /// PxIS bits the interrupt handler acknowledged and the bottom half has not handled yet.
    var pendingStatus = PortInterrupt()
    /// Set while the bottom half delivers completions: submissions then only queue, and the bottom
    /// half issues them together (one doorbell write for many commands).
    var batching = false
    /// Set during error recovery: nothing is issued.
    var recovering = false
    var watchdog: (any DriverTimer)?
    var client: (any BlockClient)?

    init(number: Int, regs: DeviceRegion, hba: HBACapabilities, dma: any DMAAllocator, context: any DriverContext,
         parameters: AHCIParameters) throws(DriverError) {
        self.number = number
        self.regs = regs
        self.base = HBARegister.port(number)
        self.hba = hba
        self.dma = dma
        self.context = context
        self.parameters = parameters
        slotCount = min(hba.slotCount, CommandList.maximumSlots)
        allSlots = slotCount == 32 ? .max : (1 << UInt32(slotCount)) - 1
        slots = Array(repeating: SlotState(), count: slotCount)
        queue = RequestQueue(capacity: slotCount)
        var taken: [DMABuffer] = []
        func take(_ size: Int, _ alignment: Int) throws(DriverError) -> DMABuffer {
            do {
                let b = try dma.allocateCoherent(size: size, alignment: alignment)
                taken.append(b)
                return b
            } catch {
                for b in taken { dma.free(b) }
                throw error
            }
        }
        commandList = try take(CommandList.size, CommandList.alignment)
        receivedFIS = try take(ReceivedFIS.size, ReceivedFIS.alignment)
        tables = try take(slotCount * CommandTable.stride, CommandTable.alignment)
        bounce = try take(slotCount * Self.bounceBytes, 4096)
        scratch = try take(sectorSize, sectorSize)
        // Each header points at its slot's command table for good (§4.2.2 DW2/DW3).
        for slot in 0..<slotCount {
            let table = tables.busAddress + slot * CommandTable.stride
            commandList.store32(slot * CommandList.headerSize + CommandList.ctba, table.low32)
            commandList.store32(slot * CommandList.headerSize + CommandList.ctbau, table.high32)
        }
    }

    /// Frees the port's DMA memory (the port must be stopped).
    func releaseMemory() {
        for b in [commandList, receivedFIS, tables, bounce, scratch] { dma.free(b) }
    }

    // MARK: registers

    /// Reads a port register. All ones from any register but PxCI and PxSACT (which may really be
    /// all ones with 32 commands outstanding) means the controller is gone (``gone``).
    @inline(__always) func read(_ register: Int) -> UInt32 {
        let v = regs.read32(base + register)
        if v == .max && register != PortRegister.ci && register != PortRegister.sact { gone = true }
        return v
    }
    @inline(__always) func write(_ register: Int, _ value: UInt32) { regs.write32(base + register, value) }

    /// Clears every PxIS bit, then this port's IS bit (§5.5.3: port first, then HBA), so the next
    /// event raises a fresh interrupt.
    func clearInterruptStatus() {
        write(PortRegister.interruptStatus, PortInterrupt.all.rawValue)
        regs.write32(HBARegister.interruptStatus, 1 << UInt32(number))
    }

    /// Clears PxSERR by writing back the bits that are set (RW1C, §3.3.12).
    func clearSError() {
        let serr = read(PortRegister.serr)
        if serr != 0 { write(PortRegister.serr, serr) }
    }

    /// Task File Data status bits BSY or DRQ are set.
    var busy: Bool { read(PortRegister.tfd) & (PxTFD.stsBsy | PxTFD.stsDrq) != 0 }

    /// PxCMD with the self-clearing and command fields (CLO, ICC) zeroed, for read-modify-write.
    var commandRegister: UInt32 { read(PortRegister.cmd) & ~(PxCMD.iccMask | PxCMD.clo) }

    /// Clears PxCMD.ST and waits up to 500 ms for PxCMD.CR to clear (§10.3.2). HBA clears PxCI
    /// and PxSACT when ST goes from 1 to 0 (§3.3.13, §3.3.14).
    @discardableResult
    func stopCommandEngine() -> Bool {
        let cmd = commandRegister
        if cmd & PxCMD.st != 0 { write(PortRegister.cmd, cmd & ~PxCMD.st) }
        guard cmd & (PxCMD.st | PxCMD.cr) != 0 else { return true }
        let ok = context.wait(until: { read(PortRegister.cmd) & PxCMD.cr == 0 || gone }, timeout: .milliseconds(500),
                              interval: .microseconds(10))
        if !ok && !gone { context.log(.error, "port \(number): PxCMD.CR still set 500 ms after clearing ST (AHCI §10.3.2)") }
        return ok
    }

    /// Clears PxCMD.FRE and waits up to 500 ms for PxCMD.FR to clear (§10.3.2).
    @discardableResult
    func stopFISReceive() -> Bool {
        let cmd = commandRegister
        if cmd & PxCMD.fre != 0 { write(PortRegister.cmd, cmd & ~PxCMD.fre) }
        guard cmd & (PxCMD.fre | PxCMD.fr) != 0 else { return true }
        let ok = context.wait(until: { read(PortRegister.cmd) & PxCMD.fr == 0 || gone }, timeout: .milliseconds(500),
                              interval: .microseconds(10))
        if !ok && !gone { context.log(.error, "port \(number): PxCMD.FR still set 500 ms after clearing FRE (AHCI §10.3.2)") }
        return ok
    }

    /// Sets PxCMD.ST (§10.3.1: FRE is set, CR is clear, and the device is not busy).
    func startCommandEngine() {
        write(PortRegister.cmd, commandRegister | PxCMD.st)
    }

    /// Waits for PxSSTS.DET = 3 (device present, Phy communication established).
    func waitForLink(_ timeout: Duration) -> Bool {
        context.wait(until: { read(PortRegister.ssts) & PxSSTS.detMask == PxSSTS.detPresentAndPhyUp || gone },
                     timeout: timeout, interval: .microseconds(100))
    }

    /// Waits for PxTFD.STS.BSY and DRQ to clear.
    func waitNotBusy(_ timeout: Duration) -> Bool {
        context.wait(until: { !busy || gone }, timeout: timeout, interval: .microseconds(100)) && !gone
    }

    /// COMRESET (§10.4.2): with ST clear, PxSCTL.DET = 1 for at least 1 ms, then DET = 0; wait
    /// for DET = 3; clear PxSERR (the reset sets bits in it). Partial and Slumber stay disabled.
    func comreset() -> Bool {
        comresets += 1
        let sctl = read(PortRegister.sctl) & ~PxSCTL.detMask | PxSCTL.ipmNoPartialNoSlumber << PxSCTL.ipmShift
        write(PortRegister.sctl, sctl | PxSCTL.detComreset)
        context.delay(.milliseconds(1))
        write(PortRegister.sctl, sctl | PxSCTL.detNone)
        let up = waitForLink(.seconds(1))
        clearSError()
        return up
    }

    // MARK: bring-up

    /// Brings the port up (§10.1.2, §10.3): idle, program PxCLB/PxFB, FRE, PxSERR, COMRESET if
    /// the link is not up, wait for the device, check PxSIG, ST, PxIE, IDENTIFY DEVICE. Returns
    /// false (with the port idle) when no usable ATA disk is attached.
    func bringUp() -> Bool {
        // §10.3.2: the port must be idle before PxCLB/PxFB change.
        guard stopCommandEngine(), stopFISReceive() else { return false }
        write(PortRegister.clb, commandList.busAddress.low32)
        write(PortRegister.clbu, commandList.busAddress.high32)
        write(PortRegister.fb, receivedFIS.busAddress.low32)
        write(PortRegister.fbu, receivedFIS.busAddress.high32)
        write(PortRegister.cmd, commandRegister | PxCMD.fre | (hba.supportsStaggeredSpinUp ? PxCMD.sud : 0))
        clearSError()
        // With staggered spin-up, SUD starts the link (§10.10.1); give it 10 ms before a COMRESET.
        if !waitForLink(.milliseconds(10)) {
            guard comreset() else {
                context.log(.info, "port \(number): no device (PxSSTS.DET = \(read(PortRegister.ssts) & PxSSTS.detMask))")
                stopFISReceive()
                return false
            }
        }
        // The device's first D2H Register FIS clears BSY and fills PxSIG (§10.3.1). Spinning disks
        // may take seconds to spin up.
        guard waitNotBusy(.seconds(10)) else {
            context.log(.error, "port \(number): device busy 10 s after link up (PxTFD 0x\(hex(read(PortRegister.tfd))))")
            stopFISReceive()
            return false
        }
        let sig = read(PortRegister.sig)
        guard sig == PxSIG.ata else {
            context.log(.info, "port \(number): not an ATA disk (PxSIG 0x\(hex(sig))); left idle")
            stopFISReceive()
            return false
        }
        clearSError()
        write(PortRegister.interruptStatus, PortInterrupt.all.rawValue)
        startCommandEngine()
        write(PortRegister.interruptEnable, PortInterrupt.enabled.rawValue)
        state = .running

        // IDENTIFY DEVICE (ATA8-ACS §7.16), polled: interrupts are not enabled in GHC yet.
        let fis = RegisterH2DFIS(command: ATACommand.identifyDevice)
        if let failure = runPolled(fis, bytes: sectorSize, timeout: .seconds(5)) {
            context.log(.error, "port \(number): IDENTIFY DEVICE failed: \(failure)")
            return shutDownAfterFailedBringUp()
        }
        var words = [UInt16](repeating: 0, count: sectorSize / 2)
        for i in 0..<words.count { words[i] = scratch.load16(2 * i) }
        let id = IdentifyData(words: words)
        guard id.supportsLBA48, id.sectors > 0 else {
            context.log(.error, "port \(number): \(id.model) lacks the 48-bit Address feature set; not used")
            return shutDownAfterFailedBringUp()
        }
        identify = id
        ncqEnabled = parameters.ncq && hba.supportsNCQ && id.supportsNCQ
        let depth = ncqEnabled ? min(slotCount, id.ncqDepth) : 1
        geometry = BlockGeometry(blockSize: sectorSize, blockCount: id.sectors, maximumQueueDepth: depth,
                                 maximumBlocksPerRequest: Self.maximumBlocksPerRequest)
        context.log(.info, "port \(number): \(id.model) (serial \(id.serial), firmware \(id.firmware)), \(id.sectors) sectors, "
                    + (ncqEnabled ? "NCQ depth \(depth)" : "no NCQ") + ", write cache \(id.writeCacheEnabled ? "on" : "off")")
        return true
    }

    private func shutDownAfterFailedBringUp() -> Bool {
        write(PortRegister.interruptEnable, 0)
        stopCommandEngine()
        stopFISReceive()
        write(PortRegister.interruptStatus, PortInterrupt.all.rawValue)
        state = .down
        return false
    }

    /// Builds slot 0's command table for `fis` moving `bytes` into (or from) ``scratch``.
    func prepareScratchCommand(_ fis: RegisterH2DFIS, bytes: Int) {
        let table = 0
        fis.store(into: tables, at: table + CommandTable.cfis)
        if bytes > 0 { storePRD(table: table, address: scratch.busAddress, bytes: bytes) }
        commandList.store32(CommandList.dw0, CommandList.descriptionInformation(
            fisDWords: RegisterH2DFIS.dwords, write: false, prdEntries: bytes > 0 ? CommandTable.prdEntries : 0))
        commandList.store32(CommandList.prdbc, 0)
    }

    @inline(__always) func storePRD(table: Int, address: BusAddress, bytes: Int) {
        let prd = table + CommandTable.prdt
        tables.store32(prd + PRD.dba, address.low32)
        tables.store32(prd + PRD.dbau, address.high32)
        tables.store32(prd + PRD.dw3, UInt32(bytes - 1) & PRD.dbcMask)
    }

    /// Issues a non-queued command on slot 0 (nothing else in flight) and polls PxCI for it; returns
    /// a description of the failure, or nil on success. A failed command leaves the port restarted.
    func runPolled(_ fis: RegisterH2DFIS, bytes: Int, timeout: Duration) -> String? {
        prepareScratchCommand(fis, bytes: bytes)
        regs.barrier()
        write(PortRegister.ci, 1)
        let fatal = PortInterrupt.fatal.rawValue
        let done = context.wait(until: {
            read(PortRegister.ci) & 1 == 0 || read(PortRegister.interruptStatus) & fatal != 0 || gone
        }, timeout: timeout, interval: .microseconds(10))
        let status = read(PortRegister.interruptStatus)
        let tfd = read(PortRegister.tfd)
        write(PortRegister.interruptStatus, status)
        regs.write32(HBARegister.interruptStatus, 1 << UInt32(number))
        if done && status & fatal == 0 && tfd & PxTFD.stsErr == 0 { return nil }
        let why = done ? "PxIS 0x\(hex(status)), PxTFD 0x\(hex(tfd))" : "no completion within \(timeout)"
        restartAfterError()
        return why
    }

    /// Stops the port, clears the error state and starts it again (§6.2.2.1 steps 2–5): PxSERR,
    /// PxIS, then CLO (or COMRESET without CAP.SCLO) if BSY or DRQ is stuck, then ST.
    /// Returns false when the port did not come back.
    @discardableResult
    func restartAfterError() -> Bool {
        recoveries += 1
        stopCommandEngine()
        clearSError()
        clearInterruptStatus()
        if busy {
            if hba.supportsCommandListOverride {
                write(PortRegister.cmd, commandRegister | PxCMD.clo)
                _ = context.wait(until: { read(PortRegister.cmd) & PxCMD.clo == 0 || gone }, timeout: .milliseconds(500),
                                 interval: .microseconds(10))
            }
            if busy {
                guard comreset(), waitNotBusy(.seconds(10)) else {
                    context.log(.error, "port \(number): device did not come back after COMRESET (PxSSTS 0x\(hex(read(PortRegister.ssts))), PxTFD 0x\(hex(read(PortRegister.tfd))))")
                    return false
                }
                clearInterruptStatus()
            }
        }
        startCommandEngine()
        return true
    }
}

/// Lower-case hexadecimal.
func hex<T: BinaryInteger>(_ v: T) -> String { String(v, radix: 16) }
