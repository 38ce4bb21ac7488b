import BoxlessPlatform

// Strict-mode rules (DESIGN.md, "Strict mode"): what the manuals forbid that real silicon punishes.
// Each check costs a comparison; the message is built only when the rule is broken and strict mode
// is on. Section numbers marked "(inferred)" in Definitions/FACTS.md are cited as such there.

extension E1000Device {
    /// Reserved RCTL bits: 82540EM bits 0, 11:10, 14, 21, 24, 31:27; 82574 bits 0, 14, 21, 24, 31
    /// (SDM §13.4.22 "should be written with 0b"; 82574 DTYP and FLXBUF are defined).
    var rctlReserved: UInt32 { kind == .i82540EM ? 0xF920_4C01 : 0x8120_4001 }
    /// Reserved TCTL bits: 0, 2, 23, 31:25 (82574: 27:25) (SDM Table 13-76).
    var tctlReserved: UInt32 { kind == .i82540EM ? 0xFE80_0005 : 0x0E80_0005 }

    func checkRCTL(_ value: UInt32) {
        guard function.strict else { return }
        if value & rctlReserved != 0 {
            function.strictFinding(E1000Rule.rctlReserved, "0x\(hexString(UInt64(value & rctlReserved)))")
        }
        let r = E1000RCTL(rawValue: value)
        if r.bufferSize == nil {
            function.strictFinding(E1000Rule.rctlBufferSize)
        }
        if r.minimumThresholdShift == nil {
            function.strictFinding(E1000Rule.rctlThresholdReserved)
        }
        if kind == .i82574L && (value & E1000RCTL.DTYP_MASK) >> E1000RCTL.DTYP_SHIFT != 0 {
            function.strictFinding(E1000Rule.rctlPacketSplit, "DTYP = \((value & E1000RCTL.DTYP_MASK) >> E1000RCTL.DTYP_SHIFT)")
        }
    }

    func checkTCTL(_ value: UInt32) {
        guard function.strict, value & tctlReserved != 0 else { return }
        function.strictFinding(E1000Rule.tctlReserved, "0x\(hexString(UInt64(value & tctlReserved)))")
    }

    /// IMS/ICS bits the 82540EM does not define (SDM Table 13-63: 31:17 and 8, 5 reserved). IMC and
    /// ICR writes are exempt: drivers clear everything with all ones.
    func checkReservedInterruptBits(_ value: UInt32, register: String) {
        guard kind == .i82540EM, function.strict else { return }
        let reserved = value & ~E1000Interrupt.defined82540EM.rawValue
        guard reserved != 0 else { return }
        function.strictFinding(E1000Rule.interruptReservedBits, "\(register) bits 0x\(hexString(UInt64(reserved)))")
    }

    /// Software drives the EEPROM pins only after EE_REQ was granted (SDM §5.3.1).
    func checkEEPROMAccess(_ value: UInt32) {
        let pins = E1000EECD.SK.rawValue | E1000EECD.CS.rawValue | E1000EECD.DI.rawValue
        guard function.strict, value & E1000EECD.EE_REQ.rawValue == 0, (value ^ nvm.eecdSoftware) & pins != 0 else { return }
        function.strictFinding(E1000Rule.eepromWithoutGrant)
    }

    func checkRingWriteWhileEnabled(_ r: E1000Register, enabled: Bool, unit: String) {
        guard enabled, function.strict else { return }
        function.strictFinding(r.rawValue < 0x3000 ? E1000Rule.rxRingWrittenWhileEnabled : E1000Rule.txRingWrittenWhileEnabled, "\(r)")
    }

    func checkRingAlignment(_ value: UInt32, register: String) {
        guard value & 0xF != 0, function.strict else { return }
        function.strictFinding(register == "RDBAL" ? E1000Rule.rxRingMisaligned : E1000Rule.txRingMisaligned, "\(register) = 0x\(hexString(UInt64(value)))")
    }

    func checkRingLength(_ value: UInt32, register: String) {
        guard value & 0x7F != 0, function.strict else { return }
        function.strictFinding(register == "RDLEN" ? E1000Rule.rxRingLength : E1000Rule.txRingLength, "\(register) = \(value)")
    }

    func checkRingIndex(_ value: UInt32, count: UInt32, register: String) {
        guard value >= count || value > 0xFFFF, count > 0 || value != 0, function.strict else { return }
        let rule: E1000Rule
        switch register {
        case "RDH": rule = .rxHeadOutOfRange
        case "RDT": rule = .rxTailOutOfRange
        case "TDH": rule = .txHeadOutOfRange
        default: rule = .txTailOutOfRange
        }
        function.strictFinding(rule, "\(register) = \(value), \(count)-descriptor ring")
    }

    func checkEnableOrder(ringLength: UInt32, rule: E1000Rule) {
        guard ringLength == 0, function.strict else { return }
        function.strictFinding(rule)
    }

    func checkNullBuffer(ring: String, index: UInt32) {
        guard function.strict else { return }
        function.strictFinding(ring == "receive" ? E1000Rule.rxNullBuffer : E1000Rule.txNullBuffer, "descriptor \(index)")
    }
}
