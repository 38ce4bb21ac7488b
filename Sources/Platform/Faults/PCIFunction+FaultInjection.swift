// The device-side and machine-side operations a fault injector performs on a function.

extension PCIFunction {
    /// The machine's device-level fault hooks, if a fault plan providing them is active (models ask
    /// them at their frame, write-back and command points; nil costs one check).
    public var deviceFaultHooks: (any DeviceFaultHooks)? {
        guard let f = machine.faults else { return nil }
        return f as? any DeviceFaultHooks
    }

    /// Sets MSI-X vector `vector`'s Pending Bit without sending it (an injected stuck mask).
    func holdMSIXPending(_ vector: Int) {
        guard vector >= 0, vector < msix?.tableSize ?? 0 else { return }
        msixPending[vector / 64] |= 1 << UInt64(vector % 64)
    }

    /// Sends every pending, unmasked MSI-X vector (the end of an injected stuck mask).
    public func releasePendingMSIX() { deliverUnmaskedMSIX() }

    /// Clears Command.Bus Master Enable behind software's back (a bridge or the device lost it);
    /// every later DMA gets a master abort until software sets it again (PCI Local Bus 3.0 §6.2.2).
    public func dropBusMaster() {
        config.set(ConfigHeader.command, .word, UInt32(command & ~ConfigHeader.commandBusMaster))
    }

    /// Signals an interrupt the device did not raise, through the mechanism software enabled: an
    /// MSI-X message of table entry `vector` (whatever its mask), an MSI message, or an INTx
    /// assertion reported to the interrupt controller and withdrawn at once. Fault hooks are not
    /// consulted (the injector calls this itself).
    public func signalSpuriousInterrupt(vector: Int = 0) {
        let now = machine.now
        let latency = machine.configuration.interruptLatency
        switch activeInterruptKind {
        case .msix:
            guard let m = msix, m.tableSize > 0 else { return }
            let v = min(max(vector, 0), m.tableSize - 1)
            let address = UInt64(msixTable[v * 4]) | UInt64(msixTable[v * 4 + 1]) << 32, data = msixTable[v * 4 + 2]
            machine.log.record(.interrupt(self.address, kind: .msix, vector: UInt16(v), asserted: true, outcome: .delivered))
            let dev = self.address
            machine.scheduler.schedule(at: now + latency) { [unowned(unsafe) machine] in
                machine.interruptSink?.messageSignalled(from: dev, address: address, data: data)
            }
        case .msi:
            guard let m = msi else { return }
            var address = UInt64(config.read(m.addressLow, .dword))
            if let hi = m.addressHigh { address |= UInt64(config.read(hi, .dword)) << 32 }
            let data = config.read(m.data, .word)
            machine.log.record(.interrupt(self.address, kind: .msi, vector: 0, asserted: true, outcome: .delivered))
            let dev = self.address
            machine.scheduler.schedule(at: now + latency) { [unowned(unsafe) machine] in
                machine.interruptSink?.messageSignalled(from: dev, address: address, data: data)
            }
        case .intx:
            guard let line = intxLine else { return }
            machine.log.record(.interrupt(self.address, kind: .intx, vector: UInt16(line), asserted: true, outcome: .delivered))
            machine.scheduler.schedule(at: now + latency) { [unowned(unsafe) machine] in
                machine.interruptSink?.lineChanged(line, asserted: true)
                machine.interruptSink?.lineChanged(line, asserted: machine.lineAsserted(line))
            }
        }
    }
}
