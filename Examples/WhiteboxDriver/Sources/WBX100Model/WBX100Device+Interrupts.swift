import BoxlessDeviceKit

/// Interrupts (§3.3): ICR & IMR drives INTA#; with MSI enabled, each newly raised enabled cause
/// sends the one message instead.
extension WBX100Device {
    /// Sets cause bits.
    func raise(_ bits: UInt32) {
        let new = bits & ~icr
        icr |= bits
        updateInterrupt(newCauses: new & imr)
    }

    /// Drives the INTx line, or signals MSI for `newCauses`.
    func updateInterrupt(newCauses: UInt32) {
        guard let function else { return }
        if function.activeInterruptKind == .msi {
            function.setINTx(false)
            if newCauses != 0 { function.signalMSI(0) }
        } else {
            function.setINTx(icr & imr != 0)
        }
    }
}

/// The link (§3.2): up ``linkUpTime`` after reset or after the partner's carrier returns.
extension WBX100Device {
    func startLink() {
        function.schedule(after: Self.linkUpTime) { [unowned self] in
            if self.port.peer?.carrier ?? true { self.setLink(true) }
        }
    }

    func setLink(_ up: Bool) {
        guard up != linkUp else { return }
        linkUp = up
        function.note(up ? "link up 1000/full" : "link down")
        raise(WBX100Bits.LSC)
    }
}
