import NativeDriverKit

// Recovery from a hung transmitter. A frame handed to the device whose descriptors are not written
// back (DD, SDM §3.3.3.2) for a whole watchdog period while the link is up means the transmit unit
// stopped; the only cure the manual gives is a reset of the controller (CTRL.RST, SDM §13.4.1) and a
// new initialization (SDM §14.3–14.5). Linux's e1000 does the same ("Detected Tx Unit Hang" in
// e1000_clean_tx_irq, then a reset from its watchdog task).

/// What the watchdog saw of the transmit ring at its last tick.
struct TransmitWatch {
    /// The oldest unreclaimed descriptor then.
    var clean = 0
    /// Whether frames were outstanding then.
    var pending = false
}

extension E1000Driver {
    /// Called by the watchdog: a transmit hang is frames outstanding now and at the last tick with
    /// nothing reclaimed in between, while the link is up; it resets the controller.
    func checkTransmitHang() {
        reclaimTransmitted()
        let pending = txClean != txTail
        defer { txWatch = TransmitWatch(clean: txClean, pending: txClean != txTail) }
        guard pending, txWatch.pending, txWatch.clean == txClean, linkState.up else { return }
        let tdh = regs.read32(Reg.TDH), tdt = regs.read32(Reg.TDT)
        context.log(.warning, "Detected Tx Unit Hang: TDH \(tdh), TDT \(tdt), next to clean \(txClean); resetting the controller")
        counters.txHangResets &+= 1
        resetAndRestart()
    }

    /// Resets the controller and brings the open interface back: queued frames are reported
    /// failed, then reset, station address, link, rings, offloads, interrupts, filter and engines
    /// are programmed again in probe's order. Buffers and interrupt vectors are kept.
    func resetAndRestart() {
        regs.write32(Reg.IMC, chip.definedCauses)
        regs.write32(Reg.RCTL, 0)
        regs.write32(Reg.TCTL, 0)
        failUnsentFrames("at the reset")
        do {
            try globalReset()
            programStationAddress()
            try setUpLink()
        } catch {
            context.log(.error, "reset after a transmit hang failed: \(error)")
            return
        }
        programRings()
        programOffloads()
        programInterrupts()
        releasePollMasks()
        setReceiveFilter(filter)
        startEngines()
        // The link renegotiates after the reset; LSC reports it as usual.
        checkLink()
    }
}
