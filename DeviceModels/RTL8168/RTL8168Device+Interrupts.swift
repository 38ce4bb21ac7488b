import BoxlessPlatform

// Interrupts (RTL8111C DS §7 ISR/IMR, IntrMitigate, TCTR/TimerInt): the chip's interrupt is
// (ISR & IMR) ≠ 0. INTx follows it as a level; MSI and MSI-X (vector 0, the only source the chip
// has) send one message per rising edge — which is why drivers mask IMR in the handler and unmask
// it after the poll (r8169 rtl8169_interrupt / rtl_irq_enable).

extension RTL8168Device {
    /// Sets cause bits in ISR.
    func raise(_ bits: UInt16) {
        isr |= bits
        updateInterrupts()
    }

    /// Re-evaluates the interrupt after a register or config write.
    func interruptInputsChanged() { updateInterrupts() }

    /// Drives INTx, or sends an MSI/MSI-X message on a rising edge.
    func updateInterrupts() {
        guard let f = function else { return }
        let level = isr & imr != 0
        let kind = f.activeInterruptKind
        if kind == .intx {
            interruptLevel = level
            f.setINTx(level)
            return
        }
        if f.intxPinAsserted { f.setINTx(false) }
        defer { interruptLevel = level }
        guard level, !interruptLevel else { return }
        if kind == .msix { f.signalMSIX(0) } else { f.signalMSI(0) }
    }

    // MARK: mitigation (IntrMitigate; r8169 rtl_set_coalesce)

    /// Field values: TX timer 15:12, TX frames 11:8, RX timer 7:4, RX frames 3:0.
    private func mitigation(rx: Bool) -> (frames: Int, timer: VirtualDuration)? {
        let v = reg16(.IntrMitigate)
        let shift: UInt16 = rx ? 0 : 8
        let frames = Int(v >> shift & 0xF) * RTL8168ModelTiming.mitigationFrameUnit
        let t = UInt64(v >> (shift + 4) & 0xF)
        guard frames != 0 || t != 0 else { return nil }
        let unit = RTL8168ModelTiming.mitigationUnit[Int(cplus & RTL8168CPlusCmd.INTTMask)]
        return (frames, unit * t)
    }

    /// A frame completed: ROK/TOK is raised at once without mitigation; with it, after `frames`
    /// frames or when the timer (started by the first pending frame) runs out.
    func frameCompleted(rx: Bool) {
        let bit = rx ? RTL8168Interrupt.RxOK : RTL8168Interrupt.TxOK
        guard let m = mitigation(rx: rx) else { raise(bit); return }
        var st = rx ? rxMitigation : txMitigation
        st.pendingFrames += 1
        if m.frames != 0 && st.pendingFrames >= m.frames || m.timer == .zero {
            if let t = st.timer { function.cancel(t) }
            st = Mitigation()
            if rx { rxMitigation = st } else { txMitigation = st }
            raise(bit)
            return
        }
        if st.timer == nil {
            st.timer = function.schedule(after: m.timer) { [unowned(unsafe) self] in
                if rx { self.rxMitigation = Mitigation() } else { self.txMitigation = Mitigation() }
                self.raise(bit)
            }
        }
        if rx { rxMitigation = st } else { txMitigation = st }
    }

    // MARK: timer (TCTR / TimerInt)

    /// TimerInt ≠ 0: ISR.TimeOut when TCTR reaches it (once per count from 0).
    func scheduleTimer() {
        if let t = timerEvent { function.cancel(t); timerEvent = nil }
        let target = UInt64(reg32(.TimerInt))
        guard target != 0 else { return }
        let at = timerBase + RTL8168ModelTiming.timerTick * target
        guard at >= function.now else { return }
        timerEvent = function.schedule(at: at) { [unowned(unsafe) self] in
            self.timerEvent = nil
            self.raise(RTL8168Interrupt.TimeOut)
        }
    }
}
