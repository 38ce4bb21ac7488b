import BoxlessPlatform

/// A delay timer whose deadline can move later without cancelling platform events: one event is
/// pending at most per move earlier; when it fires early it re-arms itself for the current deadline.
struct TimerSlot {
    var deadline: VirtualTime?
    var event: EventID?
    var eventTime: VirtualTime = .zero
}

// Interrupts (SDM §13.4.17–13.4.21 ICR/ITR/ICS/IMS/IMC; 82574 DS: IAM, EIAC, IVAR, EITR,
// CTRL_EXT.IAME/EIAME, ICR.INT_ASSERTED) and the receive/transmit delay timers (SDM §3.2.7,
// §13.4.30–31 RDTR/RADV, §13.4.41 and §13.4.43 (inferred) TIDV/TADV).

extension E1000Device {
    enum Timer { static let rdtr = 0, radv = 1, tidv = 2, tadv = 3 }
    /// Throttle channel of INTx/MSI (ITR); channels 0–4 are the MSI-X vectors (EITR0–4).
    static let legacyChannel = 5

    // MARK: delay timers

    func arm(_ i: Int, after d: VirtualDuration) {
        let t = onFunction { $0.now } + d
        timers[i].deadline = t
        if timers[i].event == nil || timers[i].eventTime > t {
            if let e = timers[i].event { onFunction { $0.cancel(e) } }
            let action = timerActions[i]
            timers[i].event = onFunction { $0.schedule(at: t, action) }
            timers[i].eventTime = t
        }
    }

    func timerFired(_ i: Int) {
        timers[i].event = nil
        guard let d = timers[i].deadline else { return }
        if d > function.now {
            timers[i].event = function.schedule(at: d, timerActions[i])
            timers[i].eventTime = d
            return
        }
        timers[i].deadline = nil
        switch i {
        case Timer.rdtr, Timer.radv:
            stats.add(i == Timer.rdtr ? E1000Statistics.Index.ICRXPTC : E1000Statistics.Index.ICRXATC)
            timers[Timer.rdtr].deadline = nil; timers[Timer.radv].deadline = nil
            raise(E1000Interrupt.RXT0.rawValue)
        default:
            stats.add(i == Timer.tidv ? E1000Statistics.Index.ICTXPTC : E1000Statistics.Index.ICTXATC)
            timers[Timer.tidv].deadline = nil; timers[Timer.tadv].deadline = nil
            raise(E1000Interrupt.TXDW.rawValue)
        }
    }

    /// A received frame was written back (SDM §3.2.7): RDTR = 0 interrupts at once; otherwise the
    /// packet timer restarts with every frame and the absolute timer (RADV) starts with the first.
    func receiveInterrupt() {
        let rdtr = reg(.RDTR) & E1000Timing.delayTimerMask
        guard rdtr != 0 else { raise(E1000Interrupt.RXT0.rawValue); return }
        arm(Timer.rdtr, after: E1000ModelTiming.delayUnit * UInt64(rdtr))
        let radv = reg(.RADV) & E1000Timing.delayTimerMask
        if radv != 0 && timers[Timer.radv].deadline == nil {
            arm(Timer.radv, after: E1000ModelTiming.delayUnit * UInt64(radv))
        }
    }

    /// A transmit descriptor with RS was written back: TXDW now, or after TIDV/TADV when IDE is set.
    func transmitInterrupt(delayed: Bool) {
        let tidv = reg(.TIDV) & E1000Timing.delayTimerMask
        guard delayed, tidv != 0 else { raise(E1000Interrupt.TXDW.rawValue); return }
        arm(Timer.tidv, after: E1000ModelTiming.delayUnit * UInt64(tidv))
        let tadv = reg(.TADV) & E1000Timing.delayTimerMask
        if tadv != 0 && timers[Timer.tadv].deadline == nil {
            arm(Timer.tadv, after: E1000ModelTiming.delayUnit * UInt64(tadv))
        }
    }

    /// RDTR.FPD: fire the pending receive timers now (SDM §13.4.30).
    func flushReceiveTimers() {
        guard timers[Timer.rdtr].deadline != nil || timers[Timer.radv].deadline != nil else { return }
        timers[Timer.rdtr].deadline = nil; timers[Timer.radv].deadline = nil
        raise(E1000Interrupt.RXT0.rawValue)
    }

    /// TIDV.FPD (82574): fire the pending transmit timers now.
    func flushTransmitTimers() {
        guard timers[Timer.tidv].deadline != nil || timers[Timer.tadv].deadline != nil else { return }
        timers[Timer.tidv].deadline = nil; timers[Timer.tadv].deadline = nil
        raise(E1000Interrupt.TXDW.rawValue)
    }

    // MARK: causes

    /// Sets interrupt causes in ICR. On the 82574 in MSI-X mode the queue and Other bits (20–24)
    /// follow: RXT0 → RXQ0, TXDW → TXQ0, an enabled other cause → OTHER.
    func raise(_ causes: UInt32) {
        var c = causes
        if kind == .i82574L && onFunction({ $0.msixEnabled }) {
            if c & E1000Interrupt.RXT0.rawValue != 0 { c |= E1000Interrupt.RXQ0.rawValue }
            if c & E1000Interrupt.TXDW.rawValue != 0 { c |= E1000Interrupt.TXQ0.rawValue }
            if c & E1000Interrupt.otherCauses82574.rawValue & ims != 0 { c |= E1000Interrupt.OTHER.rawValue }
        }
        if kind == .i82574L {
            if c & E1000Interrupt.RXDMT0.rawValue != 0 { stats.add(E1000Statistics.Index.ICRXDMTC) }
            if c & E1000Interrupt.RXO.rawValue != 0 { stats.add(E1000Statistics.Index.ICRXOC) }
            if c & E1000Interrupt.TXQE.rawValue != 0 { stats.add(E1000Statistics.Index.ICTXQEC) }
        }
        // Nothing new to evaluate when every cause was already pending and nothing else changed
        // since the last evaluation: the interrupt is already signalled, latched, masked, or
        // waiting for its throttle event (which evaluates again).
        let before = icr
        icr |= c
        if icr != before || interruptInputsChanged { updateInterrupts() }
    }

    /// ICR read (SDM §13.4.17: read-to-clear). 82574: INT_ASSERTED reports a pending enabled cause,
    /// and with CTRL_EXT.IAME such a read applies IAM to IMS (auto-mask). The read clears ICR in
    /// MSI-X mode too: Linux's e1000e, which runs on the 82574L in MSI-X mode with IAME clear, reads
    /// ICR once in its Other-vector handler to consume LSC and re-raises (ICS) the queue causes that
    /// read consumed (netdev.c, e1000_msix_other) — a device that kept LSC would fire the Other
    /// vector again on every IMS re-enable, an interrupt storm the Linux host caught (82574 DS
    /// §10.2.4.1; §7.4.3 states the clear for systems without MSI-X and is silent on MSI-X).
    func readICR() -> UInt32 {
        guard kind == .i82574L else {
            let v = icr
            icr = 0
            updateInterrupts()
            return v
        }
        let asserted = icr & ims != 0
        let v = icr | (asserted ? E1000Interrupt.INT_ASSERTED.rawValue : 0)
        let iame = ctrlExt.contains(.IAME)
        if asserted && iame { ims &= ~reg(.IAM) }
        icr = 0
        if ctrlExt.contains(.INT_TIMERS_CLEAR_ENA) {
            for i in 0..<timers.count { timers[i].deadline = nil }
        }
        updateInterrupts()
        return v
    }

    // MARK: delivery

    /// Drives INTx, sends MSI or MSI-X messages for what is pending and enabled, throttled by
    /// ITR (INTx/MSI) or EITR (per MSI-X vector), SDM §13.4.18.
    func updateInterrupts() {
        guard unmanagedFunction != nil else { return }
        interruptInputsChanged = false
        let pending = icr & ims & ~E1000Interrupt.INT_ASSERTED.rawValue
        switch onFunction({ $0.activeInterruptKind }) {
        case .msix where kind == .i82574L:
            if lineAsserted { lineAsserted = false; function.setINTx(false) }
            deliverMSIX(pending)
        default:
            let kindNow = onFunction { $0.activeInterruptKind }
            if pending == 0 {
                if lineAsserted { lineAsserted = false; function.setINTx(false) }
                return
            }
            guard !lineAsserted else { return }
            guard throttleAllows(Self.legacyChannel, interval: reg(.ITR)) else { return }
            lineAsserted = true
            stats.add(E1000Statistics.Index.IAC)
            if kindNow == .msi { function.signalMSI(0) } else { function.setINTx(true) }
        }
    }

    /// MSI-X: each IVAR entry routes RXQ0/RXQ1/TXQ0/TXQ1/OTHER to a vector; a vector fires when one
    /// of its bits becomes pending; after the message EIAC auto-clears those ICR bits and, with
    /// CTRL_EXT.EIAME, IAM auto-masks them in IMS (82574 DS; FACTS.md sources 8, 9, 12).
    private func deliverMSIX(_ pending: UInt32) {
        let ivar = reg(.IVAR)
        for v in 0..<5 {
            let bits = Self.vectorBits(UInt32(v), ivar: ivar)
            guard bits != 0 else { continue }
            let mine = pending & bits
            let latch = UInt32(1) << UInt32(v)
            if mine == 0 { msixLatched &= ~latch; continue }
            guard msixLatched & latch == 0 else { continue }
            guard throttleAllows(v, interval: regs[Int((E1000Register.EITR0.rawValue >> 2)) + v]) else { continue }
            msixLatched |= latch
            stats.add(E1000Statistics.Index.IAC)
            function.signalMSIX(v)
            icr &= ~(mine & reg(.EIAC))
            if ctrlExt.contains(.EIAME) {
                var masked = bits
                if masked & E1000Interrupt.OTHER.rawValue != 0 { masked |= E1000Interrupt.otherCauses82574.rawValue }
                ims &= ~(masked & reg(.IAM))
            }
            if icr & ims & bits == 0 { msixLatched &= ~latch }
        }
    }

    /// The ICR bits IVAR routes to MSI-X vector `v`.
    static func vectorBits(_ v: UInt32, ivar: UInt32) -> UInt32 {
        var bits: UInt32 = 0
        func route(_ cause: E1000IVAR.Cause, _ bit: E1000Interrupt) {
            if E1000IVAR.vector(for: cause, in: ivar) == v { bits |= bit.rawValue }
        }
        route(.rxQueue0, .RXQ0); route(.rxQueue1, .RXQ1); route(.txQueue0, .TXQ0)
        route(.txQueue1, .TXQ1); route(.other, .OTHER)
        return bits
    }

    /// Whether channel `ch` may interrupt now under an interval of `interval` × 256 ns; if not, a
    /// re-evaluation is scheduled for when it may.
    private func throttleAllows(_ ch: Int, interval: UInt32) -> Bool {
        let now = onFunction { $0.now }
        if now >= throttleNext[ch] {
            throttleNext[ch] = now + E1000ModelTiming.throttleUnit * UInt64(interval & E1000Timing.itrIntervalMask)
            return true
        }
        if !throttleEvent[ch] {
            throttleEvent[ch] = true
            function.schedule(at: throttleNext[ch], throttleActions[ch])
        }
        return false
    }
}
