/// Register offsets of the RTL8111C/8168C (BAR2 memory and BAR0 I/O decode the same 256 bytes),
/// with the datasheet's names (RTL8111C/RTL8168C datasheet §7 "Register Descriptions"; RTL8169
/// datasheet §6 for the registers the families share; Linux r8169 `enum rtl_registers` and
/// `enum rtl8168_8101_registers` for the same names and offsets). See FACTS.md.
public enum RTL8168Register: UInt16, CaseIterable, Sendable {
    /// IDR0–IDR5: station address (bytes 0–5); IDR4–5 at 0x04. r8169: MAC0/MAC4.
    case IDR0 = 0x00
    /// IDR4–IDR5 (a 32-bit access at 0x04 also covers two reserved bytes).
    case IDR4 = 0x04
    /// MAR0–MAR7: multicast hash (64 bits, MAR0 bit 0 = hash 0). r8169: MAR0.
    case MAR0 = 0x08
    /// MAR4–MAR7.
    case MAR4 = 0x0C
    /// DTCCR low: Dump Tally Counter Command (address bits 31:6, Cmd bit 3, Reset bit 0). r8169: CounterAddrLow.
    case DTCCR = 0x10
    /// DTCCR high: address bits 63:32. r8169: CounterAddrHigh.
    case DTCCRHigh = 0x14
    /// TNPDS low: Transmit Normal Priority Descriptors Start address (256-byte aligned). r8169: TxDescStartAddrLow.
    case TNPDS = 0x20
    /// TNPDS high.
    case TNPDSHigh = 0x24
    /// THPDS low: Transmit High Priority Descriptors Start address. r8169: TxHDescStartAddrLow.
    case THPDS = 0x28
    /// THPDS high.
    case THPDSHigh = 0x2C
    /// ChipCmd (CR): RST bit 4, RE bit 3, TE bit 2. 8 bits.
    case ChipCmd = 0x37
    /// TPPoll: HPQ bit 7, NPQ bit 6, FSWInt bit 0. 8 bits. r8169: TxPoll.
    case TxPoll = 0x38
    /// IMR: interrupt mask, 16 bits. r8169: IntrMask.
    case IntrMask = 0x3C
    /// ISR: interrupt status, 16 bits, write 1 to clear. r8169: IntrStatus.
    case IntrStatus = 0x3E
    /// TCR: transmit configuration; bits 30:26 and 23 hold the hardware version (XID). r8169: TxConfig.
    case TxConfig = 0x40
    /// RCR: receive configuration. r8169: RxConfig.
    case RxConfig = 0x44
    /// TCTR: timer count (any write restarts it at 0).
    case TCTR = 0x48
    /// MPC: missed packet counter (RTL8169 only; reads 0 here). r8169: RxMissed.
    case MPC = 0x4C
    /// 9346CR: EEPROM command; 11b in bits 7:6 unlocks the configuration registers. r8169: Cfg9346.
    case Cfg9346 = 0x50
    /// CONFIG0 (8 bits).
    case Config0 = 0x51
    /// CONFIG1.
    case Config1 = 0x52
    /// CONFIG2.
    case Config2 = 0x53
    /// CONFIG3.
    case Config3 = 0x54
    /// CONFIG4.
    case Config4 = 0x55
    /// CONFIG5.
    case Config5 = 0x56
    /// TimerInt: when TCTR reaches it (non-zero), ISR.TimeOut is set.
    case TimerInt = 0x58
    /// PHYAR: PHY access (Flag bit 31, RegAddr 20:16, Data 15:0).
    case PHYAR = 0x60
    /// CSIDR: CSI data (extended config space access).
    case CSIDR = 0x64
    /// CSIAR: CSI address and command (Flag bit 31, ByteEn 15:12, Addr 11:0).
    case CSIAR = 0x68
    /// PHYstatus (PHYSR), 8 bits, read only.
    case PHYstatus = 0x6C
    /// RMS: receive packet maximum size (bits 13:0), 16 bits. r8169: RxMaxSize.
    case RxMaxSize = 0xDA
    /// C+CR: C+ command, 16 bits. r8169: CPlusCmd.
    case CPlusCmd = 0xE0
    /// IntrMitigate, 16 bits (r8169: TX timer 15:12, TX frames 11:8, RX timer 7:4, RX frames 3:0).
    case IntrMitigate = 0xE2
    /// RDSAR low: receive descriptor start address (256-byte aligned). r8169: RxDescAddrLow.
    case RDSAR = 0xE4
    /// RDSAR high.
    case RDSARHigh = 0xE8
    /// MTPS: max transmit packet size in 128-byte units (8 bits). r8169: MaxTxPacketSize.
    case MaxTxPacketSize = 0xEC
}

/// ChipCmd bits (datasheet "Command Register").
public enum RTL8168ChipCmd {
    /// RST: software reset; self-clears when done.
    public static let RST: UInt8 = 1 << 4
    /// RE: receiver enable.
    public static let RE: UInt8 = 1 << 3
    /// TE: transmitter enable.
    public static let TE: UInt8 = 1 << 2
}

/// TxPoll (TPPoll) bits.
public enum RTL8168TxPoll {
    /// HPQ: high priority queue polling.
    public static let HPQ: UInt8 = 1 << 7
    /// NPQ: normal priority queue polling.
    public static let NPQ: UInt8 = 1 << 6
    /// FSWInt: forced software interrupt (sets ISR.SWInt).
    public static let FSWInt: UInt8 = 1 << 0
}

/// ISR/IMR bits (datasheet "Interrupt Status Register"; r8169 `enum rtl_register_content`).
public enum RTL8168Interrupt {
    /// SERR: system error.
    public static let SYSErr: UInt16 = 1 << 15
    /// TimeOut: TCTR reached TimerInt. r8169: PCSTimeout.
    public static let TimeOut: UInt16 = 1 << 14
    /// SWInt: software interrupt.
    public static let SWInt: UInt16 = 1 << 8
    /// TDU: transmit descriptor unavailable.
    public static let TxDescUnavail: UInt16 = 1 << 7
    /// FOVW: receive FIFO overflow.
    public static let RxFIFOOver: UInt16 = 1 << 6
    /// PUN/LinkChg: link change.
    public static let LinkChg: UInt16 = 1 << 5
    /// RDU: receive descriptor unavailable. r8169: RxOverflow.
    public static let RxOverflow: UInt16 = 1 << 4
    /// TER: transmit error.
    public static let TxErr: UInt16 = 1 << 3
    /// TOK: transmit OK.
    public static let TxOK: UInt16 = 1 << 2
    /// RER: receive error.
    public static let RxErr: UInt16 = 1 << 1
    /// ROK: receive OK.
    public static let RxOK: UInt16 = 1 << 0
    /// Every bit the chip defines.
    public static let defined: UInt16 = SYSErr | TimeOut | SWInt | TxDescUnavail | RxFIFOOver | LinkChg | RxOverflow | TxErr | TxOK | RxErr | RxOK
}

/// RxConfig bits (datasheet "Receive Configuration Register"; r8169).
public enum RTL8168RxConfig {
    /// AAP: accept all packets with physical destination address (promiscuous).
    public static let AcceptAllPhys: UInt32 = 1 << 0
    /// APM: accept physical match.
    public static let AcceptMyPhys: UInt32 = 1 << 1
    /// AM: accept multicast (through the MAR hash).
    public static let AcceptMulticast: UInt32 = 1 << 2
    /// AB: accept broadcast.
    public static let AcceptBroadcast: UInt32 = 1 << 3
    /// AR: accept runt (error packets shorter than 64 bytes).
    public static let AcceptRunt: UInt32 = 1 << 4
    /// AER: accept error packets (CRC error).
    public static let AcceptErr: UInt32 = 1 << 5
    /// MXDMA field shift (bits 10:8).
    public static let DMAShift: UInt32 = 8
    /// RX_MULTI_EN (r8169, 8111C and later).
    public static let MultiEnable: UInt32 = 1 << 14
    /// RX128_INT_EN (r8169, 8111C and later).
    public static let Rx128IntEnable: UInt32 = 1 << 15
}

/// TxConfig (TCR) bits.
public enum RTL8168TxConfig {
    /// MXDMA field shift (bits 10:8).
    public static let DMAShift: UInt32 = 8
    /// IFG field shift (bits 25:24).
    public static let InterFrameGapShift: UInt32 = 24
    /// Loopback field (bits 18:17).
    public static let LoopbackMask: UInt32 = 3 << 17
    /// The hardware version bits (31:26 and 23:20) r8169 reads as `(TxConfig >> 20) & 0xfcf`.
    public static let versionMask: UInt32 = 0xFCF0_0000
    /// Software-writable bits (the rest read as the version).
    public static let writable: UInt32 = 0x0307_07FF
}

/// Cfg9346 (9346CR) values.
public enum RTL8168Cfg9346 {
    /// EEM1:0 = 11b: configuration registers writable. r8169: Cfg9346_Unlock.
    public static let Unlock: UInt8 = 0xC0
    /// EEM1:0 = 00b: normal, configuration registers locked. r8169: Cfg9346_Lock.
    public static let Lock: UInt8 = 0x00
    /// EEM field mask.
    public static let modeMask: UInt8 = 0xC0
}

/// CPlusCmd (C+CR) bits (datasheet "C+ Command Register"; r8169).
public enum RTL8168CPlusCmd {
    /// RxVlan: strip VLAN tags on receive (reported in RX opts2).
    public static let RxVlan: UInt16 = 1 << 6
    /// RxChkSum: receive checksum offload.
    public static let RxChkSum: UInt16 = 1 << 5
    /// DAC: 64-bit addressing (PCIDAC).
    public static let PCIDAC: UInt16 = 1 << 4
    /// MulRW: PCI multiple read/write.
    public static let PCIMulRW: UInt16 = 1 << 3
    /// INTT: interrupt timer unit (bits 1:0), scales IntrMitigate's timers.
    public static let INTTMask: UInt16 = 0x3
}

/// PHYstatus (PHYSR) bits.
public enum RTL8168PHYstatus {
    /// TxFlow: transmit flow control.
    public static let TxFlowCtrl: UInt8 = 1 << 6
    /// RxFlow: receive flow control.
    public static let RxFlowCtrl: UInt8 = 1 << 5
    /// 1000MF: 1000 Mb/s full duplex.
    public static let _1000bpsF: UInt8 = 1 << 4
    /// 100M.
    public static let _100bps: UInt8 = 1 << 3
    /// 10M.
    public static let _10bps: UInt8 = 1 << 2
    /// LinkSts.
    public static let LinkStatus: UInt8 = 1 << 1
    /// FullDup.
    public static let FullDup: UInt8 = 1 << 0
}

/// PHYAR fields.
public enum RTL8168PHYAR {
    /// Flag: write 1 = write cycle (cleared when done); write 0 = read cycle (set when done).
    public static let Flag: UInt32 = 1 << 31
    /// RegAddr field shift (bits 20:16).
    public static let regShift: UInt32 = 16
    /// RegAddr mask after the shift.
    public static let regMask: UInt32 = 0x1F
}

/// CSIAR fields (r8169 `CSIAR_*`).
public enum RTL8168CSIAR {
    /// Flag: write 1 = write cycle (cleared when done); 0 = read (set when done).
    public static let Flag: UInt32 = 1 << 31
    /// Byte enables (bits 15:12).
    public static let ByteEnableMask: UInt32 = 0xF000
    /// Address (bits 11:0).
    public static let AddressMask: UInt32 = 0x0FFF
    /// Function number field shift (bits 18:16).
    public static let functionShift: UInt32 = 16
}

/// DTCCR bits.
public enum RTL8168DTCCR {
    /// Cmd: dump the tally counters to the address; self-clears when done. r8169: CounterDump.
    public static let Cmd: UInt32 = 1 << 3
    /// Reset: clear the counters (8111C and later). r8169: CounterReset.
    public static let Reset: UInt32 = 1 << 0
    /// Address bits (64-byte aligned).
    public static let addressMask: UInt32 = 0xFFFF_FFC0
}

/// Config register bits the model acts on.
public enum RTL8168Config {
    /// Config3 Jumbo_En0 (bit 2), with Config4 Jumbo_En1 (bit 1): jumbo frames (r8169 r8168c_hw_jumbo_enable).
    public static let Config3JumboEn0: UInt8 = 1 << 2
    /// Config4 Jumbo_En1.
    public static let Config4JumboEn1: UInt8 = 1 << 1
    /// Config1 PMEnable (bit 0), reads 1.
    public static let Config1PMEnable: UInt8 = 1 << 0
}
