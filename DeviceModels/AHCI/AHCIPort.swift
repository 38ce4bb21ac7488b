import BoxlessPlatform

/// One physical region descriptor (AHCI 1.3.1 §4.2.3.3), decoded.
struct PRD {
    /// DBA/DBAU: data base address.
    var address: UInt64
    /// DBC + 1: bytes.
    var bytes: Int
    /// I: interrupt on completion (PxIS.DPS).
    var interrupt: Bool
}

/// How a command moves data (ATA protocol classes).
enum CommandProtocol: UInt8 {
    /// No data.
    case nonData
    /// PIO data-in (IDENTIFY DEVICE, READ LOG EXT).
    case pioIn
    /// DMA from device to memory.
    case dmaIn
    /// DMA from memory to device.
    case dmaOut
    /// NCQ read (READ FPDMA QUEUED).
    case fpdmaIn
    /// NCQ write (WRITE FPDMA QUEUED).
    case fpdmaOut
    /// A Device Control FIS (C = 0), e.g. software reset.
    case control

    var isQueued: Bool { self == .fpdmaIn || self == .fpdmaOut }
    var toHost: Bool { self == .pioIn || self == .dmaIn || self == .fpdmaIn }
    var fromHost: Bool { self == .dmaOut || self == .fpdmaOut }
}

/// A command the HBA fetched into a slot (value type; reused per slot, no allocation once warm).
struct CommandSlot {
    var taskFile = TaskFile()
    var proto = CommandProtocol.nonData
    /// Command header DW0.
    var header: UInt32 = 0
    /// Bus address of the command header.
    var headerAddress: UInt64 = 0
    /// Start LBA and sectors of media commands; bytes of data for any data command.
    var lba: UInt64 = 0
    var sectors = 0
    var bytes = 0
    /// FUA write.
    var fua = false
    /// The device must abort it (issued against the NCQ rules).
    var violation = false
    /// What the fault layer made of this command (``AHCIController/askFaultHooks(_:_:_:)``).
    var fault = DiskCommandFault.none
    var prds: ContiguousArray<PRD> = []
}

/// The state of one port (AHCI 1.3.1 §3.3), registers and engine.
struct PortState {
    var clb: UInt64 = 0
    var fb: UInt64 = 0
    var interruptStatus: UInt32 = 0
    var interruptEnable: UInt32 = 0
    /// PxCMD bits stored as written (PMA, ATAPI, DLAE, ALPE, ASP).
    var cmdPlain: UInt32 = 0
    var st = false, fre = false, cr = false, fr = false, sud = false
    var tfd: UInt32 = PortTFD.resetValue
    var sig: UInt32 = 0xFFFF_FFFF
    var det: UInt32 = SStatus.detNone
    var speed: UInt32 = 0
    var sctl: UInt32 = 0
    var serr: UInt32 = 0
    var sact: UInt32 = 0
    var ci: UInt32 = 0
    var sntf: UInt32 = 0
    /// Slots handed to the device and not yet finished.
    var issued: UInt32 = 0
    /// The non-queued slot the device is executing, or −1.
    var running = -1
    /// A fatal error stopped command processing (§6.1.2) until ST is cleared.
    var halted = false
    /// Bumped whenever outstanding work is abandoned; stale completion events compare it.
    var epoch: UInt32 = 0
    /// Bumped on every link reset; stale link events compare it.
    var linkEpoch: UInt32 = 0
    /// The device sent its signature and accepts commands.
    var deviceReady = false
    /// PxCMD.CCS.
    var ccs = 0
    var slots = [CommandSlot](repeating: CommandSlot(), count: AHCIController.queueDepth)

    /// PxSSTS (§3.3.10).
    var ssts: UInt32 {
        det == SStatus.detEstablished ? det | speed << SStatus.spdShift | SStatus.ipmActive : det
    }
    /// PxIS as software reads it: PCS and PRCS mirror PxSERR.DIAG.X and DIAG.N (§3.3.5).
    var effectiveIS: UInt32 {
        interruptStatus | (serr & SError.diagExchanged != 0 ? PortIRQ.pcs : 0)
            | (serr & SError.diagPhyRdyChange != 0 ? PortIRQ.prcs : 0)
    }
    /// PxCMD (§3.3.7).
    var cmd: UInt32 {
        var v = cmdPlain | PortCMD.pod
        if st { v |= PortCMD.st | UInt32(ccs) << PortCMD.ccsShift }
        if sud { v |= PortCMD.sud }
        if fre { v |= PortCMD.fre }
        if fr { v |= PortCMD.fr }
        if cr { v |= PortCMD.cr }
        return v
    }
}

extension AHCIController {
    // MARK: port registers

    func readPortRegister(_ p: Int, _ r: UInt64) -> UInt32 {
        let s = ports[p]
        switch r {
        case PortRegister.clb: return UInt32(truncatingIfNeeded: s.clb)
        case PortRegister.clbu: return UInt32(truncatingIfNeeded: s.clb >> 32)
        case PortRegister.fb: return UInt32(truncatingIfNeeded: s.fb)
        case PortRegister.fbu: return UInt32(truncatingIfNeeded: s.fb >> 32)
        case PortRegister.interruptStatus: return s.effectiveIS
        case PortRegister.interruptEnable: return s.interruptEnable
        case PortRegister.cmd: return s.cmd
        case PortRegister.tfd: return s.tfd
        case PortRegister.sig: return s.sig
        case PortRegister.ssts: return s.ssts
        case PortRegister.sctl: return s.sctl
        case PortRegister.serr: return s.serr
        case PortRegister.sact: return s.sact
        case PortRegister.ci: return s.ci
        case PortRegister.sntf: return s.sntf
        default: return 0
        }
    }

    func writePortRegister(_ p: Int, _ r: UInt64, _ value: UInt32, mask: UInt32) {
        // Plain registers merge a partial write with the current value; RW1C and write-1-to-set ones
        // take only the bytes written.
        let merged = value & mask | readPortRegister(p, r) & ~mask
        switch r {
        case PortRegister.clb, PortRegister.clbu:
            if ports[p].st || ports[p].cr { breach(.clbWrittenWhileRunning, "port \(p)") }
            if r == PortRegister.clb {
                if merged & 0x3FF != 0 { breach(.clbMisaligned, "port \(p) PxCLB = 0x\(hexString(UInt64(merged)))") }
                ports[p].clb = ports[p].clb & 0xFFFF_FFFF_0000_0000 | UInt64(merged & ~0x3FF)
            } else {
                ports[p].clb = ports[p].clb & 0xFFFF_FFFF | UInt64(merged) << 32
            }
        case PortRegister.fb, PortRegister.fbu:
            if ports[p].fre || ports[p].fr { breach(.fbWrittenWhileRunning, "port \(p)") }
            if r == PortRegister.fb {
                if merged & 0xFF != 0 { breach(.fbMisaligned, "port \(p) PxFB = 0x\(hexString(UInt64(merged)))") }
                ports[p].fb = ports[p].fb & 0xFFFF_FFFF_0000_0000 | UInt64(merged & ~0xFF)
            } else {
                ports[p].fb = ports[p].fb & 0xFFFF_FFFF | UInt64(merged) << 32
            }
        case PortRegister.interruptStatus:
            ports[p].interruptStatus &= ~(value & mask & PortIRQ.writeOneToClear)
            updateInterrupts(newCause: false)
        case PortRegister.interruptEnable:
            let before = ports[p].effectiveIS & ports[p].interruptEnable
            ports[p].interruptEnable = merged & PortIRQ.enableMask
            let after = ports[p].effectiveIS & ports[p].interruptEnable
            updateInterrupts(newCause: after & ~before != 0)
        case PortRegister.cmd: writeCMD(p, merged)
        case PortRegister.sctl: writeSCTL(p, merged)
        case PortRegister.serr:
            ports[p].serr &= ~(value & mask)
            updateInterrupts(newCause: false)
        case PortRegister.sact:
            let v = value & mask
            guard v != 0 else { return }
            guard ports[p].st else { breach(.sactWhileStopped, "port \(p) PxSACT |= 0x\(hexString(UInt64(v)))"); return }
            ports[p].sact |= v
        case PortRegister.ci:
            let v = value & mask
            guard v != 0 else { return }
            guard ports[p].st else { breach(.ciWhileStopped, "port \(p) PxCI |= 0x\(hexString(UInt64(v)))"); return }
            ports[p].ci |= v
            issueCommands(p)
        case PortRegister.sntf:
            ports[p].sntf &= ~(value & mask)
        default:
            break
        }
    }

    // MARK: PxCMD state machine (§3.3.7, §10.3)

    func writeCMD(_ p: Int, _ v: UInt32) {
        ports[p].cmdPlain = v & PortCMD.plainRW
        // FIS receive (FRE → FR).
        let fre = v & PortCMD.fre != 0
        if fre && !ports[p].fre {
            if ports[p].fb == 0 { breach(.freWithoutFB, "port \(p)") }
            ports[p].fre = true
            ports[p].fr = true
        } else if !fre && ports[p].fre {
            if ports[p].st || ports[p].cr { breach(.freClearedWhileRunning, "port \(p)") }
            ports[p].fre = false
            ports[p].fr = false
        }
        // Spin-up (CAP.SSS = 1): SUD 0→1 starts the link (COMRESET/OOB) unless PxSCTL.DET holds it;
        // 1→0 puts the port in listen mode (link down).
        let sud = v & PortCMD.sud != 0
        if sud && !ports[p].sud {
            ports[p].sud = true
            if ports[p].sctl & 0xF == 0 { startLink(p) }
        } else if !sud && ports[p].sud {
            ports[p].sud = false
            linkDown(p, det: SStatus.detNone)
        }
        // Command list override: clear BSY and DRQ so a command can be issued (§3.3.7 CLO).
        if v & PortCMD.clo != 0 {
            if ports[p].st { breach(.cloWhileRunning, "port \(p)") }
            ports[p].tfd &= ~UInt32(ATAStatus.bsy | ATAStatus.drq)
        }
        // Start.
        let st = v & PortCMD.st != 0
        if st && !ports[p].st {
            if ports[p].cr { breach(.startWhileRunning, "port \(p)") }
            if !ports[p].fre { breach(.startWithoutFRE, "port \(p)") }
            ports[p].st = true
            ports[p].cr = true
            ports[p].halted = false
            ports[p].epoch &+= 1
            ports[p].ccs = AHCIController.queueDepth - 1     // the next issue scans from slot 0
            issueCommands(p)
        } else if !st && ports[p].st {
            stopEngine(p)
        }
    }

    /// ST 1→0: PxCI and PxSACT clear, outstanding commands are abandoned, and CR clears once the
    /// engine has stopped (§3.3.7 ST, §10.3.2).
    func stopEngine(_ p: Int) {
        let busy = ports[p].issued != 0 || ports[p].ci != 0 || ports[p].sact != 0
        ports[p].st = false
        ports[p].ci = 0
        ports[p].sact = 0
        ports[p].issued = 0
        ports[p].running = -1
        ports[p].halted = false
        ports[p].epoch &+= 1
        ports[p].ccs = 0
        if let d = disks[p], d.timing.pathFree > function.now { d.timing.pathFree = function.now }
        guard busy else { ports[p].cr = false; return }
        let e = ports[p].epoch
        function.schedule(after: Self.engineStopTime) { [unowned self] in
            if self.ports[p].epoch == e && !self.ports[p].st { self.ports[p].cr = false }
        }
    }

    // MARK: link (§3.3.10–3.3.12, §10.4.2)

    func writeSCTL(_ p: Int, _ v: UInt32) {
        let old = ports[p].sctl & 0xF
        ports[p].sctl = v & 0xFFF
        let det = v & 0xF
        guard det != old else { return }
        if ports[p].st { breach(.sctlWhileRunning, "port \(p) DET \(old) → \(det)") }
        switch det {
        case 1:
            // COMRESET: the interface and the device reset; PxTFD.STS = 7Fh, PxSSTS.DET = 0 (§3.3.11).
            linkDown(p, det: SStatus.detNone)
            disks[p]?.ncqError = nil
        case 4:
            linkDown(p, det: SStatus.detOffline)
        case 0:
            if ports[p].sud { startLink(p) }
        default:
            break
        }
    }

    /// The link drops: commands in the device are lost, the task file reads 7Fh.
    func linkDown(_ p: Int, det: UInt32) {
        ports[p].linkEpoch &+= 1
        let wasUp = ports[p].det == SStatus.detEstablished
        ports[p].det = det
        ports[p].speed = 0
        ports[p].deviceReady = false
        ports[p].tfd = PortTFD.resetValue
        ports[p].issued = 0
        ports[p].running = -1
        ports[p].epoch &+= 1
        if let d = disks[p], d.timing.pathFree > function.now { d.timing.pathFree = function.now }
        if wasUp { raiseSERR(p, SError.diagPhyRdyChange) }
    }

    /// Starts OOB signalling: PhyRdy after ``linkUpTime`` if a disk is attached.
    func startLink(_ p: Int) {
        guard disks[p] != nil else { return }
        ports[p].linkEpoch &+= 1
        let e = ports[p].linkEpoch
        function.schedule(after: Self.linkUpTime) { [unowned self] in
            guard self.ports[p].linkEpoch == e else { return }
            self.linkUp(p)
        }
    }

    /// PhyRdy: DET = 3 at the negotiated speed; COMINIT was received (DIAG.X) and PhyRdy changed
    /// (DIAG.N); the device is busy until it sends its signature.
    func linkUp(_ p: Int) {
        guard let d = disks[p] else { return }
        let limit = ports[p].sctl >> 4 & 0xF
        var gen = min(3, d.linkSpeed.rawValue)
        if limit != 0 { gen = min(gen, Int(limit)) }
        ports[p].det = SStatus.detEstablished
        ports[p].speed = UInt32(gen)
        ports[p].tfd = UInt32(ATAStatus.bsy)
        function.note("port \(p) link up at \(SATALinkSpeed(rawValue: gen)!)")
        raiseSERR(p, SError.diagPhyRdyChange | SError.diagExchanged)
        let e = ports[p].linkEpoch
        function.schedule(after: d.profile.resetReadyTime) { [unowned self] in
            guard self.ports[p].linkEpoch == e else { return }
            self.deviceSignature(p)
        }
    }

    /// The device's first D2H Register FIS after reset: ATA signature (PxSIG = 101h), status 50h,
    /// error 01h (diagnostics passed). PxTFD and PxSIG take it even with FRE clear (§3.3.7 FRE).
    func deviceSignature(_ p: Int) {
        ports[p].sig = 0x0000_0101
        ports[p].tfd = 0x01 << 8 | UInt32(ATAStatus.ready)
        ports[p].deviceReady = true
        disks[p]?.ncqError = nil
        let f = fisBuffer.baseAddress!
        FIS.d2h(f, status: ATAStatus.ready, error: 0x01, lba: 0x01, count: 1, interrupt: false)
        _ = postFIS(p, ReceivedFIS.d2hRegister, 20)
        issueCommands(p)
    }

    /// The link speed a port runs at.
    func linkSpeed(_ p: Int) -> SATALinkSpeed { SATALinkSpeed(rawValue: Int(max(1, ports[p].speed))) ?? .gen1 }

    // MARK: HBA reset (§10.4.3)

    /// GHC.HR: every port's engine stops, links drop (SUD clears: software spins ports up again),
    /// port registers other than PxCLB/PxFB return to their defaults, GHC.AE and IE clear.
    func hbaReset(immediate: Bool) {
        for p in ports.indices {
            ports[p].linkEpoch &+= 1
            ports[p].epoch &+= 1
            let clb = ports[p].clb, fb = ports[p].fb
            let slots = ports[p].slots
            ports[p] = PortState()
            ports[p].clb = clb; ports[p].fb = fb
            ports[p].slots = slots
            disks[p]?.ncqError = nil
        }
        interruptStatus = 0
        ae = false
        ie = false
        aeFindingReported = false
        updateInterrupts(newCause: false)
        guard !immediate else { resetting = false; return }
        resetting = true
        function.schedule(after: Self.hbaResetTime) { [unowned self] in
            self.resetting = false
            self.function.note("HBA reset complete")
        }
    }

    // MARK: interrupts (§3.1.3, §10.7)

    /// Sets PxIS bits of port `p` and signals if that makes a new enabled cause.
    func raise(_ p: Int, _ bits: UInt32) {
        let fresh = bits & ~ports[p].interruptStatus
        ports[p].interruptStatus |= bits
        updateInterrupts(newCause: fresh & ports[p].interruptEnable != 0)
    }

    /// Sets PxSERR bits (PCS/PRCS follow DIAG.X/N).
    func raiseSERR(_ p: Int, _ bits: UInt32) {
        let before = ports[p].effectiveIS
        ports[p].serr |= bits
        let fresh = ports[p].effectiveIS & ~before
        updateInterrupts(newCause: fresh & ports[p].interruptEnable != 0)
    }

    /// IS bit *n* is set while port *n* has an enabled cause; INTx follows GHC.IE && IS ≠ 0; an MSI
    /// goes out for each new enabled cause while GHC.IE is set.
    func updateInterrupts(newCause: Bool) {
        for p in ports.indices where ports[p].effectiveIS & ports[p].interruptEnable != 0 {
            interruptStatus |= 1 << UInt32(p)
        }
        let level = ie && interruptStatus != 0
        let kind = function.activeInterruptKind
        function.setINTx(kind == .intx && level)
        if newCause && level {
            switch kind {
            case .msi: function.signalMSI(0)
            case .msix: function.signalMSIX(0)
            case .intx: break
            }
        }
    }
}
