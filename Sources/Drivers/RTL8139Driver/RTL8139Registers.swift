/// Register offsets and bits the driver uses, named as the RTL8139C(L) datasheet §5 and the
/// RTL8139C(L)+ datasheet §6 name them.
enum Reg {
    static let IDR0 = 0x00, IDR4 = 0x04, MAR0 = 0x08, MAR4 = 0x0C
    /// TSD0–3 (C mode) and TSAD0–3 (C mode).
    static func TSD(_ n: Int) -> Int { 0x10 + 4 * n }
    static func TSAD(_ n: Int) -> Int { 0x20 + 4 * n }
    /// DTCCR (C+, over TSD0–1), TNPDS (C+, over TSAD0–1), THPDS (over TSAD2–3).
    static let DTCCR = 0x10, TNPDS = 0x20, THPDS = 0x28
    static let RBSTART = 0x30, CR = 0x37, CAPR = 0x38, CBR = 0x3A, IMR = 0x3C, ISR = 0x3E
    static let TCR = 0x40, RCR = 0x44, TCTR = 0x48, MPC = 0x4C, CR9346 = 0x50, CONFIG1 = 0x52
    static let MSR = 0x58, MULINT = 0x5C, BMCR = 0x62, BMSR = 0x64, ANAR = 0x66, ANLPAR = 0x68
    static let TxPoll = 0xD9, CpCmd = 0xE0, IntrMitigate = 0xE2, RxRingAddr = 0xE4, ETThR = 0xEC
}

/// CR (§5.6).
enum CR { static let BUFE: UInt8 = 1 << 0, TE: UInt8 = 1 << 2, RE: UInt8 = 1 << 3, RST: UInt8 = 1 << 4 }

/// ISR/IMR (§5.7–5.8).
enum Intr {
    static let ROK: UInt16 = 1 << 0, RER: UInt16 = 1 << 1, TOK: UInt16 = 1 << 2, TER: UInt16 = 1 << 3
    /// RXOVW (C mode) / RDU (C+ mode).
    static let RXOVW: UInt16 = 1 << 4
    static let PUN_LinkChg: UInt16 = 1 << 5, FOVW: UInt16 = 1 << 6, TDU: UInt16 = 1 << 7, SERR: UInt16 = 1 << 15
    static let receive: UInt16 = ROK | RER | RXOVW | FOVW
    static let transmit: UInt16 = TOK | TER
}

/// RCR (§5.10).
enum RCR {
    static let AAP: UInt32 = 1 << 0, APM: UInt32 = 1 << 1, AM: UInt32 = 1 << 2, AB: UInt32 = 1 << 3
    static let WRAP: UInt32 = 1 << 7
    /// MXDMA = 111b (unlimited), RXFTH = 111b (whole frame).
    static let MXDMA_UNLIMITED: UInt32 = 7 << 8, RXFTH_NONE: UInt32 = 7 << 13
    static let RBLEN_SHIFT: UInt32 = 11
}

/// TCR (§5.9).
enum TCR {
    static let MXDMA_2048: UInt32 = 7 << 8
    /// IFG = 11b: the standard inter-frame gap.
    static let IFG_STANDARD: UInt32 = 3 << 24
    static let HWVERID_MASK: UInt32 = 0x7CC0_0000
}

/// TSD (§5.2).
enum TSD {
    static let OWN: UInt32 = 1 << 13, TUN: UInt32 = 1 << 14, TOK: UInt32 = 1 << 15
    static let ERTXTH_SHIFT: UInt32 = 16, TABT: UInt32 = 1 << 30
}

/// 9346CR (§5.11).
enum CR9346 {
    static let EEDO: UInt8 = 1 << 0, EEDI: UInt8 = 1 << 1, EESK: UInt8 = 1 << 2, EECS: UInt8 = 1 << 3
    static let EEM_NORMAL: UInt8 = 0, EEM_PROGRAM: UInt8 = 2 << 6, EEM_CONFIG_WRITE: UInt8 = 3 << 6
}

/// MSR (§5.14) and MII bits (§5.18–5.21).
enum Media {
    static let LINKB: UInt8 = 1 << 2, SPEED_10: UInt8 = 1 << 3
    static let ANAR_100FD: UInt16 = 1 << 8, ANAR_10FD: UInt16 = 1 << 6
}

/// CpCmd (C+ §6), TxPoll (C+ §6.4), DTCCR (C+ §6.1).
enum CPlus {
    static let TxEnb: UInt16 = 1 << 0, RxEnb: UInt16 = 1 << 1, RxChkSum: UInt16 = 1 << 5, RxVLAN: UInt16 = 1 << 6
    static let NPQ: UInt8 = 1 << 6
    static let DTCCR_Cmd: UInt32 = 1 << 3
}

/// The 4-byte C-mode packet header (§6.1).
enum RxHeader { static let ROK: UInt16 = 1 << 0; static let size = 4; static let earlyRxInProgress: UInt16 = 0xFFF0 }

/// C+ descriptors (C+ datasheet §9): 16 bytes, opts1, opts2, buffer low, buffer high.
enum Desc {
    static let size = 16
    static let OWN: UInt32 = 1 << 31, EOR: UInt32 = 1 << 30, FS: UInt32 = 1 << 29, LS: UInt32 = 1 << 28
    // Transmit.
    static let LGSEN: UInt32 = 1 << 27, IPCS: UInt32 = 1 << 18, UDPCS: UInt32 = 1 << 17, TCPCS: UInt32 = 1 << 16
    static let TAGC: UInt32 = 1 << 17
    /// Large send MSS, opts1 bits 26:16 with LGSEN (C+ DS §9.1).
    static let MSS_SHIFT: UInt32 = 16, MSS_MASK: UInt32 = 0x7FF
    // Receive.
    static let RES: UInt32 = 1 << 20, PID_MASK: UInt32 = 3 << 16, PID_TCP: UInt32 = 1 << 16, PID_UDP: UInt32 = 2 << 16
    static let IPF: UInt32 = 1 << 15, UDPF: UInt32 = 1 << 14, TCPF: UInt32 = 1 << 13
    static let LENGTH_MASK: UInt32 = 0x1FFF, TAVA: UInt32 = 1 << 16
}

/// The tally block (C+ §6.1): name, offset, bytes.
let tallyFields: [(name: String, offset: Int, bytes: Int)] = [
    ("TxOk", 0, 8), ("RxOk", 8, 8), ("TxErr", 16, 8), ("RxErr", 24, 4), ("MissPkt", 28, 2),
    ("FAE", 30, 2), ("Tx1Col", 32, 4), ("TxMCol", 36, 4), ("RxOkPhy", 40, 8), ("RxOkBrd", 48, 8),
    ("RxOkMul", 56, 4), ("TxAbt", 60, 2), ("TxUndrn", 62, 2),
]
