import NativeDriverKit

extension AHCIPort {
    /// How an aborted request is treated.
    enum AbortKind {
        /// Another request failed; this one is issued again without counting an attempt.
        case innocent
        /// The cause is unknown or its own (timeout, interface error): counts an attempt.
        case suspect(String)
        /// It failed with this status.
        case failed(BlockStatus)
    }

    /// Removes every issued request from its slot, oldest issue first.
    private func takeIssued() -> [(slot: Int, pending: PendingRequest)] {
        var out: [(Int, PendingRequest, UInt64)] = []
        var bits = issued
        while bits != 0 {
            let slot = bits.trailingZeroBitCount
            bits &= bits - 1
            if let p = slots[slot].pending { out.append((slot, p, slots[slot].sequence)) }
            slots[slot].pending = nil
        }
        issued = 0
        nonQueuedInFlight = false
        return out.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }

    /// Puts aborted requests back at the front of the queue (in issue order) or fails them, and
    /// returns the completions to deliver once the port is consistent again.
    private func settle(_ aborted: [(slot: Int, pending: PendingRequest)], _ kind: (Int) -> AbortKind) -> [BlockCompletion] {
        var failures: [BlockCompletion] = []
        var again: [PendingRequest] = []
        for (slot, p) in aborted {
            var p = p
            switch kind(slot) {
            case .innocent:
                again.append(p)
            case .suspect(let why):
                p.attempts += 1
                if p.attempts > parameters.retries {
                    context.log(.error, "port \(number): request \(p.request.id) failed after \(p.attempts) attempts: \(why)")
                    failures.append(BlockCompletion(id: p.request.id, status: .deviceError(why)))
                } else {
                    again.append(p)
                }
            case .failed(let status):
                if case .mediaError = status { mediaErrors += 1 }
                failures.append(BlockCompletion(id: p.request.id, status: status))
            }
        }
        retries += again.count
        for p in again.reversed() { queue.prepend(p) }
        return failures
    }

    /// What an ATA Status/Error pair means for the request `r` that failed with it.
    func verdict(ataStatus: UInt8, error: UInt8, lba: UInt64, for r: BlockRequest) -> AbortKind {
        let detail = "ATA status 0x\(hex(ataStatus)), error 0x\(hex(error))"
        if error & ATAError.unc != 0 {
            // The LBA registers hold the first unreadable sector (ATA8-ACS §7.25.6).
            let end = r.lba + UInt64(r.blockCount)
            return .failed(.mediaError(lba: (r.lba..<end).contains(lba) ? lba : r.lba))
        }
        if error & ATAError.idnf != 0 {
            return .failed(.invalid("IDNF: blocks \(r.lba)..<\(r.lba + UInt64(r.blockCount)) are not addressable (\(detail))"))
        }
        if error & ATAError.icrc != 0 { return .suspect("interface CRC error (\(detail))") }
        if error & ATAError.abrt != 0 { return .failed(.deviceError("command aborted (\(detail))")) }
        return .failed(.deviceError("device error (\(detail))"))
    }

    /// Error recovery after a fatal PxIS bit (AHCI 1.3.1 §6.2.2): note PxCI/PxSACT/PxTFD and the
    /// D2H FIS, stop the port, clear PxSERR and PxIS, CLO or COMRESET if the device is stuck busy,
    /// restart; for an NCQ error read the NCQ Command Error log (which also takes the device out of
    /// its error state) to learn the failing tag. The failing request gets its error; the others,
    /// aborted with it, go back to the front of the queue.
    func recoverFromError(_ status: PortInterrupt) {
        recovering = true
        let tfd = read(PortRegister.tfd)
        let cmd = read(PortRegister.cmd)
        let serr = read(PortRegister.serr)
        let wasNonQueued = nonQueuedInFlight
        let d2h = RegisterD2HFIS(from: receivedFIS, at: ReceivedFIS.rfis)
        let aborted = takeIssued()
        context.log(.warning, "port \(number): error PxIS 0x\(hex(status.rawValue)), PxTFD 0x\(hex(tfd)), PxSERR 0x\(hex(serr)), "
                    + "\(aborted.count) command(s) in flight; recovering (AHCI §6.2.2)")
        let restarted = restartAfterError()

        var kind: (Int) -> AbortKind = { _ in .suspect("PxIS 0x\(hex(status.rawValue)), PxSERR 0x\(hex(serr))") }
        if restarted && status.contains(.tfes) && !aborted.isEmpty {
            let ataStatus = UInt8(truncatingIfNeeded: tfd)
            let ataError = UInt8(truncatingIfNeeded: tfd >> PxTFD.errShift)
            if wasNonQueued {
                // Non-queued (§6.2.2.1): the one command in flight failed (PxCMD.CCS names it).
                let failing = aborted.count == 1 ? aborted[0].slot : Int((cmd >> PxCMD.ccsShift) & PxCMD.ccsMask)
                let verdict = aborted.first { $0.slot == failing }.map {
                    self.verdict(ataStatus: ataStatus, error: ataError, lba: d2h.lba, for: $0.pending.request)
                }
                kind = { slot in slot == failing ? (verdict ?? .innocent) : .innocent }
            } else if let log = readNCQErrorLog() {
                // Native command queuing (§6.2.2.2): the log names the failing tag (= slot).
                if !log.nonQueued, let culprit = aborted.first(where: { $0.slot == log.tag }) {
                    let verdict = self.verdict(ataStatus: log.status, error: log.error, lba: log.lba, for: culprit.pending.request)
                    kind = { slot in slot == log.tag ? verdict : .innocent }
                } else {
                    context.log(.warning, "port \(number): NCQ error log names no outstanding tag (byte 0 = 0x\(hex(UInt8(log.tag) | (log.nonQueued ? ATALog.nq : 0))))")
                }
            }
        }
        let failures = settle(aborted, kind)
        if !restarted { failPort("port did not recover from an error") }
        recovering = false
        deliver(failures)
    }

    /// READ LOG EXT, log 10h (NCQ Command Error, ATA8-ACS §A.14) on the restarted port, polled.
    private func readNCQErrorLog() -> NCQErrorLog? {
        // LBA 7:0 = log address, Count = pages (ATA8-ACS §7.24.3).
        let fis = RegisterH2DFIS(command: ATACommand.readLogExt, lba: UInt64(ATALog.ncqCommandError), count: 1)
        if let why = runPolled(fis, bytes: sectorSize, timeout: .seconds(1)) {
            context.log(.error, "port \(number): READ LOG EXT 10h failed: \(why)")
            return nil
        }
        return NCQErrorLog(from: scratch)
    }

    // MARK: watchdog

    /// How long a request may take.
    func limit(for op: BlockOperation) -> Duration {
        op == .flush ? parameters.timeout * 6 : parameters.timeout
    }

    /// Starts the watchdog if it is not running. One timer per port checks every issued slot's own
    /// deadline, so the I/O path does not create a timer per request.
    func armWatchdog() {
        if let w = watchdog, w.isActive { return }
        watchdog = context.startTimer(after: parameters.timeout) { [unowned self] in self.watchdogFired() }
    }

    private func watchdogFired() {
        watchdog = nil
        guard state == .running, issued != 0 else { return }
        // A controller that is gone answers nothing: no reset to try (PxSSTS never reads all ones).
        _ = read(PortRegister.ssts)
        if gone { vanished(); return }
        let now = context.now
        var expired: UInt32 = 0
        var nextDeadline: Instant?
        var bits = issued
        while bits != 0 {
            let slot = bits.trailingZeroBitCount
            bits &= bits - 1
            guard let p = slots[slot].pending else { continue }
            let deadline = slots[slot].issuedAt + limit(for: p.request.operation)
            if deadline <= now { expired |= 1 << UInt32(slot) }
            else if nextDeadline.map({ deadline < $0 }) ?? true { nextDeadline = deadline }
        }
        if expired != 0 {
            timedOut(expired)
            dispatch()
        } else if let d = nextDeadline {
            watchdog = context.startTimer(after: d - now) { [unowned self] in self.watchdogFired() }
        }
    }

    /// Overdue commands: COMRESET the port (§10.4.2), then retry (or fail) what was in flight.
    private func timedOut(_ expired: UInt32) {
        recovering = true
        timeouts += expired.nonzeroBitCount
        // A warning: the port is reset and the commands retried; a request that still fails is an error.
        context.log(.warning, "port \(number): \(expired.nonzeroBitCount) command(s) overdue (PxCI 0x\(hex(read(PortRegister.ci))), "
                    + "PxSACT 0x\(hex(read(PortRegister.sact))), PxTFD 0x\(hex(read(PortRegister.tfd)))); COMRESET")
        let aborted = takeIssued()
        recoveries += 1
        stopCommandEngine()
        var ok = comreset() && waitNotBusy(.seconds(10))
        if ok {
            clearInterruptStatus()
            startCommandEngine()
        } else {
            context.log(.error, "port \(number): device did not come back after COMRESET")
            ok = false
        }
        let failures = settle(aborted) { slot in
            expired & (1 << UInt32(slot)) != 0 ? .suspect("timeout") : .innocent
        }
        if !ok { failPort("device did not come back after COMRESET") }
        recovering = false
        deliver(failures)
    }

    // MARK: failure and shutdown

    /// Marks the port failed: every queued request fails with `why`.
    private func failPort(_ why: String) {
        if gone { vanished(); return }
        state = .failed
        watchdog?.cancel(); watchdog = nil
        write(PortRegister.interruptEnable, 0)
        stopCommandEngine()
        let left = takeIssued() + queue.removeAll().map { (slot: -1, pending: $0) }
        deliver(left.map { BlockCompletion(id: $0.pending.request.id, status: .deviceError(why)) })
    }

    func deliver(_ completions: [BlockCompletion]) {
        for c in completions { client?.completed(c) }
    }

    /// Stops the port for detach (§10.3.2): interrupts off, ST and FRE cleared with bounded waits,
    /// memory freed. Returns the requests that were still outstanding, failed, for the driver to
    /// deliver after everything is released.
    func shutDown() -> [BlockCompletion] {
        watchdog?.cancel(); watchdog = nil
        if !gone {
            write(PortRegister.interruptEnable, 0)
            stopCommandEngine()
            stopFISReceive()
            write(PortRegister.interruptStatus, PortInterrupt.all.rawValue)
            clearSError()
        }
        let left = takeIssued() + queue.removeAll().map { (slot: -1, pending: $0) }
        state = .removed
        releaseMemory()
        return left.map { BlockCompletion(id: $0.pending.request.id, status: .deviceError("device removed")) }
    }
}

// MARK: surprise removal

extension AHCIPort {
    /// The controller is gone (a register read all ones: an Unsupported Request or completion
    /// timeout returns all-ones data, PCIe Base 4.0 §2.3.2): no register is touched again, and
    /// every outstanding request fails with "device removed". Once.
    func vanished() {
        guard state != .removed else { return }
        if state == .failed && issued == 0 && queue.isEmpty { return }   // already handled
        context.log(.warning, "port \(number): registers read all ones: the controller was removed")
        state = .failed
        watchdog?.cancel(); watchdog = nil
        let left = takeIssued() + queue.removeAll().map { (slot: -1, pending: $0) }
        deliver(left.map { BlockCompletion(id: $0.pending.request.id, status: .deviceError("device removed")) })
    }
}
