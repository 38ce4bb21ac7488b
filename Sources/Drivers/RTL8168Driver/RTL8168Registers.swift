import NativeDriverKit

/// Register offsets (RTL8111C/8168C datasheet "DS" §7 "Register Descriptions"; names as the
/// datasheet, with r8169's name where it differs).
enum Reg {
    /// IDR0–IDR5: station address.
    static let IDR0 = 0x00
    /// MAR0–MAR7: multicast hash.
    static let MAR0 = 0x08, MAR4 = 0x0C
    /// DTCCR: dump tally counter command (r8169 CounterAddrLow/High).
    static let DTCCR = 0x10, DTCCRHigh = 0x14
    /// TNPDS: transmit normal priority descriptor start (r8169 TxDescStartAddrLow/High).
    static let TNPDS = 0x20, TNPDSHigh = 0x24
    /// ChipCmd (CR).
    static let ChipCmd = 0x37
    /// TPPoll (r8169 TxPoll).
    static let TxPoll = 0x38
    /// IMR (r8169 IntrMask), ISR (r8169 IntrStatus).
    static let IntrMask = 0x3C, IntrStatus = 0x3E
    /// TCR (TxConfig), RCR (RxConfig).
    static let TxConfig = 0x40, RxConfig = 0x44
    /// 9346CR (r8169 Cfg9346).
    static let Cfg9346 = 0x50
    /// CONFIG1, CONFIG3, CONFIG4.
    static let Config1 = 0x52, Config3 = 0x54, Config4 = 0x55
    /// PHYAR: PHY access.
    static let PHYAR = 0x60
    /// PHYstatus (PHYSR).
    static let PHYstatus = 0x6C
    /// RMS (r8169 RxMaxSize).
    static let RxMaxSize = 0xDA
    /// C+CR (r8169 CPlusCmd).
    static let CPlusCmd = 0xE0
    /// IntrMitigate.
    static let IntrMitigate = 0xE2
    /// RDSAR: receive descriptor start (r8169 RxDescAddrLow/High).
    static let RDSAR = 0xE4, RDSARHigh = 0xE8
    /// MTPS (r8169 MaxTxPacketSize), in 128-byte units.
    static let MaxTxPacketSize = 0xEC
}

/// ChipCmd bits (DS §7 "Command Register").
enum ChipCmd {
    static let RST: UInt8 = 1 << 4, RE: UInt8 = 1 << 3, TE: UInt8 = 1 << 2
}

/// TPPoll bits.
enum TxPoll {
    static let NPQ: UInt8 = 1 << 6
}

/// ISR/IMR bits (DS §7 "Interrupt Status Register").
enum Intr {
    static let SYSErr: UInt16 = 1 << 15, TimeOut: UInt16 = 1 << 14, SWInt: UInt16 = 1 << 8
    static let TxDescUnavail: UInt16 = 1 << 7, RxFIFOOver: UInt16 = 1 << 6, LinkChg: UInt16 = 1 << 5
    static let RxOverflow: UInt16 = 1 << 4, TxErr: UInt16 = 1 << 3, TxOK: UInt16 = 1 << 2
    static let RxErr: UInt16 = 1 << 1, RxOK: UInt16 = 1 << 0
    /// What the driver enables while open: receive and transmit completions and errors, link
    /// changes, descriptor-unavailable and FIFO overflow (r8169 irq_mask for the 8168 family).
    static let enabled: UInt16 = RxOK | RxErr | TxOK | TxErr | LinkChg | RxOverflow | RxFIFOOver
    /// Everything the chip defines (acknowledged at probe and remove).
    static let all: UInt16 = 0xFFFF
}

/// RCR bits (DS §7 "Receive Configuration Register").
enum RxConfig {
    static let AAP: UInt32 = 1 << 0, APM: UInt32 = 1 << 1, AM: UInt32 = 1 << 2, AB: UInt32 = 1 << 3
    /// MXDMA = 111b (unlimited burst), bits 10:8 (r8169 RX_DMA_BURST).
    static let MXDMA_UNLIMITED: UInt32 = 7 << 8
    /// RX128_INT_EN and RX_MULTI_EN, which r8169 sets for RTL_GIGA_MAC_VER_18…24 (rtl_init_rxcfg).
    static let Rx128IntEnable: UInt32 = 1 << 15, MultiEnable: UInt32 = 1 << 14
}

/// TCR bits (DS §7 "Transmit Configuration Register").
enum TxConfig {
    /// MXDMA = 111b (unlimited), bits 10:8 (r8169 TX_DMA_BURST).
    static let MXDMA_UNLIMITED: UInt32 = 7 << 8
    /// IFG = 11b, the standard 96-bit gap (r8169 InterFrameGap), bits 25:24.
    static let IFG96: UInt32 = 3 << 24
    /// The XID r8169 reads: `(TxConfig >> 20) & 0xfcf`.
    static func xid(_ v: UInt32) -> UInt16 { UInt16(v >> 20 & 0xFCF) }
}

/// 9346CR values.
enum Cfg9346 {
    static let Unlock: UInt8 = 0xC0, Lock: UInt8 = 0x00
}

/// C+CR bits.
enum CPlusCmd {
    static let RxVlan: UInt16 = 1 << 6, RxChkSum: UInt16 = 1 << 5, PCIDAC: UInt16 = 1 << 4, PCIMulRW: UInt16 = 1 << 3
}

/// PHYstatus bits.
enum PHYstatus {
    static let _1000bpsF: UInt8 = 1 << 4, _100bps: UInt8 = 1 << 3, _10bps: UInt8 = 1 << 2
    static let LinkStatus: UInt8 = 1 << 1, FullDup: UInt8 = 1 << 0
}

/// PHYAR fields.
enum PHYAR {
    static let Flag: UInt32 = 1 << 31
    static let regShift: UInt32 = 16
}

/// DTCCR bits.
enum DTCCR {
    static let Cmd: UInt32 = 1 << 3, Reset: UInt32 = 1 << 0
}

/// MII registers (IEEE 802.3 §22.2.4) and the RTL8211B page select.
enum MII {
    static let BMCR = 0x00, BMSR = 0x01, PHYID1 = 0x02, PHYID2 = 0x03, ANAR = 0x04, GBCR = 0x09
    static let PAGSR = 0x1F
    static let BMCR_RESET: UInt16 = 1 << 15, BMCR_ANENABLE: UInt16 = 1 << 12, BMCR_ANRESTART: UInt16 = 1 << 9
    /// ANAR: selector 802.3, 10/100 half and full, symmetric pause.
    static let ANAR_ALL: UInt16 = 0x05E1
    /// 1000BASE-T control: advertise full and half duplex.
    static let GBCR_1000: UInt16 = 0x0300
}
