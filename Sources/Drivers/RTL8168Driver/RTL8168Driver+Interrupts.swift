import NativeDriverKit

/// Interrupts: one source (the chip's ISR & IMR), delivered as MSI-X vector 0, MSI or INTx; the
/// NAPI-like poll (r8169 rtl8169_interrupt / rtl8169_poll).
extension RTL8168Driver {
    /// Allocates one vector in the configured order of modes and attaches the handler. Only LinkChg
    /// is enabled until ``open(client:)``.
    func setUpInterrupts() throws(DriverError) {
        var failure: DriverError = .resourceUnavailable("no interrupt mode was tried")
        for mode in config.interruptModes {
            do {
                let a = try device.allocateInterrupts(InterruptRequest(modes: [mode], minimumVectors: 1, maximumVectors: 1))
                interruptMode = a.mode
                interruptsAllocated = true
                break
            } catch {
                failure = error
                context.log(.info, "\(mode) unavailable: \(error)")
            }
        }
        guard interruptsAllocated else { throw failure }
        try device.attachInterrupt(vector: 0, name: "rtl8168") { [unowned self] in self.interrupt() }
        regs.write16(Reg.IntrStatus, Intr.all)
        regs.write16(Reg.IntrMask, Intr.LinkChg)
    }

    /// The handler: read ISR; nothing set (or all ones: the device is gone) is not ours. Mask IMR,
    /// acknowledge what was read, send link changes to the link work and completions to the poll.
    func interrupt() -> InterruptResult {
        let status = regs.read16(Reg.IntrStatus)
        guard status != 0, status != 0xFFFF else { return .notMine }
        counters.interrupts &+= 1
        regs.write16(Reg.IntrMask, 0)
        regs.write16(Reg.IntrStatus, status)
        if status & Intr.LinkChg != 0 { linkWork?.schedule() }
        if isOpen, status & (Intr.enabled & ~Intr.LinkChg) != 0 {
            pollMasked = true
            poll?.schedule()
        } else {
            regs.write16(Reg.IntrMask, isOpen ? Intr.enabled : Intr.LinkChg)
        }
        return .handled
    }

    /// The bottom half: reclaim transmit completions, receive up to the budget; run again if the
    /// budget was used up, else unmask (a cause latched meanwhile fires at once).
    func runPoll() {
        guard isOpen else { return }
        counters.polls &+= 1
        reclaimTransmitted()
        if receive(budget: config.budget) >= config.budget {
            poll?.schedule()
            return
        }
        pollMasked = false
        regs.write16(Reg.IntrMask, Intr.enabled)
    }
}
