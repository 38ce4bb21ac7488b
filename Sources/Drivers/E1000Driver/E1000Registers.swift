// The e1000 registers as this driver knows them, written from the manuals (a driver keeps its own
// copy: it never sees the device model).
//
//   "SDM"      = PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's Manual
//                (82540EP/EM …), rev 4.0, 317453006EN.
//   "82574 DS" = Intel 82574 GbE Controller Family Datasheet. Its register chapter (§10) keeps the
//                8254x offsets for every register both chips have; registers only the 82574 has are
//                cited by their datasheet name.
//   "(inferred)" = section number deduced from the neighbouring sections, not itself seen.

/// MMIO offsets in BAR0 (SDM §13.4 "Register descriptions"; 82574 DS §10.2).
enum Reg {
    // MARK: General (SDM §13.4.1–§13.4.7)

    /// CTRL — Device Control (SDM §13.4.1, inferred).
    static let CTRL = 0x0_0000
    /// STATUS — Device Status, read only (SDM §13.4.2, inferred).
    static let STATUS = 0x0_0008
    /// EECD — EEPROM/Flash Control & Data (SDM §13.4.3, inferred; "EEC" in the 82574 DS).
    static let EECD = 0x0_0010
    /// EERD — EEPROM Read (SDM §13.4.4, inferred, and §5.3.1).
    static let EERD = 0x0_0014
    /// CTRL_EXT — Extended Device Control (SDM §13.4.6).
    static let CTRL_EXT = 0x0_0018
    /// MDIC — MDI Control, PHY register access (SDM §13.4.7, inferred, and §8.6.2.4).
    static let MDIC = 0x0_0020
    /// VET — VLAN Ether Type (SDM §13.4).
    static let VET = 0x0_0038

    // MARK: Interrupts (SDM §13.4.17–§13.4.21; 82574 DS)

    /// ICR — Interrupt Cause Read; read-to-clear (SDM §13.4.17, Table 13-63).
    static let ICR = 0x0_00C0
    /// ITR — Interrupt Throttling, 256 ns units (SDM §13.4.18).
    static let ITR = 0x0_00C4
    /// IMS — Interrupt Mask Set/Read (SDM §13.4.20).
    static let IMS = 0x0_00D0
    /// IMC — Interrupt Mask Clear, write only (SDM §13.4.21, inferred; Table 13-66).
    static let IMC = 0x0_00D8
    /// EIAC — Extended Interrupt Auto Clear (82574 DS; 82574 only).
    static let EIAC = 0x0_00DC
    /// IAM — Interrupt Acknowledge Auto Mask (82574 DS; 82574 only).
    static let IAM = 0x0_00E0
    /// IVAR — Interrupt Vector Allocation, MSI-X cause → vector (82574 DS; 82574 only).
    static let IVAR = 0x0_00E4
    /// EITR(n) — Extended Interrupt Throttling of MSI-X vector n, 256 ns units (82574 DS; 82574 only).
    static func EITR(_ n: Int) -> Int { 0x0_00E8 + 4 * n }

    // MARK: Receive (SDM §13.4.22–§13.4.47)

    /// RCTL — Receive Control (SDM §13.4.22, inferred).
    static let RCTL = 0x0_0100
    /// RDBAL — Receive Descriptor Base Address Low (SDM §13.4.25, inferred).
    static let RDBAL = 0x0_2800
    /// RDBAH — Receive Descriptor Base Address High (SDM §13.4.26, inferred).
    static let RDBAH = 0x0_2804
    /// RDLEN — Receive Descriptor Length in bytes, a multiple of 128 (SDM §13.4.27, Table 13-72).
    static let RDLEN = 0x0_2808
    /// RDH — Receive Descriptor Head (SDM §13.4.28, Table 13-73).
    static let RDH = 0x0_2810
    /// RDT — Receive Descriptor Tail (SDM §13.4.29, Table 13-74).
    static let RDT = 0x0_2818
    /// RDTR — Receive Delay Timer, 1.024 µs units (SDM §13.4.30).
    static let RDTR = 0x0_2820
    /// RADV — Receive Interrupt Absolute Delay Timer (SDM §13.4.31).
    static let RADV = 0x0_282C
    /// RXCSUM — Receive Checksum Control (SDM §13.4.47, inferred).
    static let RXCSUM = 0x0_5000

    // MARK: Transmit (SDM §13.4.33–§13.4.44)

    /// TCTL — Transmit Control (SDM §13.4.33, inferred; Table 13-76).
    static let TCTL = 0x0_0400
    /// TIPG — Transmit Inter-Packet Gap (SDM §13.4.34, inferred; Table 13-77).
    static let TIPG = 0x0_0410
    /// TDBAL — Transmit Descriptor Base Address Low (SDM §13.4.36, inferred).
    static let TDBAL = 0x0_3800
    /// TDBAH — Transmit Descriptor Base Address High (SDM §13.4.37, Table 13-80).
    static let TDBAH = 0x0_3804
    /// TDLEN — Transmit Descriptor Length in bytes, a multiple of 128 (SDM §13.4.38, Table 13-81).
    static let TDLEN = 0x0_3808
    /// TDH — Transmit Descriptor Head (SDM §13.4.39, Table 13-82).
    static let TDH = 0x0_3810
    /// TDT — Transmit Descriptor Tail (SDM §13.4.40, Table 13-83).
    static let TDT = 0x0_3818
    /// TIDV — Transmit Interrupt Delay Value, 1.024 µs units (SDM §13.4.41).
    static let TIDV = 0x0_3820

    // MARK: Receive filters (SDM §13.5)

    /// MTA[n] — Multicast Table Array, 128 × 32 bits (SDM §13.5.1, inferred).
    static func MTA(_ n: Int) -> Int { 0x0_5200 + 4 * n }
    /// RAL[n] — Receive Address Low, n in 0..<16 (SDM §13.5.2).
    static func RAL(_ n: Int) -> Int { 0x0_5400 + 8 * n }
    /// RAH[n] — Receive Address High, n in 0..<16 (SDM §13.5.3).
    static func RAH(_ n: Int) -> Int { 0x0_5404 + 8 * n }
    /// Entries of the MTA (SDM §13.5.1: 4096 bits).
    static let mtaEntries = 128
    /// Receive address register pairs (SDM §13.5.2: 16).
    static let receiveAddresses = 16

    // MARK: Statistics (SDM §13.7; every counter is read-to-clear)

    /// CRCERRS — CRC Error Count.
    static let CRCERRS = 0x0_4000
    /// ALGNERRC — Alignment Error Count.
    static let ALGNERRC = 0x0_4004
    /// RXERRC — Receive Error Count.
    static let RXERRC = 0x0_400C
    /// MPC — Missed Packets Count (receive FIFO/ring had no room).
    static let MPC = 0x0_4010
    /// ECOL — Excessive Collisions Count.
    static let ECOL = 0x0_4018
    /// LATECOL — Late Collisions Count.
    static let LATECOL = 0x0_4020
    /// GPRC — Good Packets Received Count.
    static let GPRC = 0x0_4074
    /// GPTC — Good Packets Transmitted Count.
    static let GPTC = 0x0_4080
    /// GORCL — Good Octets Received Count, low 32 bits.
    static let GORCL = 0x0_4088
    /// GORCH — Good Octets Received Count, high 32 bits.
    static let GORCH = 0x0_408C
    /// GOTCL — Good Octets Transmitted Count, low 32 bits.
    static let GOTCL = 0x0_4090
    /// GOTCH — Good Octets Transmitted Count, high 32 bits.
    static let GOTCH = 0x0_4094
    /// RNBC — Receive No Buffers Count.
    static let RNBC = 0x0_40A0
    /// RUC — Receive Undersize Count.
    static let RUC = 0x0_40A4
    /// RFC — Receive Fragment Count.
    static let RFC = 0x0_40A8
    /// ROC — Receive Oversize Count.
    static let ROC = 0x0_40AC
    /// RJC — Receive Jabber Count.
    static let RJC = 0x0_40B0
}

/// CTRL bits (SDM §13.4.1, inferred).
enum CTRL {
    /// FD — Full-Duplex (bit 0), used only with FRCDPLX.
    static let FD: UInt32 = 1 << 0
    /// GIO_MASTER_DISABLE — stop issuing new master requests (bit 2; 82574 DS, 82574 only).
    static let GIO_MASTER_DISABLE: UInt32 = 1 << 2
    /// LRST — Link Reset (bit 3).
    static let LRST: UInt32 = 1 << 3
    /// ASDE — Auto-Speed Detection Enable (bit 5).
    static let ASDE: UInt32 = 1 << 5
    /// SLU — Set Link Up (bit 6).
    static let SLU: UInt32 = 1 << 6
    /// ILOS — Invert Loss-of-Signal (bit 7).
    static let ILOS: UInt32 = 1 << 7
    /// FRCSPD — Force Speed (bit 11).
    static let FRCSPD: UInt32 = 1 << 11
    /// FRCDPLX — Force Duplex (bit 12).
    static let FRCDPLX: UInt32 = 1 << 12
    /// RST — Device Reset (bit 26), self-clearing.
    static let RST: UInt32 = 1 << 26
    /// VME — VLAN Mode Enable (bit 30): strip received 802.1Q tags and honour VLE on transmit.
    static let VME: UInt32 = 1 << 30
    /// PHY_RST — PHY Reset (bit 31).
    static let PHY_RST: UInt32 = 1 << 31
}

/// STATUS bits (SDM §13.4.2, inferred).
enum STATUS {
    /// FD — Full-Duplex (bit 0).
    static let FD: UInt32 = 1 << 0
    /// LU — Link Up (bit 1).
    static let LU: UInt32 = 1 << 1
    /// SPEED field (bits 7:6): 00b 10, 01b 100, 10b/11b 1000 Mb/s.
    static let SPEED_MASK: UInt32 = 0x0000_00C0
    /// SPEED field shift.
    static let SPEED_SHIFT: UInt32 = 6
    /// GIO_MASTER_ENABLE — master requests still enabled (bit 19; 82574 DS, 82574 only).
    static let GIO_MASTER_ENABLE: UInt32 = 1 << 19
}

/// EECD bits (SDM §13.4.3, inferred; 82574 DS "EEC").
enum EECD {
    /// AUTO_RD — NVM auto-read done after reset (bit 9; 82574 only — EE_SIZE on the 82540EM).
    static let AUTO_RD: UInt32 = 1 << 9
}

/// EERD field layout; it differs between the chips (SDM §5.3.1 and §13.4.4 for the 82540EM:
/// START bit 0, DONE bit 4, ADDR 15:8; 82574 DS EERD: START bit 0, DONE bit 1, ADDR 15:2). DATA is
/// bits 31:16 on both.
struct EERDLayout {
    /// START — begin a read (bit 0).
    var start: UInt32
    /// DONE — the read finished, DATA is valid.
    var done: UInt32
    /// Shift of the word address.
    var addressShift: UInt32
    /// Shift of the data.
    static let dataShift: UInt32 = 16
}

/// MDIC fields (SDM §13.4.7, inferred, and §8.6.2.4).
enum MDIC {
    /// DATA (bits 15:0).
    static let DATA_MASK: UInt32 = 0x0000_FFFF
    /// REGADD (bits 20:16).
    static let REGADD_SHIFT: UInt32 = 16
    /// PHYADD (bits 25:21).
    static let PHYADD_SHIFT: UInt32 = 21
    /// OP = write (01b in bits 27:26).
    static let OP_WRITE: UInt32 = 0b01 << 26
    /// OP = read (10b in bits 27:26).
    static let OP_READ: UInt32 = 0b10 << 26
    /// R — Ready (bit 28).
    static let R: UInt32 = 1 << 28
    /// E — Error (bit 30): the PHY did not answer.
    static let E: UInt32 = 1 << 30
    /// MDIO address of the internal PHY on both chips (SDM §8.6.2.4: the internal PHY answers at 1).
    static let internalPHYAddress: UInt32 = 1
}

/// Interrupt causes, common to ICR, ICS, IMS and IMC (SDM §13.4.17 Table 13-63; bits 20–24 and 31
/// from the 82574 DS ICR).
enum Cause {
    /// TXDW — Transmit Descriptor Written Back (bit 0).
    static let TXDW: UInt32 = 1 << 0
    /// TXQE — Transmit Queue Empty (bit 1).
    static let TXQE: UInt32 = 1 << 1
    /// LSC — Link Status Change (bit 2).
    static let LSC: UInt32 = 1 << 2
    /// RXDMT0 — Receive Descriptor Minimum Threshold (bit 4).
    static let RXDMT0: UInt32 = 1 << 4
    /// RXO — Receiver Overrun (bit 6).
    static let RXO: UInt32 = 1 << 6
    /// RXT0 — Receiver Timer Interrupt (bit 7).
    static let RXT0: UInt32 = 1 << 7
    /// MDAC — MDI/O Access Complete (bit 9).
    static let MDAC: UInt32 = 1 << 9
    /// RXQ0 — receive queue 0, MSI-X (bit 20; 82574 only).
    static let RXQ0: UInt32 = 1 << 20
    /// TXQ0 — transmit queue 0, MSI-X (bit 22; 82574 only).
    static let TXQ0: UInt32 = 1 << 22
    /// OTHER — non-queue causes, MSI-X (bit 24; 82574 only).
    static let OTHER: UInt32 = 1 << 24
    /// INT_ASSERTED — the device asserts its interrupt (bit 31; 82574 ICR only).
    static let INT_ASSERTED: UInt32 = 1 << 31

    /// Causes the datasheet defines on the 82540EM (Table 13-63: bits 31:17 reserved; Table 13-66:
    /// bits 5 and 8 reserved). IMC is written with this, never with reserved bits set.
    static let defined82540EM: UInt32 = 0x0001_FFFF & ~(1 << 5 | 1 << 8)
    /// Causes the 82574 DS defines (bits 0–4, 6, 7, 9, 15–18, 20–24).
    static let defined82574L: UInt32 = 0x01F7_82DF
    /// The receive causes the NAPI poll takes over while it runs.
    static let receive: UInt32 = RXT0 | RXDMT0 | RXO
    /// The transmit causes the NAPI poll takes over while it runs.
    static let transmit: UInt32 = TXDW
}

/// RCTL bits (SDM §13.4.22, inferred).
enum RCTL {
    /// EN — Receiver Enable (bit 1).
    static let EN: UInt32 = 1 << 1
    /// UPE — Unicast Promiscuous Enable (bit 3).
    static let UPE: UInt32 = 1 << 3
    /// MPE — Multicast Promiscuous Enable (bit 4).
    static let MPE: UInt32 = 1 << 4
    /// LPE — Long Packet Enable (bit 5).
    static let LPE: UInt32 = 1 << 5
    /// RDMTS = 1/2 of the ring (00b in bits 9:8).
    static let RDMTS_HALF: UInt32 = 0b00 << 8
    /// MO = 00b (bits 13:12): the MTA is indexed by destination-address bits 47:36.
    static let MO_47_36: UInt32 = 0b00 << 12
    /// BAM — Broadcast Accept Mode (bit 15).
    static let BAM: UInt32 = 1 << 15
    /// BSIZE = 2048 bytes (00b in bits 17:16, with BSEX = 0; SDM §3.2.2).
    static let BSIZE_2048: UInt32 = 0b00 << 16
    /// SECRC — Strip Ethernet CRC (bit 26).
    static let SECRC: UInt32 = 1 << 26
}

/// RXCSUM bits (SDM §13.4.47, inferred).
enum RXCSUM {
    /// IPOFLD — IP checksum offload (bit 8).
    static let IPOFLD: UInt32 = 1 << 8
    /// TUOFLD — TCP/UDP checksum offload (bit 9).
    static let TUOFLD: UInt32 = 1 << 9
}

/// TCTL fields (SDM Table 13-76).
enum TCTL {
    /// EN — Transmit Enable (bit 1).
    static let EN: UInt32 = 1 << 1
    /// PSP — Pad Short Packets to 64 bytes (bit 3).
    static let PSP: UInt32 = 1 << 3
    /// CT — Collision Threshold (bits 11:4); the manual recommends 0Fh.
    static let CT_SHIFT: UInt32 = 4
    /// Recommended collision threshold.
    static let CT_RECOMMENDED: UInt32 = 0x0F
    /// COLD — Collision Distance (bits 21:12): 40h full duplex, 200h half duplex (recommended).
    static let COLD_SHIFT: UInt32 = 12
    /// Recommended COLD for full duplex.
    static let COLD_FULL_DUPLEX: UInt32 = 0x40
}

/// TIPG fields (SDM Table 13-77).
enum TIPG {
    /// IPGR1 shift (bits 19:10).
    static let IPGR1_SHIFT: UInt32 = 10
    /// IPGR2 shift (bits 29:20).
    static let IPGR2_SHIFT: UInt32 = 20
    /// IPGT for copper: Table 13-77 recommends 10 on the 82540EM; the 82574 DS's reset value is 8.
    static let IPGT_82540EM: UInt32 = 10
    /// IPGT for the 82574's copper PHY.
    static let IPGT_82574L: UInt32 = 8
    /// IPGR1 recommended value 8 (Table 13-77).
    static let IPGR1: UInt32 = 8
    /// IPGR2 recommended value 6.
    static let IPGR2: UInt32 = 6
}

/// RAH bits (SDM §13.5.3).
enum RAH {
    /// AV — Address Valid (bit 31).
    static let AV: UInt32 = 1 << 31
}

/// IVAR entry layout (82574 DS IVAR): five 4-bit entries, vector in bits 2:0 and a valid bit 3.
enum IVAR {
    /// INT_ALLOC[0], receive queue 0: bits 3:0.
    static let RX0_SHIFT: UInt32 = 0
    /// INT_ALLOC[2], transmit queue 0: bits 11:8.
    static let TX0_SHIFT: UInt32 = 8
    /// INT_ALLOC[4], other causes: bits 19:16.
    static let OTHER_SHIFT: UInt32 = 16
    /// Valid bit of an entry.
    static let VALID: UInt32 = 1 << 3
    /// One valid entry mapping the cause at `shift` to `vector`.
    static func entry(shift: UInt32, vector: Int) -> UInt32 { (UInt32(vector) | VALID) << shift }
}

/// ITR/EITR: the interval counts 256 ns units (SDM §13.4.18).
enum ITR {
    /// Nanoseconds per ITR unit.
    static let unitNanoseconds = 256
    /// INTERVAL field mask (bits 15:0).
    static let INTERVAL_MASK: UInt32 = 0xFFFF
}

/// EEPROM word map (SDM §5.6; 82574 DS NVM map): the MAC address and the checksum rule.
enum EEPROMWord {
    /// Words 0–2: Ethernet address, word n = byte 2n (low) and byte 2n+1 (high).
    static let ethernetAddress = 0x00
    /// Word 3Fh: checksum; the sum of words 00h–3Fh must equal BABAh.
    static let checksum = 0x3F
    /// The sum a valid image yields.
    static let checksumSum: UInt16 = 0xBABA
}

/// PHY (MII) registers and bits: IEEE 802.3 clause 22.2.4 (0–3), clause 28.2.4.1 (4), clause
/// 40.5.1.1 (9); SDM §11 and §8.6.2.4 describe the MAC's use of them.
enum PHY {
    /// PHY_CTRL — Control (register 0).
    static let PHY_CTRL: UInt32 = 0
    /// PHY_STATUS — Status (register 1).
    static let PHY_STATUS: UInt32 = 1
    /// PHY_ID1 — Identifier 1 (register 2).
    static let PHY_ID1: UInt32 = 2
    /// PHY_ID2 — Identifier 2 (register 3).
    static let PHY_ID2: UInt32 = 3
    /// PHY_AUTONEG_ADV — Auto-Negotiation Advertisement (register 4).
    static let PHY_AUTONEG_ADV: UInt32 = 4
    /// PHY_1000T_CTRL — 1000BASE-T Control (register 9).
    static let PHY_1000T_CTRL: UInt32 = 9

    /// PHY_CTRL.RESTART_AN (bit 9).
    static let CTRL_RESTART_AN: UInt16 = 1 << 9
    /// PHY_CTRL.AN_ENABLE (bit 12).
    static let CTRL_AN_ENABLE: UInt16 = 1 << 12
    /// PHY_CTRL.FULL_DUPLEX (bit 8) and SPEED_MSB (bit 6): the 1000/full selection kept with AN.
    static let CTRL_SPEED_1000_FULL: UInt16 = 1 << 8 | 1 << 6

    /// PHY_AUTONEG_ADV: selector 00001b (IEEE 802.3), 10/100 half and full, PAUSE and ASM_DIR.
    static let ADV_ALL_10_100_PAUSE: UInt16 = 0x0001 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 10 | 1 << 11
    /// PHY_1000T_CTRL.ADV_1000_FD (bit 9); 1000 half duplex is not advertised (SDM §11.1).
    static let ADV_1000_FD: UInt16 = 1 << 9

    /// OUI part of PHY_ID1 of both integrated PHYs (Marvell).
    static let ID1: UInt16 = 0x0141
    /// Model bits of PHY_ID2 (revision in bits 3:0 is ignored).
    static let ID2_MODEL_MASK: UInt16 = 0xFFF0
}
