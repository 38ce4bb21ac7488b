import NativeDriverKit

/// Interrupts: allocation with fallback, handlers, the NAPI-like poll and its masks
/// (SDM §13.4.17–21 ICR/ITR/IMS/IMC; 82574 DS IVAR, EIAC, EITR and MSI-X).
extension E1000Driver {
    /// Allocates vectors in the configured order of modes (MSI-X with three vectors, else one MSI
    /// or INTx vector), attaches the handlers and programs moderation and routing. Only the link
    /// interrupt is enabled until ``open(client:)``.
    func setUpInterrupts() throws(DriverError) {
        var failure: DriverError = .resourceUnavailable("no interrupt mode was tried")
        for mode in config.interruptModes {
            let vectors = mode == .msix ? Self.msixVectors : 1
            do {
                let a = try device.allocateInterrupts(InterruptRequest(modes: [mode], minimumVectors: vectors, maximumVectors: vectors))
                interruptsAllocated = true
                interruptMode = a.mode
                interruptVectors = a.vectorCount
                break
            } catch {
                failure = error
            }
        }
        guard interruptsAllocated else { throw failure }
        if interruptMode == .msix {
            try device.attachInterrupt(vector: Self.rxVector, name: "e1000-rx") { [unowned self] in self.receiveVectorFired() }
            try device.attachInterrupt(vector: Self.txVector, name: "e1000-tx") { [unowned self] in self.transmitVectorFired() }
            try device.attachInterrupt(vector: Self.otherVector, name: "e1000-other") { [unowned self] in self.otherVectorFired() }
        } else {
            try device.attachInterrupt(vector: 0, name: "e1000") { [unowned self] in self.sharedInterrupt() }
        }
        programInterrupts()
    }

    /// The interrupt registers for the allocated mode (probe, and again after a reset).
    func programInterrupts() {
        if interruptMode == .msix {
            // Route receive queue 0, transmit queue 0 and the other causes to their vectors, and let
            // the device clear those ICR bits itself when it sends each message (82574 DS IVAR, EIAC).
            regs.write32(Reg.IVAR, IVAR.entry(shift: IVAR.RX0_SHIFT, vector: Self.rxVector)
                             | IVAR.entry(shift: IVAR.TX0_SHIFT, vector: Self.txVector)
                             | IVAR.entry(shift: IVAR.OTHER_SHIFT, vector: Self.otherVector))
            regs.write32(Reg.EIAC, msixQueueCauses)
            for v in 0..<Self.msixVectors { regs.write32(Reg.EITR(v), config.itrInterval) }
        }
        regs.write32(Reg.ITR, config.itrInterval)
        regs.write32(Reg.IMS, linkCauses)
    }

    /// MSI-X cause bits of the three vectors (82574 only; zero otherwise).
    var msixQueueCauses: UInt32 { interruptMode == .msix ? Cause.RXQ0 | Cause.TXQ0 | Cause.OTHER : 0 }

    /// Causes enabled while closed: link changes only.
    var linkCauses: UInt32 { Cause.LSC | (interruptMode == .msix ? Cause.OTHER : 0) }

    /// Causes enabled while open. INTx/MSI (SDM §14.4: RXT0, RXO, RXDMT0, LSC; §14.5: TXDW). MSI-X
    /// (82574 DS): the queue causes RXQ0 and TXQ0, which the device raises with RXT0 and TXDW, and
    /// OTHER with the "other" causes LSC and RXO.
    var enabledCauses: UInt32 {
        interruptMode == .msix ? linkCauses | Cause.RXO | msixQueueCauses : linkCauses | Cause.receive | Cause.transmit
    }

    // MARK: handlers

    /// INTx or MSI: one vector for everything. Reading ICR acknowledges (SDM §13.4.17); receive and
    /// transmit causes are masked (IMC) and handed to the poll; a link change goes to the link work.
    func sharedInterrupt() -> InterruptResult {
        let icr = regs.read32(Reg.ICR)
        guard icr != Self.allOnes else { surpriseRemoval(); return interruptMode == .intx ? .notMine : .handled }
        let causes = icr & ~Cause.INT_ASSERTED
        guard causes != 0 else { return interruptMode == .intx ? .notMine : .handled }
        counters.interrupts &+= 1
        if causes & (Cause.receive | Cause.transmit) != 0, !napiMasked, isOpen {
            regs.write32(Reg.IMC, Cause.receive | Cause.transmit)
            napiMasked = true
            poll?.schedule()
        }
        if causes & Cause.LSC != 0 { linkWork?.schedule() }
        return .handled
    }

    /// MSI-X receive vector: masked until the poll is done with the ring.
    func receiveVectorFired() -> InterruptResult {
        counters.interrupts &+= 1
        if !rxVectorMasked {
            device.maskInterrupt(vector: Self.rxVector)
            rxVectorMasked = true
        }
        poll?.schedule()
        return .handled
    }

    /// MSI-X transmit vector: masked until the poll has reclaimed the completions.
    func transmitVectorFired() -> InterruptResult {
        counters.interrupts &+= 1
        if !txVectorMasked {
            device.maskInterrupt(vector: Self.txVector)
            txVectorMasked = true
        }
        poll?.schedule()
        return .handled
    }

    /// MSI-X other vector: ICR says which; link changes go to the link work.
    func otherVectorFired() -> InterruptResult {
        let causes = regs.read32(Reg.ICR)
        guard causes != Self.allOnes else { surpriseRemoval(); return .handled }
        counters.interrupts &+= 1
        if causes & Cause.LSC != 0 { linkWork?.schedule() }
        if causes & (Cause.receive | Cause.transmit) != 0, isOpen { poll?.schedule() }
        // Re-arm OTHER and link causes in IMS: harmless where IMS is left alone (the datasheet's
        // behaviour without IAM/EIAME), needed on devices that auto-mask on MSI-X delivery
        // (QEMU's 82574; docs/QEMU-DEVIATIONS.md D5). IMS is write-1-to-set (SDM §13.4.20).
        if isOpen { regs.write32(Reg.IMS, Cause.OTHER | Cause.LSC) }
        return .handled
    }

    // MARK: poll

    /// The bottom half: reclaims transmit completions, receives up to the budget, and either runs
    /// again (budget used up: more is waiting) or re-arms the interrupts it took over.
    func runPoll() {
        guard isOpen, !gone else { return }
        counters.polls &+= 1
        reclaimTransmitted()
        if receive(budget: config.budget) >= config.budget {
            poll?.schedule()
            return
        }
        releasePollMasks()
    }

    /// Gives receive/transmit interrupts back to the device: IMS (INTx/MSI) or the vector masks
    /// (MSI-X). A cause that arrived meanwhile is still latched and fires at once.
    func releasePollMasks() {
        if napiMasked {
            napiMasked = false
            if isOpen { regs.write32(Reg.IMS, Cause.receive | Cause.transmit) }
        }
        if rxVectorMasked || txVectorMasked, isOpen {
            // Queue causes back in IMS before unmasking (see otherVectorFired: D5).
            regs.write32(Reg.IMS, Cause.RXQ0 | Cause.TXQ0)
        }
        if rxVectorMasked {
            rxVectorMasked = false
            device.unmaskInterrupt(vector: Self.rxVector)
        }
        if txVectorMasked {
            txVectorMasked = false
            device.unmaskInterrupt(vector: Self.txVector)
        }
    }
}
