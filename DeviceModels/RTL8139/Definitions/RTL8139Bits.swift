/// Bits of the RTL8139 registers, named as the RTL8139C(L) / RTL8139C(L)+ datasheets name them
/// (section numbers in each type). Linux's names (8139too.c / 8139cp.c), where they differ, are in
/// the doc comments.

/// CR, command register (§5.6).
public enum RTL8139CR {
    /// BUFE: receive buffer empty (read only).
    public static let BUFE: UInt8 = 1 << 0
    /// TE: transmitter enable.
    public static let TE: UInt8 = 1 << 2
    /// RE: receiver enable.
    public static let RE: UInt8 = 1 << 3
    /// RST: software reset; reads 1 until the reset is done.
    public static let RST: UInt8 = 1 << 4
}

/// ISR and IMR bits (§5.7, §5.8; C+ datasheet §6 for TDU and SWInt).
public enum RTL8139Interrupt {
    /// ROK: receive OK.
    public static let ROK: UInt16 = 1 << 0
    /// RER: receive error.
    public static let RER: UInt16 = 1 << 1
    /// TOK: transmit OK.
    public static let TOK: UInt16 = 1 << 2
    /// TER: transmit error.
    public static let TER: UInt16 = 1 << 3
    /// RXOVW: receive buffer overflow (C mode); RDU, receive descriptor unavailable (C+ mode).
    public static let RXOVW: UInt16 = 1 << 4
    /// PUN/LinkChg: packet underrun or link change.
    public static let PUN_LinkChg: UInt16 = 1 << 5
    /// FOVW: receive FIFO overflow.
    public static let FOVW: UInt16 = 1 << 6
    /// TDU: transmit descriptor unavailable (C+ mode).
    public static let TDU: UInt16 = 1 << 7
    /// SWInt: software interrupt (C+ mode, TxPoll.FSWInt).
    public static let SWInt: UInt16 = 1 << 8
    /// LenChg: cable length change.
    public static let LenChg: UInt16 = 1 << 13
    /// TimeOut: TCTR reached TimerInt.
    public static let TimeOut: UInt16 = 1 << 14
    /// SERR: system error on the PCI bus.
    public static let SERR: UInt16 = 1 << 15
    /// Every defined bit.
    public static let defined: UInt16 = 0xE1FF
}

/// TSD0–3, transmit status of one C-mode slot (§5.2).
public enum RTL8139TSD {
    /// SIZE: bytes of the frame in the slot's buffer, bits 12:0 (at most 1792).
    public static let SIZE_MASK: UInt32 = 0x1FFF
    /// OWN: set by the chip once the frame is in the FIFO; the driver clears it to send.
    public static let OWN: UInt32 = 1 << 13
    /// TUN: transmit FIFO underrun.
    public static let TUN: UInt32 = 1 << 14
    /// TOK: transmit OK.
    public static let TOK: UInt32 = 1 << 15
    /// ERTXTH: early transmit threshold in 32-byte units (0 means 8 bytes), bits 21:16.
    public static let ERTXTH_SHIFT: UInt32 = 16
    /// ERTXTH field mask.
    public static let ERTXTH_MASK: UInt32 = 0x3F << 16
    /// NCC: number of collisions, bits 27:24.
    public static let NCC_SHIFT: UInt32 = 24
    /// CDH: CD heart beat (10 Mb/s only).
    public static let CDH: UInt32 = 1 << 28
    /// OWC: out-of-window collision.
    public static let OWC: UInt32 = 1 << 29
    /// TABT: transmit abort.
    public static let TABT: UInt32 = 1 << 30
    /// CRS: carrier sense lost.
    public static let CRS: UInt32 = 1 << 31
    /// Largest frame a slot sends (§5.2: SIZE up to 1792 bytes).
    public static let maximumSize = 1792
}

/// TSAD (TxSummary) bits (§5.17): one bit per slot in each group.
public enum RTL8139TSADSummary {
    /// OWN0–3, bits 3:0.
    public static let OWN_SHIFT: UInt16 = 0
    /// TABT0–3, bits 7:4.
    public static let TABT_SHIFT: UInt16 = 4
    /// TUN0–3, bits 11:8.
    public static let TUN_SHIFT: UInt16 = 8
    /// TOK0–3, bits 15:12.
    public static let TOK_SHIFT: UInt16 = 12
}

/// RCR, receive configuration (§5.10).
public enum RTL8139RCR {
    /// AAP: accept all packets with a physical destination address (promiscuous).
    public static let AAP: UInt32 = 1 << 0
    /// APM: accept physical match (the station address).
    public static let APM: UInt32 = 1 << 1
    /// AM: accept multicast (through the MAR hash).
    public static let AM: UInt32 = 1 << 2
    /// AB: accept broadcast.
    public static let AB: UInt32 = 1 << 3
    /// AR: accept runt (error frames shorter than 64 bytes).
    public static let AR: UInt32 = 1 << 4
    /// AER: accept error packets (CRC error).
    public static let AER: UInt32 = 1 << 5
    /// 9356SEL: EEPROM is a 93C56 (read only; 0 on our part, a 93C46).
    public static let SEL9356: UInt32 = 1 << 6
    /// WRAP: 1 = a frame that reaches the ring end continues past it (1.5 KiB slack needed);
    /// 0 = it wraps to the ring start. Ignored with a 64 KiB ring (§5.10).
    public static let WRAP: UInt32 = 1 << 7
    /// MXDMA: maximum DMA burst per receive transfer, bits 10:8 (16 << n bytes, 7 = unlimited).
    public static let MXDMA_SHIFT: UInt32 = 8
    /// RBLEN: ring length, bits 12:11: 8 KiB << RBLEN (+16 bytes).
    public static let RBLEN_SHIFT: UInt32 = 11
    /// RBLEN field mask.
    public static let RBLEN_MASK: UInt32 = 3 << 11
    /// RXFTH: receive FIFO threshold, bits 15:13 (7 = whole frame).
    public static let RXFTH_SHIFT: UInt32 = 13
    /// RER8: receive error packets larger than 8 bytes.
    public static let RER8: UInt32 = 1 << 16
    /// MulERINT: multiple early interrupt select.
    public static let MulERINT: UInt32 = 1 << 17
    /// ERTH: early receive threshold, bits 27:24 (n/16 of the frame; 0 = none).
    public static let ERTH_SHIFT: UInt32 = 24
    /// Bits software writes (the rest reserved or read only).
    public static let writable: UInt32 = 0x0F03_FFBF
}

/// TCR, transmit configuration (§5.9).
public enum RTL8139TCR {
    /// CLRABT: retransmit the aborted frame (self-clearing).
    public static let CLRABT: UInt32 = 1 << 0
    /// TXRR: transmit retry count, bits 7:4.
    public static let TXRR_SHIFT: UInt32 = 4
    /// MXDMA: maximum transmit DMA burst, bits 10:8.
    public static let MXDMA_SHIFT: UInt32 = 8
    /// CRC: "Append CRC"; setting it to 1 means no CRC is appended to the frame (§5.9).
    public static let CRC: UInt32 = 1 << 16
    /// LBK: loopback test, bits 18:17 (00 normal, 11 loopback).
    public static let LBK_SHIFT: UInt32 = 17
    /// LBK field mask.
    public static let LBK_MASK: UInt32 = 3 << 17
    /// IFG: inter-frame gap, bits 25:24 (11 = the 802.3 standard 9.6 µs at 10 Mb/s).
    public static let IFG_SHIFT: UInt32 = 24
    /// HWVERID_A (30:26) and HWVERID_B (23:22): the hardware version (read only).
    public static let HWVERID_MASK: UInt32 = 0x7CC0_0000
    /// Bits software writes.
    public static let writable: UInt32 = 0x0307_07F1
}

/// 9346CR, 93C46 command register (§5.11).
public enum RTL8139CR9346 {
    /// EEDO: data out of the EEPROM (read only).
    public static let EEDO: UInt8 = 1 << 0
    /// EEDI: data into the EEPROM.
    public static let EEDI: UInt8 = 1 << 1
    /// EESK: EEPROM serial clock.
    public static let EESK: UInt8 = 1 << 2
    /// EECS: EEPROM chip select.
    public static let EECS: UInt8 = 1 << 3
    /// EEM1:0, bits 7:6: operating mode.
    public static let EEM_SHIFT: UInt8 = 6
    /// EEM field mask.
    public static let EEM_MASK: UInt8 = 3 << 6
    /// EEM = 00: normal operation.
    public static let EEM_NORMAL: UInt8 = 0 << 6
    /// EEM = 01: auto-load (reload the EEPROM contents, as at power-on).
    public static let EEM_AUTOLOAD: UInt8 = 1 << 6
    /// EEM = 10: 93C46 programming (EECS/EESK/EEDI drive the EEPROM pins).
    public static let EEM_PROGRAM: UInt8 = 2 << 6
    /// EEM = 11: CONFIG0–4 (and BMCR bits 13, 12, 8) write enable.
    public static let EEM_CONFIG_WRITE: UInt8 = 3 << 6
}

/// CONFIG1 (§5.13).
public enum RTL8139CONFIG1 {
    /// PMEn: power management enable.
    public static let PMEn: UInt8 = 1 << 0
    /// VPD: vital product data enable.
    public static let VPD: UInt8 = 1 << 1
    /// IOMAP: I/O mapping of the registers (read only: 1).
    public static let IOMAP: UInt8 = 1 << 2
    /// MEMMAP: memory mapping of the registers (read only: 1).
    public static let MEMMAP: UInt8 = 1 << 3
    /// LWACT: LWAKE active mode.
    public static let LWACT: UInt8 = 1 << 4
    /// DVRLOAD: driver loaded.
    public static let DVRLOAD: UInt8 = 1 << 5
    /// LEDS1:0, bits 7:6.
    public static let LEDS_SHIFT: UInt8 = 6
}

/// CONFIG3 (§5.15).
public enum RTL8139CONFIG3 {
    /// FBtBEn: fast back-to-back enable.
    public static let FBtBEn: UInt8 = 1 << 0
    /// FuncRegEn: function registers enable (CardBus).
    public static let FuncRegEn: UInt8 = 1 << 1
    /// CLKRUN_En.
    public static let CLKRUN_En: UInt8 = 1 << 2
    /// CardB_En: CardBus enable.
    public static let CardB_En: UInt8 = 1 << 3
    /// LinkUp: wake on link up.
    public static let LinkUp: UInt8 = 1 << 4
    /// Magic: wake on Magic Packet.
    public static let Magic: UInt8 = 1 << 5
    /// PARM_En: parameter enable (PHY1/PHY2/TW_PARM writable).
    public static let PARM_En: UInt8 = 1 << 6
    /// GNTSel: grant select.
    public static let GNTSel: UInt8 = 1 << 7
}

/// CONFIG5 (§5.25).
public enum RTL8139CONFIG5 {
    /// PME_STS: PME status.
    public static let PME_STS: UInt8 = 1 << 0
    /// LANWake.
    public static let LANWake: UInt8 = 1 << 1
    /// LDPS: link down power saving disable.
    public static let LDPS: UInt8 = 1 << 2
    /// FIFOAddrPtr (test).
    public static let FIFOAddrPtr: UInt8 = 1 << 3
    /// UWF: unicast wake-up frame.
    public static let UWF: UInt8 = 1 << 4
    /// MWF: multicast wake-up frame.
    public static let MWF: UInt8 = 1 << 5
    /// BWF: broadcast wake-up frame.
    public static let BWF: UInt8 = 1 << 6
}

/// MSR, media status (§5.14).
public enum RTL8139MSR {
    /// RXPF: receive pause flag.
    public static let RXPF: UInt8 = 1 << 0
    /// TXPF: transmit pause flag.
    public static let TXPF: UInt8 = 1 << 1
    /// LINKB: inverse of link status: 0 = link OK, 1 = link fail.
    public static let LINKB: UInt8 = 1 << 2
    /// SPEED_10: 1 = 10 Mb/s, 0 = 100 Mb/s.
    public static let SPEED_10: UInt8 = 1 << 3
    /// Aux_Status: auxiliary power present.
    public static let Aux_Status: UInt8 = 1 << 4
    /// RXFCE: receive flow control enable.
    public static let RXFCE: UInt8 = 1 << 6
    /// TXFCE: transmit flow control enable.
    public static let TXFCE: UInt8 = 1 << 7
}

/// BMCR / BMSR / ANAR / ANLPAR / ANER bits (§5.18–5.22; IEEE 802.3 clause 22.2.4, 28.2.4).
public enum RTL8139MII {
    /// BMCR.Reset (self-clearing).
    public static let BMCR_Reset: UInt16 = 1 << 15
    /// BMCR.Spd_Set: 1 = 100 Mb/s (when ANE = 0).
    public static let BMCR_Spd_Set: UInt16 = 1 << 13
    /// BMCR.ANE: auto-negotiation enable.
    public static let BMCR_ANE: UInt16 = 1 << 12
    /// BMCR.Restart_AN (self-clearing).
    public static let BMCR_Restart_AN: UInt16 = 1 << 9
    /// BMCR.Duplex_Mode: 1 = full duplex (when ANE = 0).
    public static let BMCR_Duplex_Mode: UInt16 = 1 << 8
    /// BMCR bits written only after the 9346CR unlock (§5.11: bits 13, 12, 8).
    public static let BMCR_configLocked: UInt16 = BMCR_Spd_Set | BMCR_ANE | BMCR_Duplex_Mode
    /// BMSR abilities: 100BASE-TX full/half, 10BASE-T full/half, AN ability, extended capability.
    public static let BMSR_abilities: UInt16 = 0x7809
    /// BMSR.Link_Status (bit 2).
    public static let BMSR_Link: UInt16 = 1 << 2
    /// BMSR.Auto-Negotiation_Complete (bit 5).
    public static let BMSR_ANComplete: UInt16 = 1 << 5
    /// ANAR default: selector 00001 (802.3), 10 half/full, 100 half/full, pause (bit 10).
    public static let ANAR_default: UInt16 = 0x05E1
    /// ANAR ability bits: 10HD 5, 10FD 6, 100HD 7, 100FD 8.
    public static let ANAR_10HD: UInt16 = 1 << 5, ANAR_10FD: UInt16 = 1 << 6
    /// 100BASE-TX half and full.
    public static let ANAR_100HD: UInt16 = 1 << 7, ANAR_100FD: UInt16 = 1 << 8
    /// ANLPAR.ACK (bit 14).
    public static let ANLPAR_ACK: UInt16 = 1 << 14
    /// ANER.LP_NW_ABLE: link partner is auto-negotiation able (bit 0).
    public static let ANER_LP_NW_ABLE: UInt16 = 1 << 0
}

/// The C-mode receive packet header, the 4 bytes before each frame in the ring (§6.1 "Packet
/// header"): status in the low 16 bits, the frame length including the 4-byte CRC in the high 16.
public enum RTL8139RxHeader {
    /// ROK: receive OK.
    public static let ROK: UInt16 = 1 << 0
    /// FAE: frame alignment error.
    public static let FAE: UInt16 = 1 << 1
    /// CRC: CRC error.
    public static let CRC: UInt16 = 1 << 2
    /// LONG: frame longer than 4 KiB.
    public static let LONG: UInt16 = 1 << 3
    /// RUNT: frame shorter than 64 bytes.
    public static let RUNT: UInt16 = 1 << 4
    /// ISE: invalid symbol error (100BASE-TX).
    public static let ISE: UInt16 = 1 << 5
    /// BAR: broadcast address received.
    public static let BAR: UInt16 = 1 << 13
    /// PAM: physical address matched.
    public static let PAM: UInt16 = 1 << 14
    /// MAR: multicast address received.
    public static let MAR: UInt16 = 1 << 15
    /// Header bytes.
    public static let size = 4
}

/// CpCmd (C+CR), the C+ command register (C+ datasheet §6.5; Linux 8139cp "CpCmd").
public enum RTL8139CpCmd {
    /// C+ transmit enable ("CPlusTxEnb"; 8139cp: CpTxOn).
    public static let TxEnb: UInt16 = 1 << 0
    /// C+ receive enable ("CPlusRxEnb"; 8139cp: CpRxOn).
    public static let RxEnb: UInt16 = 1 << 1
    /// MulRW: PCI multiple read/write enable.
    public static let MulRW: UInt16 = 1 << 3
    /// DAC: PCI dual address cycle (64-bit addresses).
    public static let DAC: UInt16 = 1 << 4
    /// RxChkSum: receive checksum offload enable.
    public static let RxChkSum: UInt16 = 1 << 5
    /// RxVLAN: receive VLAN de-tagging enable.
    public static let RxVLAN: UInt16 = 1 << 6
    /// Bits software writes (QEMU masks 0xFF84 as unwritable; the datasheet's defined bits).
    public static let writable: UInt16 = 0x007B
}

/// TxPoll (TPPoll) bits (C+ datasheet §6.4).
public enum RTL8139TxPoll {
    /// FSWInt: forced software interrupt.
    public static let FSWInt: UInt8 = 1 << 0
    /// NPQ: normal-priority queue polling.
    public static let NPQ: UInt8 = 1 << 6
    /// HPQ: high-priority queue polling.
    public static let HPQ: UInt8 = 1 << 7
}

/// DTCCR bits (C+ datasheet §6.1): the 64-byte aligned counter dump address and the command bit.
public enum RTL8139DTCCR {
    /// Cmd: dump the tally counters; cleared by the chip when the dump is done.
    public static let Cmd: UInt64 = 1 << 3
    /// Address bits (the dump area is 64-byte aligned).
    public static let addressMask: UInt64 = ~0x3F
}

/// ERSR, early receive status (§5.5). ERBCR (34h) holds the byte count of the packet being received.
public enum RTL8139ERSR {
    /// EROK: the received byte count passed the early receive threshold (RCR.ERTH).
    public static let EROK: UInt8 = 1 << 0
    /// EROVW: early receive overwrite: the write pointer reached CAPR (the ring is full).
    public static let EROVW: UInt8 = 1 << 1
    /// ERBad: the packet ended bad (an error packet accepted with RCR.AR/AER).
    public static let ERBad: UInt8 = 1 << 2
    /// ERGood: the packet ended good.
    public static let ERGood: UInt8 = 1 << 3
}
