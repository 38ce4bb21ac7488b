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
            function.strictFinding("RCTL written with reserved bits 0x\(hexString(UInt64(value & rctlReserved))) set",
                                   reference: "8254x SDM §13.4.22 (RCTL reserved bits)")
        }
        let r = E1000RCTL(rawValue: value)
        if r.bufferSize == nil {
            function.strictFinding("RCTL.BSEX = 1 with BSIZE = 00b is not a defined buffer size",
                                   reference: "8254x SDM §13.4.22 (BSIZE/BSEX), §3.2.2")
        }
        if r.minimumThresholdShift == nil {
            function.strictFinding("RCTL.RDMTS = 11b is reserved", reference: "8254x SDM §13.4.22 (RDMTS)")
        }
        if kind == .i82574L && (value & E1000RCTL.DTYP_MASK) >> E1000RCTL.DTYP_SHIFT != 0 {
            function.strictFinding("RCTL.DTYP = \((value & E1000RCTL.DTYP_MASK) >> E1000RCTL.DTYP_SHIFT) (packet split) is not modelled; legacy/extended descriptors are used",
                                   reference: "82574 DS RCTL.DTYP")
        }
    }

    func checkTCTL(_ value: UInt32) {
        guard function.strict, value & tctlReserved != 0 else { return }
        function.strictFinding("TCTL written with reserved bits 0x\(hexString(UInt64(value & tctlReserved))) set",
                               reference: "8254x SDM §13.4.33 (inferred), Table 13-76")
    }

    /// IMS/ICS bits the 82540EM does not define (SDM Table 13-63: 31:17 and 8, 5 reserved). IMC and
    /// ICR writes are exempt: drivers clear everything with all ones.
    func checkReservedInterruptBits(_ value: UInt32, register: String) {
        guard kind == .i82540EM, function.strict else { return }
        let reserved = value & ~E1000Interrupt.defined82540EM.rawValue
        guard reserved != 0 else { return }
        function.strictFinding("\(register) written with reserved cause bits 0x\(hexString(UInt64(reserved)))",
                               reference: "8254x SDM §13.4.17 Table 13-63, §13.4.20")
    }

    /// Software drives the EEPROM pins only after EE_REQ was granted (SDM §5.3.1).
    func checkEEPROMAccess(_ value: UInt32) {
        let pins = E1000EECD.SK.rawValue | E1000EECD.CS.rawValue | E1000EECD.DI.rawValue
        guard function.strict, value & E1000EECD.EE_REQ.rawValue == 0, (value ^ nvm.eecdSoftware) & pins != 0 else { return }
        function.strictFinding("EECD SK/CS/DI driven without EECD.EE_REQ / EE_GNT",
                               reference: "8254x SDM §5.3.1 (software EEPROM access)")
    }

    func checkRingWriteWhileEnabled(_ r: E1000Register, enabled: Bool, unit: String) {
        guard enabled, function.strict else { return }
        function.strictFinding("\(r) written while the \(unit) is enabled",
                               reference: r.rawValue < 0x3000 ? "8254x SDM §13.4.25–13.4.28 (RDBAL/RDBAH/RDLEN/RDH: program while RCTL.EN = 0), §14.4"
                                                               : "8254x SDM §13.4.36–13.4.39 (TDBAL/TDBAH/TDLEN/TDH: program while TCTL.EN = 0), §14.5")
    }

    func checkRingAlignment(_ value: UInt32, register: String) {
        guard value & 0xF != 0, function.strict else { return }
        function.strictFinding("\(register) = 0x\(hexString(UInt64(value))) is not 16-byte aligned",
                               reference: register == "RDBAL" ? "8254x SDM §13.4.25 (inferred; RDBAL bits 3:0 ignored)" : "8254x SDM §13.4.36 (TDBAL bits 3:0 ignored)")
    }

    func checkRingLength(_ value: UInt32, register: String) {
        guard value & 0x7F != 0, function.strict else { return }
        function.strictFinding("\(register) = \(value) is not a non-zero multiple of 128 bytes",
                               reference: register == "RDLEN" ? "8254x SDM §13.4.27 Table 13-72" : "8254x SDM §13.4.38 Table 13-81")
    }

    func checkRingIndex(_ value: UInt32, count: UInt32, register: String) {
        guard value >= count || value > 0xFFFF, count > 0 || value != 0, function.strict else { return }
        let ref: String
        switch register {
        case "RDH": ref = "8254x SDM §13.4.28 Table 13-73"
        case "RDT": ref = "8254x SDM §13.4.29 Table 13-74"
        case "TDH": ref = "8254x SDM §13.4.39 Table 13-82"
        default: ref = "8254x SDM §13.4.40 Table 13-83"
        }
        function.strictFinding("\(register) = \(value) is outside the \(count)-descriptor ring", reference: ref)
    }

    func checkEnableOrder(ringLength: UInt32, unit: String, rings: String, reference: String) {
        guard ringLength == 0, function.strict else { return }
        function.strictFinding("\(unit) set before the descriptor ring (\(rings)) was set up", reference: reference)
    }

    func checkNullBuffer(ring: String, index: UInt32) {
        guard function.strict else { return }
        function.strictFinding("\(ring == "receive" ? "RDT" : "TDT") advanced over \(ring) descriptor \(index), which has no buffer address",
                               reference: ring == "receive" ? "8254x SDM §3.2.3 (buffer address)" : "8254x SDM §3.3.3 (buffer address)")
    }
}
