// MSI, MSI-X and INTx semantics of a function (PCI Local Bus 3.0 §6.8, §6.2.2–6.2.3, §2.2.6).

extension PCIFunction {
    // MARK: MSI-X table and PBA (§6.8.2.6–6.8.2.10)

    func msixTableAccess(_ offset: UInt64, _ width: AccessWidth, _ write: Bool, _ value: UInt64) -> UInt64 {
        // "Software must use aligned full DWORD or aligned full QWORD transactions" (§6.8.2).
        guard width == .dword || width == .qword, offset % UInt64(width.bytes) == 0 else {
            machine.log.finding(address, .accessWidth, "MSI-X table \(write ? "write" : "read")\(width) at +0x\(hex(offset, 1)): only aligned DWORD or QWORD accesses are allowed",
                                reference: "PCI Local Bus 3.0 §6.8.2")
            return width.mask
        }
        let first = Int(offset / 4)
        if !write {
            var v = UInt64(msixTable[first])
            if width == .qword { v |= UInt64(msixTable[first + 1]) << 32 }
            return v
        }
        msixTable[first] = UInt32(truncatingIfNeeded: value)
        if width == .qword { msixTable[first + 1] = UInt32(truncatingIfNeeded: value >> 32) }
        deliverUnmaskedMSIX()
        return 0
    }

    func msixPBAAccess(_ offset: UInt64, _ width: AccessWidth, _ write: Bool) -> UInt64 {
        guard width == .dword || width == .qword, offset % UInt64(width.bytes) == 0 else {
            machine.log.finding(address, .accessWidth, "MSI-X PBA access\(width) at +0x\(hex(offset, 1)) must be an aligned DWORD or QWORD",
                                reference: "PCI Local Bus 3.0 §6.8.2")
            return width.mask
        }
        if write {
            machine.log.finding(address, .accessReadOnly, "write to the read-only MSI-X Pending Bit Array at +0x\(hex(offset, 1))",
                                reference: "PCI Local Bus 3.0 §6.8.2.10")
            return 0
        }
        let q = msixPending[Int(offset / 8)]
        if width == .qword { return q }
        return offset % 8 == 0 ? q & 0xFFFF_FFFF : q >> 32
    }

    /// Whether MSI-X vector `v` is masked (its Mask Bit, or the Function Mask).
    public func msixVectorMasked(_ v: Int) -> Bool {
        msixFunctionMasked || msixTable[v * 4 + 3] & MSIXCapabilityLayout.vectorControlMask != 0
    }

    /// Whether MSI-X vector `v`'s Pending Bit is set.
    public func msixVectorPending(_ v: Int) -> Bool { msixPending[v / 64] >> UInt64(v % 64) & 1 != 0 }

    func deliverUnmaskedMSIX() {
        guard let m = msix, msixEnabled, !msixFunctionMasked else { return }
        for v in 0..<m.tableSize where msixVectorPending(v) && !msixVectorMasked(v) {
            msixPending[v / 64] &= ~(1 << UInt64(v % 64))
            sendMSIX(v)
        }
    }

    private func sendMSIX(_ v: Int) {
        let addr = UInt64(msixTable[v * 4]) | UInt64(msixTable[v * 4 + 1]) << 32
        machine.deliverMessage(from: self, kind: .msix, vector: v, address: addr, data: msixTable[v * 4 + 2])
    }

    // MARK: MSI (§6.8.1)

    func deliverUnmaskedMSI() {
        guard let m = msi, msiEnabled, let pendOff = m.pendingBits, let maskOff = m.maskBits else { return }
        let pending = config.read(pendOff, .dword), mask = config.read(maskOff, .dword)
        let ready = pending & ~mask
        guard ready != 0 else { return }
        config.set(pendOff, .dword, pending & ~ready)
        for v in 0..<32 where ready >> UInt32(v) & 1 != 0 { sendMSI(v) }
    }

    private func sendMSI(_ v: Int) {
        guard let m = msi else { return }
        var addr = UInt64(config.read(m.addressLow, .dword))
        if let hi = m.addressHigh { addr |= UInt64(config.read(hi, .dword)) << 32 }
        let control = UInt16(config.read(m.control, .word))
        let enabled = 1 << Int((control >> MSICapabilityLayout.controlMMEShift) & 7)
        // With Multiple Message Enable = n, the function modifies the low log2(n) bits of Message Data (§6.8.1.6).
        let base = config.read(m.data, .word) & ~UInt32(enabled - 1)
        machine.deliverMessage(from: self, kind: .msi, vector: v, address: addr, data: base | UInt32(v))
    }

    // MARK: INTx (§6.2.2 Interrupt Disable, §6.2.3 Interrupt Status)

    func updateINTx() {
        let disabled = command & ConfigHeader.commandInterruptDisable != 0
        // A function enabled for MSI or MSI-X must not use INTx (§6.8.1.3, §6.8.2.3).
        let effective = intxPinAsserted && !disabled && !msiEnabled && !msixEnabled && intxLine != nil
        guard effective != intxEffective else { return }
        intxEffective = effective
        machine.intxChanged(from: self, asserted: effective)
    }

    // MARK: device side

    /// Drives the INTx pin (level). Status.Interrupt Status follows the pin whatever Interrupt Disable says.
    public func setINTx(_ asserted: Bool) {
        guard asserted != intxPinAsserted else { return }
        intxPinAsserted = asserted
        config.setBits16(ConfigHeader.status, ConfigHeader.statusInterrupt, asserted)
        updateINTx()
    }

    /// Signals MSI vector `vector`: delivered if MSI is enabled and the vector is unmasked; if masked,
    /// its Pending Bit is set and it is delivered on unmask. Vectors beyond Multiple Message Enable
    /// fold onto the enabled ones, as the specification's data-bit rule implies.
    public func signalMSI(_ vector: Int) {
        guard let m = msi, msiEnabled else {
            machine.log.record(.interrupt(address, kind: .msi, vector: UInt16(truncatingIfNeeded: vector), asserted: true, outcome: .suppressed))
            return
        }
        let control = UInt16(config.read(m.control, .word))
        let v = vector % (1 << Int((control >> MSICapabilityLayout.controlMMEShift) & 7))
        if let maskOff = m.maskBits, let pendOff = m.pendingBits, config.read(maskOff, .dword) >> UInt32(v) & 1 != 0 {
            config.set(pendOff, .dword, config.read(pendOff, .dword) | 1 << UInt32(v))
            machine.log.record(.interrupt(address, kind: .msi, vector: UInt16(v), asserted: true, outcome: .pending))
            return
        }
        sendMSI(v)
    }

    /// Signals MSI-X vector `vector`: delivered if enabled and unmasked; otherwise its PBA bit is set
    /// and it fires when unmasked (§6.8.2.9).
    public func signalMSIX(_ vector: Int) {
        guard let m = msix, msixEnabled, vector < m.tableSize else {
            machine.log.record(.interrupt(address, kind: .msix, vector: UInt16(truncatingIfNeeded: vector), asserted: true, outcome: .suppressed))
            return
        }
        if msixVectorMasked(vector) {
            msixPending[vector / 64] |= 1 << UInt64(vector % 64)
            machine.log.record(.interrupt(address, kind: .msix, vector: UInt16(vector), asserted: true, outcome: .pending))
            return
        }
        sendMSIX(vector)
    }

    /// The interrupt mechanism software has enabled: MSI-X, MSI, or INTx otherwise.
    public var activeInterruptKind: InterruptKind { msixEnabled ? .msix : msiEnabled ? .msi : .intx }
}
