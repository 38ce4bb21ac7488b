import BoxlessPlatform

/// ISR/IMR and INTx (§5.7, §5.8): the line is asserted while ISR & IMR is non-zero; ISR bits are
/// cleared by writing 1. TCTR counts PCI clocks and raises ISR.TimeOut when it reaches a non-zero
/// TimerInt (§5 TCTR, TimerInt).
extension RTL8139Device {
    /// Sets ISR bits and updates the line.
    func raise(_ bits: UInt16) {
        isr |= bits
        updateInterrupt()
    }

    /// Drives INTA# from ISR & IMR.
    func updateInterrupt() {
        function?.setINTx(isr & imr != 0)
    }

    /// Schedules ISR.TimeOut for the moment TCTR next equals TimerInt.
    func rescheduleTimer() {
        if let e = timerEvent { function.cancel(e); timerEvent = nil }
        guard timerInt != 0 else { return }
        let now = tctr
        let delta = timerInt &- now
        let ahead: UInt64 = delta == 0 ? 1 << 32 : UInt64(delta)
        let elapsed = (function.now - tctrBase).rawValue / RTL8139ModelTiming.pciClock.rawValue
        let at = tctrBase + RTL8139ModelTiming.pciClock * (elapsed + ahead)
        timerEvent = function.schedule(at: at) { [unowned(unsafe) self] in
            self.timerEvent = nil
            self.raise(RTL8139Interrupt.TimeOut)
            self.rescheduleTimer()
        }
    }
}

/// Interrupt mitigation state of one direction: completions not yet signalled and the timer.
struct RTL8139Mitigation {
    var pending = 0
    var event: EventID?
}

/// IntrMitigate (E2h, C+ registers; Linux 8139cp writes 0 and QEMU does not implement it). Its
/// layout is not in the RTL8139C+ documents read; the model takes the RTL8169's (Linux r8169's
/// coalescing: bits 15:12 transmit timer, 11:8 transmit frames, 7:4 receive timer, 3:0 receive
/// frames; frames in units of 4, the timer in ``RTL8139ModelTiming/mitigationTimerUnit``). A
/// direction with both fields 0 signals each completion at once (what 8139cp programs). Otherwise
/// ROK/TOK is raised when the frame count is reached or the timer, started by the first pending
/// completion, expires — whichever comes first. Only ROK and TOK are mitigated.
extension RTL8139Device {
    /// The (frames, timer) fields for a direction.
    func mitigationFields(receive: Bool) -> (frames: Int, timer: UInt64) {
        let field = receive ? intrMitigate & 0xFF : intrMitigate >> 8
        return (Int(field & 0xF) * 4, UInt64(field >> 4 & 0xF))
    }

    /// A receive (ROK) or transmit (TOK) completion.
    func signalCompletion(_ bit: UInt16) {
        let receive = bit == RTL8139Interrupt.ROK
        let (frames, timer) = mitigationFields(receive: receive)
        guard frames != 0 || timer != 0 else { raise(bit); return }
        var m = receive ? rxMitigation : txMitigation
        m.pending += 1
        if frames != 0 && m.pending >= frames {
            if let e = m.event { function.cancel(e) }
            m = RTL8139Mitigation()
            raise(bit)
        } else if timer != 0 && m.event == nil {
            m.event = function.schedule(after: RTL8139ModelTiming.mitigationTimerUnit * timer,
                                        receive ? rxMitigationAction : txMitigationAction)
        }
        if receive { rxMitigation = m } else { txMitigation = m }
    }

    func mitigationTimerFired(receive: Bool) {
        if receive { rxMitigation = RTL8139Mitigation(); raise(RTL8139Interrupt.ROK) }
        else { txMitigation = RTL8139Mitigation(); raise(RTL8139Interrupt.TOK) }
    }

    /// IntrMitigate rewritten: what was held back is signalled now.
    func flushMitigation() {
        if rxMitigation.pending > 0 { raise(RTL8139Interrupt.ROK) }
        if txMitigation.pending > 0 { raise(RTL8139Interrupt.TOK) }
        resetMitigation()
    }

    func resetMitigation() {
        if let e = rxMitigation.event { function?.cancel(e) }
        if let e = txMitigation.event { function?.cancel(e) }
        rxMitigation = RTL8139Mitigation(); txMitigation = RTL8139Mitigation()
    }
}
