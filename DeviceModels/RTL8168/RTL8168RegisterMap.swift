import BoxlessPlatform

/// The register file's declared layout, for the platform's access checks and for naming registers
/// in findings (RTL8111C DS §7). Offsets without a register read 0 and ignore writes (the chip has
/// many undocumented ones that r8169 never touches on this revision).
enum RTL8168RegisterMap {
    static let map: RegisterMap = {
        typealias R = RTL8168Register
        func r(_ reg: R, _ w: AccessWidth = .dword, _ a: RegisterAccess = .readWrite) -> RegisterInfo {
            RegisterInfo("\(reg)", offset: UInt64(reg.rawValue), width: w, access: a)
        }
        return RegisterMap([
            r(.IDR0), r(.IDR4), r(.MAR0), r(.MAR4), r(.DTCCR), r(.DTCCRHigh), r(.TNPDS), r(.TNPDSHigh),
            r(.THPDS), r(.THPDSHigh), r(.ChipCmd, .byte), r(.TxPoll, .byte), r(.IntrMask, .word),
            r(.IntrStatus, .word, .writeOneToClear), r(.TxConfig), r(.RxConfig), r(.TCTR), r(.MPC),
            r(.Cfg9346, .byte), r(.Config0, .byte), r(.Config1, .byte), r(.Config2, .byte), r(.Config3, .byte),
            r(.Config4, .byte), r(.Config5, .byte), r(.TimerInt), r(.PHYAR), r(.CSIDR), r(.CSIAR),
            r(.PHYstatus, .byte, .readOnly), r(.RxMaxSize, .word), r(.CPlusCmd, .word), r(.IntrMitigate, .word),
            r(.RDSAR), r(.RDSARHigh), r(.MaxTxPacketSize, .byte),
        ], undefinedIsFinding: false)
    }()
}
