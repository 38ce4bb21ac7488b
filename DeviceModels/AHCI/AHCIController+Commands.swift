import BoxlessPlatform

// Command processing: fetch from the command list, hand to the disk, complete (AHCI 1.3.1 §5).

extension AHCIController {
    /// Issues the commands set in PxCI and not yet handed to the device, in slot order from the slot
    /// after PxCMD.CCS (§5.3.2). Queued commands are accepted at once (their PxCI bit clears, PxSACT
    /// stays until the Set Device Bits FIS); a non-queued command keeps the device busy until it ends.
    func issueCommands(_ p: Int) {
        guard ports[p].st, !ports[p].halted, ports[p].deviceReady, let disk = disks[p] else { return }
        var pending = ports[p].ci & ~ports[p].issued
        while pending != 0 && ports[p].running < 0 && !ports[p].halted {
            // Next slot after CCS, wrapping.
            let start = (ports[p].ccs + 1) & 31
            let rotated = pending >> UInt32(start) | (start == 0 ? 0 : pending << UInt32(32 - start))
            let slot = (start + rotated.trailingZeroBitCount) & 31
            let bit = UInt32(1) << UInt32(slot)
            pending &= ~bit
            ports[p].ccs = slot
            guard fetch(p, slot) else { return }
            let proto = ports[p].slots[slot].proto
            ports[p].issued |= bit
            let queuedOutstanding = ports[p].issued & ~bit & ports[p].sact
            if proto.isQueued {
                ports[p].ci &= ~bit                       // accepted: D2H with BSY = 0
            } else {
                if queuedOutstanding != 0 {
                    breach(.nonQueuedDuringNCQ, "port \(p) slot \(slot) command \(hexString(UInt64(ports[p].slots[slot].taskFile.command), digits: 2))h with PxSACT = 0x\(hexString(UInt64(queuedOutstanding)))")
                    ports[p].slots[slot].violation = true
                }
                ports[p].running = slot
                ports[p].tfd = ports[p].tfd & 0xFF00 | UInt32(ATAStatus.bsy)
            }
            let c = ports[p].slots[slot]
            let work: DiskWork
            switch c.proto {
            case .dmaIn, .fpdmaIn:
                work = c.sectors > 0 ? .read(lba: c.lba, sectors: c.sectors) : .control(bytes: c.bytes)
            case .dmaOut, .fpdmaOut:
                work = .write(lba: c.lba, sectors: c.sectors, cached: disk.writeCacheEnabled && !c.fua)
            case .pioIn: work = .control(bytes: c.bytes)
            case .nonData:
                if c.taskFile.command == ATACommand.flushCache || c.taskFile.command == ATACommand.flushCacheExt {
                    let d = disk.dirtyState
                    work = .flush(bytes: d.bytes, chunks: d.chunks)
                } else { work = .control(bytes: 0) }
            case .control:
                work = .control(bytes: 0)
            }
            var done = disk.completionTime(work, start: function.now + Self.commandFetch, link: linkSpeed(p))
            if c.proto == .control && c.taskFile.control & FISType.controlSRST == 0 { done = done + disk.profile.resetReadyTime }
            switch askFaultHooks(p, slot, c) {
            case .none, .mediaError, .interfaceCRC: break
            case .timeout: continue            // the device never answers; the host's timer must fire
            case .latency(let d): done = done + d
            }
            let e = ports[p].epoch
            function.schedule(at: done) { [unowned self] in self.complete(p, slot, epoch: e) }
        }
    }

    /// Reads the command header and table of `slot` into ``PortState/slots``; false (port halted
    /// with the error raised) if that fails.
    func fetch(_ p: Int, _ slot: Int) -> Bool {
        let headerAddress = ports[p].clb &+ UInt64(slot) * CommandList.headerSize
        let hb = UnsafeMutableRawBufferPointer(rebasing: headerBuffer[0..<16])
        guard dmaOK(function.dmaRead(BusAddress(headerAddress), into: hb)) else { hostBusFatal(p, slot); return false }
        let dw0 = UInt32(littleEndian: hb.load(fromByteOffset: 0, as: UInt32.self))
        let ctbaLow = UInt32(littleEndian: hb.load(fromByteOffset: 8, as: UInt32.self))
        let ctbaHigh = UInt32(littleEndian: hb.load(fromByteOffset: 12, as: UInt32.self))
        if ctbaLow & 0x7F != 0 { breach(.ctbaMisaligned, "port \(p) slot \(slot) CTBA = 0x\(hexString(UInt64(ctbaLow)))") }
        let ctba = UInt64(ctbaHigh) << 32 | UInt64(ctbaLow & ~0x7F)
        let cfl = Int(dw0 & CommandList.cflMask)
        let prdtl = Int(dw0 >> CommandList.prdtlShift)
        // One read covers the CFIS and the PRDT.
        let tableBytes = prdtl > 0 ? CommandList.prdtOffset + prdtl * CommandList.prdSize : 64
        if tableBuffer.count < tableBytes {
            tableBuffer.deallocate()
            tableBuffer = .allocate(byteCount: tableBytes, alignment: 8)
        }
        let tb = UnsafeMutableRawBufferPointer(rebasing: tableBuffer[0..<tableBytes])
        guard dmaOK(function.dmaRead(BusAddress(ctba), into: tb)) else { hostBusFatal(p, slot); return false }
        guard cfl >= 5, cfl <= 16, let tf = TaskFile(fis: tb.baseAddress!) else {
            breach(.badCommandFIS, "port \(p) slot \(slot) CFL = \(cfl), FIS type \(hexString(UInt64(tb[0]), digits: 2))h")
            interfaceFatal(p, slot)
            return false
        }
        var c = CommandSlot()
        swap(&c.prds, &ports[p].slots[slot].prds)     // reuse the slot's PRD storage
        c.prds.removeAll(keepingCapacity: true)
        c.taskFile = tf
        c.header = dw0
        c.headerAddress = headerAddress
        var odd = false, misaligned = false
        for i in 0..<prdtl {
            let o = CommandList.prdtOffset + i * CommandList.prdSize
            let dba = UInt64(UInt32(littleEndian: tb.load(fromByteOffset: o, as: UInt32.self)))
                | UInt64(UInt32(littleEndian: tb.load(fromByteOffset: o + 4, as: UInt32.self))) << 32
            let dw3 = UInt32(littleEndian: tb.load(fromByteOffset: o + 12, as: UInt32.self))
            if dw3 & 1 == 0 { odd = true }
            if dba & 1 != 0 { misaligned = true }
            c.prds.append(PRD(address: dba & ~1, bytes: Int(dw3 & CommandList.prdByteCountMask) + 1,
                              interrupt: dw3 & CommandList.prdInterrupt != 0))
        }
        if odd { breach(.prdOddByteCount, "port \(p) slot \(slot)") }
        if misaligned { breach(.prdMisaligned, "port \(p) slot \(slot)") }
        classify(&c, p, slot)
        if c.bytes > 0 {
            var total = 0
            for prd in c.prds { total += prd.bytes }
            if total < c.bytes {
                breach(.prdtTooShort, "port \(p) slot \(slot): \(prdtl) PRDs describe \(total) bytes, the command moves \(c.bytes)")
            }
            let w = dw0 & CommandList.write != 0
            if w != c.proto.fromHost {
                breach(.writeBitMismatch, "port \(p) slot \(slot) command \(hexString(UInt64(tf.command), digits: 2))h with W = \(w ? 1 : 0)")
            }
        }
        if c.proto.isQueued {
            let bit = UInt32(1) << UInt32(slot)
            if ports[p].sact & bit == 0 { breach(.ncqWithoutSACT, "port \(p) slot \(slot)") }
            if tf.fpdmaTag != slot { breach(.ncqTagMismatch, "port \(p) slot \(slot) TAG \(tf.fpdmaTag)") }
        }
        ports[p].slots[slot] = c
        return true
    }

    /// Decodes the command's protocol, LBA, sector count and data length.
    private func classify(_ c: inout CommandSlot, _ p: Int, _ slot: Int) {
        let tf = c.taskFile
        guard tf.isCommand else { c.proto = .control; return }
        switch tf.command {
        case ATACommand.readDMAExt: c.proto = .dmaIn; c.lba = tf.lba; c.sectors = tf.count48
        case ATACommand.readDMA: c.proto = .dmaIn; c.lba = tf.lba28; c.sectors = tf.count28
        case ATACommand.writeDMAExt: c.proto = .dmaOut; c.lba = tf.lba; c.sectors = tf.count48
        case ATACommand.writeDMAFUAExt: c.proto = .dmaOut; c.lba = tf.lba; c.sectors = tf.count48; c.fua = true
        case ATACommand.writeDMA: c.proto = .dmaOut; c.lba = tf.lba28; c.sectors = tf.count28
        case ATACommand.readFPDMAQueued: c.proto = .fpdmaIn; c.lba = tf.lba; c.sectors = tf.fpdmaCount
        case ATACommand.writeFPDMAQueued: c.proto = .fpdmaOut; c.lba = tf.lba; c.sectors = tf.fpdmaCount; c.fua = tf.fua
        case ATACommand.identifyDevice: c.proto = .pioIn; c.bytes = 512
        case ATACommand.readLogExt: c.proto = .pioIn; c.bytes = tf.count48 * 512
        case ATACommand.readLogDMAExt: c.proto = .dmaIn; c.bytes = tf.count48 * 512
        default: c.proto = .nonData
        }
        if c.sectors > 0 { c.bytes = c.sectors * BlockGeometry.sectorSize }
    }

    // MARK: completion

    /// The device finished the command in `slot` (if the port has not abandoned it since).
    func complete(_ p: Int, _ slot: Int, epoch: UInt32) {
        guard ports[p].epoch == epoch, let disk = disks[p] else { return }
        let c = ports[p].slots[slot]
        let tf = c.taskFile
        let now = function.now
        disk.statistics.commands += 1

        if c.proto == .control { completeControl(p, slot, disk); return }
        // A device in the NCQ error state aborts all but READ LOG (DMA) EXT of page 10h.
        let isErrorLogRead = (tf.command == ATACommand.readLogExt || tf.command == ATACommand.readLogDMAExt)
            && UInt8(truncatingIfNeeded: tf.lba) == ATALog.ncqCommandError
        if c.violation {
            // The device aborts the non-queued command and every queued one (ATA8-ACS NCQ).
            disk.ncqError = NCQErrorRecord(tag: nil, status: ATAStatus.ready | ATAStatus.err, error: ATAError.abrt, lba: 0, count: 0)
            abortQueued(p, disk)
            taskFileError(p, slot, .fail(ATAError.abrt), queued: false, disk)
            return
        }
        if disk.ncqError != nil && !isErrorLogRead {
            taskFileError(p, slot, .fail(ATAError.abrt), queued: false, disk)
            return
        }
        switch c.fault {
        case .mediaError:
            // An uncorrectable error at the first LBA (ATA8-ACS: ERR.UNC, the LBA of the failure).
            taskFileError(p, slot, .fail(ATAError.unc, lba: c.lba), queued: c.proto.isQueued, disk)
            return
        case .interfaceCRC:
            // The link damaged the transfer: ICRC + ABRT, and PxSERR.ERR.C / DIAG.C (§3.3.12).
            ports[p].serr |= SError.errPersistent | SError.diagCRC
            taskFileError(p, slot, .fail(ATAError.icrc | ATAError.abrt, lba: c.lba), queued: c.proto.isQueued, disk)
            return
        default: break
        }
        ensureData(c.bytes)
        let data = UnsafeMutableRawBufferPointer(rebasing: dataBuffer[0..<c.bytes])
        var outcome = SATADisk.Outcome.ok
        switch c.proto {
        case .dmaIn, .fpdmaIn, .pioIn:
            switch tf.command {
            case ATACommand.identifyDevice: disk.identify(into: data.baseAddress!)
            case ATACommand.readLogExt, ATACommand.readLogDMAExt:
                outcome = disk.readLog(address: UInt8(truncatingIfNeeded: tf.lba), page: Int(tf.lba >> 8 & 0xFFFF),
                                       pages: tf.count48, into: data.baseAddress!)
            default: outcome = disk.read(lba: c.lba, count: c.sectors, into: data)
            }
            if outcome.failed { taskFileError(p, slot, outcome, queued: c.proto.isQueued, disk); return }
            if c.proto == .fpdmaIn {
                FIS.dmaSetup(fisBuffer.baseAddress!, tag: slot, toHost: true, bytes: c.bytes)
                guard postFIS(p, ReceivedFIS.dmaSetup, 28) else { return }
            }
            guard let moved = moveData(p, slot, data, toHost: true) else { return }
            finishSuccess(p, slot, c, moved: moved, disk)
        case .dmaOut, .fpdmaOut:
            if c.proto == .fpdmaOut {
                FIS.dmaSetup(fisBuffer.baseAddress!, tag: slot, toHost: false, bytes: c.bytes)
                guard postFIS(p, ReceivedFIS.dmaSetup, 28) else { return }
            }
            guard let moved = moveData(p, slot, data, toHost: false) else { return }
            outcome = disk.write(lba: c.lba, count: c.sectors, from: UnsafeRawBufferPointer(data), fua: c.fua, now: now)
            if outcome.failed { taskFileError(p, slot, outcome, queued: c.proto.isQueued, disk); return }
            finishSuccess(p, slot, c, moved: moved, disk)
        case .nonData:
            switch tf.command {
            case ATACommand.flushCache, ATACommand.flushCacheExt: outcome = disk.flush(now: now)
            case ATACommand.setFeatures: outcome = disk.setFeatures(tf)
            case ATACommand.setMultipleMode, ATACommand.checkPowerMode: outcome = .ok
            default: outcome = .fail(ATAError.abrt)
            }
            if outcome.failed { taskFileError(p, slot, outcome, queued: false, disk); return }
            finishSuccess(p, slot, c, moved: 0, disk)
        case .control:
            break
        }
    }

    /// Grows the data buffer to at least `bytes`.
    func ensureData(_ bytes: Int) {
        guard dataBuffer.count < bytes else { return }
        dataBuffer.deallocate()
        dataBuffer = .allocate(byteCount: max(bytes, dataBuffer.count * 2), alignment: 64)
    }

    /// Moves the command's data through its PRDs. Returns the bytes moved, or nil when the port
    /// halted (host bus error → HBFS; PRDT shorter than the data → OFS).
    func moveData(_ p: Int, _ slot: Int, _ data: UnsafeMutableRawBufferPointer, toHost: Bool) -> Int? {
        let total = data.count
        var off = 0
        var descriptorDone = false
        let prds = ports[p].slots[slot].prds
        for prd in prds {
            if off >= total { break }
            let n = min(prd.bytes, total - off)
            let piece = UnsafeMutableRawBufferPointer(rebasing: data[off..<off + n])
            let st = toHost ? function.dmaWrite(BusAddress(prd.address), from: UnsafeRawBufferPointer(piece))
                            : function.dmaRead(BusAddress(prd.address), into: piece)
            guard dmaOK(st) else { hostBusFatal(p, slot); return nil }
            off += n
            if prd.interrupt && n == prd.bytes { descriptorDone = true }
        }
        if descriptorDone { raise(p, PortIRQ.dps) }
        if off < total {
            // More data than the PRDT describes (§3.3.5 OFS).
            halt(p, slot, PortIRQ.ofs)
            return nil
        }
        return off
    }

    /// A successful end: PRDBC, the ending FIS, PxTFD, PxCI/PxSACT and the interrupt.
    func finishSuccess(_ p: Int, _ slot: Int, _ c: CommandSlot, moved: Int, _ disk: SATADisk) {
        let bit = UInt32(1) << UInt32(slot)
        let f = fisBuffer.baseAddress!
        switch c.proto {
        case .fpdmaIn, .fpdmaOut:
            // Set Device Bits FIS: completes the tag (§5.3.? NCQ; PxSACT bit clears).
            FIS.setDeviceBits(f, status: ATAStatus.ready, error: 0, sactive: bit, interrupt: true)
            guard postFIS(p, ReceivedFIS.setDeviceBits, 8) else { return }
            ports[p].tfd = ports[p].tfd & ~0xFF77 | UInt32(ATAStatus.ready & 0x77)
            ports[p].sact &= ~bit
            ports[p].issued &= ~bit
            raise(p, PortIRQ.sdbs)
        case .pioIn:
            if moved > 0 { _ = function.dmaStore(BusAddress(c.headerAddress + 4), UInt32(moved)) }
            FIS.pioSetup(f, status: ATAStatus.ready | ATAStatus.drq, endStatus: ATAStatus.ready, bytes: c.bytes, interrupt: true)
            guard postFIS(p, ReceivedFIS.pioSetup, 20) else { return }
            endNonQueued(p, bit, status: ATAStatus.ready, error: 0)
            raise(p, PortIRQ.pss)
            issueCommands(p)
        default:
            if moved > 0 { _ = function.dmaStore(BusAddress(c.headerAddress + 4), UInt32(moved)) }
            FIS.d2h(f, status: ATAStatus.ready, error: 0, lba: c.lba, count: 0, interrupt: true)
            guard postFIS(p, ReceivedFIS.d2hRegister, 20) else { return }
            endNonQueued(p, bit, status: ATAStatus.ready, error: 0)
            raise(p, PortIRQ.dhrs)
            issueCommands(p)
        }
    }

    private func endNonQueued(_ p: Int, _ bit: UInt32, status: UInt8, error: UInt8) {
        ports[p].tfd = UInt32(error) << 8 | UInt32(status)
        ports[p].ci &= ~bit
        ports[p].issued &= ~bit
        ports[p].running = -1
    }

    /// A Device Control FIS: SRST set holds the device in reset (with header C set, PxCI and BSY
    /// clear once sent); SRST cleared ends the reset and the device answers with its signature.
    private func completeControl(_ p: Int, _ slot: Int, _ disk: SATADisk) {
        let c = ports[p].slots[slot]
        let bit = UInt32(1) << UInt32(slot)
        if c.taskFile.control & FISType.controlSRST != 0 {
            abortQueued(p, disk)
            disk.ncqError = nil
            ports[p].sact = 0
            ports[p].ci &= c.header & CommandList.clearBusy != 0 ? ~bit : ~0
            ports[p].issued &= ~bit
            ports[p].running = -1
            ports[p].tfd = c.header & CommandList.clearBusy != 0 ? UInt32(ATAStatus.ready) : UInt32(ATAStatus.bsy)
            issueCommands(p)
            return
        }
        ports[p].sig = 0x0000_0101
        FIS.d2h(fisBuffer.baseAddress!, status: ATAStatus.ready, error: 0x01, lba: 0x01, count: 1, interrupt: false)
        guard postFIS(p, ReceivedFIS.d2hRegister, 20) else { return }
        endNonQueued(p, bit, status: ATAStatus.ready, error: 0x01)
        issueCommands(p)
    }

    /// The device drops every queued command (NCQ error or reset); their PxSACT bits stay for
    /// software to see.
    private func abortQueued(_ p: Int, _ disk: SATADisk) {
        ports[p].epoch &+= 1
        ports[p].issued &= ports[p].running >= 0 ? UInt32(1) << UInt32(ports[p].running) : 0
        if disk.timing.pathFree > function.now { disk.timing.pathFree = function.now }
    }

    /// An ATA error: PxTFD.STS.ERR with the Error field, PxIS.TFES, the port halts (§6.1.2). A queued
    /// command reports through a Set Device Bits FIS and leaves the disk in the NCQ error state.
    func taskFileError(_ p: Int, _ slot: Int, _ o: SATADisk.Outcome, queued: Bool, _ disk: SATADisk) {
        disk.statistics.errors += 1
        let f = fisBuffer.baseAddress!
        let bit = UInt32(1) << UInt32(slot)
        if queued {
            let c = ports[p].slots[slot]
            disk.ncqError = NCQErrorRecord(tag: slot, status: o.status, error: o.error, lba: o.lba,
                                           count: UInt16(truncatingIfNeeded: c.sectors))
            abortQueued(p, disk)
            FIS.setDeviceBits(f, status: o.status, error: o.error, sactive: 0, interrupt: true)
            _ = postFIS(p, ReceivedFIS.setDeviceBits, 8)
            ports[p].tfd = UInt32(o.error) << 8 | ports[p].tfd & 0x88 | UInt32(o.status & 0x77)
            ports[p].issued &= ~bit
            ports[p].ccs = slot
            ports[p].halted = true
            raise(p, PortIRQ.sdbs | PortIRQ.tfes)
        } else {
            FIS.d2h(f, status: o.status, error: o.error, lba: o.lba, count: 0, interrupt: true)
            _ = postFIS(p, ReceivedFIS.d2hRegister, 20)
            ports[p].tfd = UInt32(o.error) << 8 | UInt32(o.status)
            ports[p].issued &= ~bit        // PxCI stays set for software to see
            ports[p].running = -1
            ports[p].ccs = slot
            ports[p].halted = true
            raise(p, PortIRQ.dhrs | PortIRQ.tfes)
        }
    }

    /// Posts `length` bytes of ``fisBuffer`` at `offset` of the received-FIS area if PxCMD.FRE is
    /// set; false if the DMA failed (HBFS raised).
    func postFIS(_ p: Int, _ offset: UInt64, _ length: Int) -> Bool {
        guard ports[p].fre else { return true }
        let st = function.dmaWrite(BusAddress(ports[p].fb &+ offset), from: UnsafeRawBufferPointer(rebasing: fisBuffer[0..<length]))
        guard dmaOK(st) else { hostBusFatal(p, ports[p].ccs); return false }
        return true
    }

    @inline(__always) func dmaOK(_ st: DMAStatus) -> Bool { st == .ok || st == .dropped }

    /// A host bus error the HBA cannot recover from (bad pointer: IOMMU fault or master abort):
    /// PxIS.HBFS, the port halts (§3.3.5 HBFS, §6.1.2).
    func hostBusFatal(_ p: Int, _ slot: Int) {
        abandonDevice(p)
        halt(p, slot, PortIRQ.hbfs)
    }

    /// A malformed command FIS: PxSERR.ERR.P and PxIS.IFS, the port halts (§6.1.2).
    func interfaceFatal(_ p: Int, _ slot: Int) {
        ports[p].serr |= SError.errProtocol
        halt(p, slot, PortIRQ.ifs)
    }

    private func abandonDevice(_ p: Int) {
        ports[p].epoch &+= 1
        ports[p].issued = 0
        ports[p].running = -1
        if let d = disks[p], d.timing.pathFree > function.now { d.timing.pathFree = function.now }
    }

    private func halt(_ p: Int, _ slot: Int, _ bits: UInt32) {
        ports[p].halted = true
        ports[p].ccs = slot
        disks[p]?.statistics.errors += 1
        raise(p, bits)
    }
}
