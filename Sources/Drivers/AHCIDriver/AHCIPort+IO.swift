import NativeDriverKit

extension AHCIPort {
    public func setClient(_ client: any BlockClient) { self.client = client }

    /// Requests outstanding: queued plus issued.
    var outstanding: Int { queue.count + issued.nonzeroBitCount }

    /// Queues `request`. Throws `.invalidArgument` for a malformed request (or one beyond the
    /// capacity, unless `range_check=0`), `.resourceUnavailable` when ``geometry``'s queue depth is
    /// reached, `.invalidState` when the port is not running. Every accepted request is completed
    /// exactly once.
    public func submit(_ request: BlockRequest) throws(DriverError) {
        guard state == .running else { throw .invalidState("port \(number) is \(state)") }
        switch request.operation {
        case .read, .write:
            guard request.blockCount > 0, request.blockCount <= Self.maximumBlocksPerRequest else {
                throw .invalidArgument("\(request.blockCount) blocks (1…\(Self.maximumBlocksPerRequest) per request)")
            }
            let (end, overflow) = request.lba.addingReportingOverflow(UInt64(request.blockCount))
            let limit = parameters.rangeCheck ? geometry.blockCount : 1 << 48
            guard !overflow, end <= limit else {
                throw .invalidArgument("blocks \(request.lba)..<\(request.lba &+ UInt64(request.blockCount)) beyond \(limit)")
            }
            if request.operation == .write && request.data.count != request.blockCount * sectorSize {
                throw .invalidArgument("write of \(request.data.count) bytes for \(request.blockCount) blocks")
            }
        case .flush: break
        }
        guard outstanding < geometry.maximumQueueDepth else {
            throw .resourceUnavailable("queue full (\(geometry.maximumQueueDepth) requests outstanding)")
        }
        queue.append(PendingRequest(request: request))
        if !batching { dispatch() }
    }

    /// Issues queued requests while slots are free, respecting the non-queued rules: a non-queued
    /// command (flush, or anything with NCQ off) runs alone (SATA 3.x §13.6.2.3: a non-queued command
    /// while NCQ commands are outstanding is an error), and nothing is issued past a waiting flush.
    /// One barrier and one PxSACT/PxCI write issue the whole batch (§5.3.2.1, §3.3.13: PxSACT first).
    func dispatch() {
        guard state == .running, !recovering else { return }
        var newBits: UInt32 = 0
        var newNonQueued = false
        while let next = queue.first {
            let queued = ncqEnabled && next.request.operation != .flush
            let inFlight = issued | newBits
            if inFlight != 0 && (!queued || nonQueuedInFlight) { break }
            let free = ~inFlight & allSlots
            guard free != 0 else { break }
            let slot = free.trailingZeroBitCount
            _ = queue.popFirst()
            prepare(slot: slot, next, queued: queued)
            newBits |= 1 << UInt32(slot)
            if !queued { newNonQueued = true; break }
        }
        guard newBits != 0 else { return }
        nonQueuedInFlight = newNonQueued
        regs.barrier()
        if !newNonQueued { write(PortRegister.sact, newBits) }
        write(PortRegister.ci, newBits)
        issued |= newBits
        armWatchdog()
    }

    /// Builds slot `slot`'s command: bounce data for a write, CFIS, PRD, header (§4.2.2, §4.2.3).
    @inline(__always)
    private func prepare(slot: Int, _ p: PendingRequest, queued: Bool) {
        let r = p.request
        let table = slot * CommandTable.stride
        let bytes = r.blockCount * sectorSize
        let data = bounce.busAddress + slot * Self.bounceBytes
        var fis: RegisterH2DFIS
        switch r.operation {
        case .read, .write:
            let isRead = r.operation == .read
            if !isRead { r.data.withUnsafeBytes { bounce.copyBytes(to: slot * Self.bounceBytes, from: $0) } }
            if queued {
                // READ/WRITE FPDMA QUEUED: count in Features, tag in Count bits 7:3 (ATA8-ACS §7.23.3).
                fis = RegisterH2DFIS(command: isRead ? ATACommand.readFPDMAQueued : ATACommand.writeFPDMAQueued,
                                     features: UInt16(truncatingIfNeeded: r.blockCount), lba: r.lba, device: ATADevice.lba,
                                     count: UInt16(slot) << FPDMA.tagShift)
            } else {
                fis = RegisterH2DFIS(command: isRead ? ATACommand.readDMAExt : ATACommand.writeDMAExt,
                                     lba: r.lba, device: ATADevice.lba, count: UInt16(truncatingIfNeeded: r.blockCount))
            }
            storePRD(table: table, address: data, bytes: bytes)
        case .flush:
            fis = RegisterH2DFIS(command: identify?.supportsFlushCacheExt == false ? ATACommand.flushCache : ATACommand.flushCacheExt,
                                 device: ATADevice.lba)
        }
        fis.store(into: tables, at: table + CommandTable.cfis)
        let header = slot * CommandList.headerSize
        commandList.store32(header + CommandList.dw0, CommandList.descriptionInformation(
            fisDWords: RegisterH2DFIS.dwords, write: r.operation == .write,
            prdEntries: r.operation == .flush ? 0 : CommandTable.prdEntries))
        commandList.store32(header + CommandList.prdbc, 0)
        sequence &+= 1
        slots[slot] = SlotState(pending: p, issuedAt: context.now, sequence: sequence)
    }

    // MARK: interrupt side

    /// Top half, for this port's bit in IS: read and acknowledge PxIS (RW1C). PhyRdy and connect
    /// changes and unknown FISes are reflected from PxSERR and are cleared there (§3.3.5).
    /// Returns the PxIS bits acknowledged.
    @discardableResult
    func acknowledgeInterrupt() -> UInt32 {
        let status = read(PortRegister.interruptStatus)
        guard status != 0 else { return 0 }
        if gone { vanished(); return 0 }
        if status & (PortInterrupt.pcs.rawValue | PortInterrupt.prcs.rawValue | PortInterrupt.ufs.rawValue
                     | PortInterrupt.infs.rawValue) != 0 {
            clearSError()
        }
        write(PortRegister.interruptStatus, status)
        pendingStatus.formUnion(PortInterrupt(rawValue: status))
        return status
    }

    /// Bottom half: handles errors, completes finished commands, issues queued ones.
    func service() {
        if gone { vanished(); return }
        guard state == .running else { return }
        let status = pendingStatus
        pendingStatus = []
        if !status.isDisjoint(with: .fatal) {
            recoverFromError(status)
            dispatch()
            return
        }
        if !status.isDisjoint(with: [.pcs, .prcs, .infs, .ufs]) {
            context.log(.warning, "port \(number): PxIS 0x\(hex(status.rawValue)) (link change or non-fatal interface error)")
        }
        if issued != 0 {
            // An NCQ command is done when its PxSACT bit clears (Set Device Bits FIS, §5.6.4.2); its
            // PxCI bit cleared earlier, when the device accepted it. A non-queued one when PxCI clears.
            let active = nonQueuedInFlight ? read(PortRegister.ci) : read(PortRegister.sact)
            let done = issued & ~active
            if done != 0 {
                batching = true
                complete(done)
                batching = false
            }
        }
        dispatch()
        if issued == 0, queue.isEmpty, let w = watchdog { w.cancel(); watchdog = nil }
    }

    /// Completes the slots in `done` successfully, handing read data to the client.
    private func complete(_ done: UInt32) {
        var bits = done
        while bits != 0 {
            let slot = bits.trailingZeroBitCount
            bits &= bits - 1
            issued &= ~(1 << UInt32(slot))
            guard let p = slots[slot].pending else { continue }
            slots[slot].pending = nil
            let r = p.request
            if r.operation == .read {
                let data = bounce.bytes(at: slot * Self.bounceBytes, count: r.blockCount * sectorSize)
                client?.completed(BlockCompletion(id: r.id, status: .success, data: data))
            } else {
                client?.completed(BlockCompletion(id: r.id, status: .success))
            }
        }
    }
}
