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
