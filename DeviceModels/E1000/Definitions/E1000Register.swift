// E1000 register map: MMIO offsets, access types, per-chip availability and
// documented reset values for the Intel 82540EM (8086:100E) and 82574L
// (8086:10D3). Facts only; see FACTS.md in this folder for every source.
//
// Citation conventions used in this file:
//   "SDM"     = PCI/PCI-X Family of Gigabit Ethernet Controllers Software
//               Developer's Manual, rev 4.0 (317453006EN), the 8254x manual.
//   "82574 DS" = Intel 82574 GbE Controller Family Datasheet.
//   "(inferred)" after a section number means the number follows from the
//               order of the neighbouring sections that were read, but that
//               exact heading was not itself seen.

/// The two controllers this device model covers.
///
/// 82540EM: 8254x SDM rev 4.0 (conventional PCI). 82574L: 82574 GbE
/// Controller Family Datasheet (PCIe x1).
enum E1000Chip: Sendable, Hashable, CaseIterable {
    /// Intel 82540EM Gigabit Ethernet Controller, PCI 8086:100E (SDM §4.1).
    case i82540EM
    /// Intel 82574L Gigabit Ethernet Controller, PCIe 8086:10D3 (82574 DS).
    case i82574L
}

/// Which of the modelled chips implement a register.
///
/// Derived from the 8254x SDM register chapter (§13) for the 82540EM and from
/// Linux `e1000e/regs.h` plus QEMU `hw/net/e1000e_core.c` for the 82574L
/// (the 82574 datasheet text itself could not be consulted; see FACTS.md).
enum E1000Availability: Sendable, Hashable {
    /// Present on both the 82540EM and the 82574L at the same offset.
    case both
    /// Present only on the 82540EM (8254x SDM).
    case only82540EM
    /// Present only on the 82574L (82574 DS; not in the 8254x SDM).
    case only82574L

    /// Whether the register exists on `chip`.
    func includes(_ chip: E1000Chip) -> Bool {
        switch (self, chip) {
        case (.both, _), (.only82540EM, .i82540EM), (.only82574L, .i82574L): return true
        default: return false
        }
    }
}

/// Register access type, using the SDM's notation (SDM §13 register headers
/// such as "ICR (000C0h; R)" and Linux `e1000_hw.h` annotations RW/RO/WO/R-clr).
enum E1000RegisterAccess: Sendable, Hashable {
    /// RW: readable and writable.
    case readWrite
    /// RO: read only; writes are ignored.
    case readOnly
    /// WO: write only; reads return an undefined/unrelated value.
    case writeOnly
    /// RC: read only, cleared by a read (statistics counters, SDM §13.7).
    case readToClear
    /// RC/W1C: cleared by a read, and bits written with 1b are also cleared
    /// (ICR, SDM §13.4.17: every bit clears on read, and writing 1b to a bit
    /// also clears it).
    case readToClearWriteOneToClear
}

/// MMIO offsets (from BAR0) of the scalar registers a driver uses.
///
/// Offsets: 8254x SDM §13 register descriptions, cross-checked against Linux
/// `drivers/net/ethernet/intel/e1000e/regs.h` and QEMU `hw/net/e1000x_regs.h`
/// / `hw/net/e1000_regs.h`. Arrays (MTA, RAL/RAH, VFTA) are in
/// `E1000RegisterArray`. Case names are the manuals' mnemonics.
enum E1000Register: UInt32, Sendable, Hashable, CaseIterable {
    // MARK: General

    /// CTRL — Device Control Register, SDM §13.4.1 (inferred); 82574 DS register CTRL.
    case CTRL = 0x0_0000
    /// STATUS — Device Status Register, SDM §13.4.2 (inferred); 82574 DS register STATUS.
    case STATUS = 0x0_0008
    /// EECD — EEPROM/Flash Control & Data Register, SDM §13.4.3 (inferred)
    /// (later Intel manuals, e.g. the 82575's, call it EEC; Linux e1000e keeps EECD).
    case EECD = 0x0_0010
    /// EERD — EEPROM Read Register, SDM §13.4.4 (inferred) and §5.3.1; 82574 DS register EERD.
    /// Bit layout differs between the chips, see `E1000EERD`.
    case EERD = 0x0_0014
    /// CTRL_EXT — Extended Device Control Register, SDM §13.4.6.
    case CTRL_EXT = 0x0_0018
    /// MDIC — MDI Control Register (PHY access), SDM §13.4.7 (inferred) and §8.6.2.4.
    case MDIC = 0x0_0020
    /// FCAL — Flow Control Address Low, SDM §13.4 (Linux: 0x00028).
    case FCAL = 0x0_0028
    /// FCAH — Flow Control Address High, SDM §13.4 (Linux: 0x0002C).
    case FCAH = 0x0_002C
    /// FCT — Flow Control Type, SDM §13.4 (Linux: 0x00030).
    case FCT = 0x0_0030
    /// VET — VLAN Ether Type, SDM §13.4 (Linux: 0x00038).
    case VET = 0x0_0038
    /// FCTTV — Flow Control Transmit Timer Value, SDM §13.4 (Linux: 0x00170).
    case FCTTV = 0x0_0170
    /// LEDCTL — LED Control, SDM §13.4 (Linux: 0x00E00).
    case LEDCTL = 0x0_0E00
    /// PBA — Packet Buffer Allocation, SDM §13.4.16 (Table 13-62).
    case PBA = 0x0_1000
    /// PBS — Packet Buffer Size, 82574 only (Linux e1000e regs.h 0x01008).
    case PBS = 0x0_1008

    // MARK: Interrupts

    /// ICR — Interrupt Cause Read, SDM §13.4.17 (Table 13-63); read-to-clear.
    case ICR = 0x0_00C0
    /// ITR — Interrupt Throttling Register, SDM §13.4.18 (256 ns units).
    case ITR = 0x0_00C4
    /// ICS — Interrupt Cause Set, SDM §13.4.19 (inferred); write only.
    case ICS = 0x0_00C8
    /// IMS — Interrupt Mask Set/Read, SDM §13.4.20.
    case IMS = 0x0_00D0
    /// IMC — Interrupt Mask Clear, SDM §13.4.21 (inferred; Table 13-66); write only.
    case IMC = 0x0_00D8
    /// EIAC — Extended Interrupt Auto Clear, 82574 only, offset 0x000DC
    /// (Linux e1000e `E1000_EIAC_82574`, QEMU `E1000_EIAC`).
    case EIAC = 0x0_00DC
    /// IAM — Interrupt Acknowledge Auto Mask, 82574 only (not in the 8254x SDM).
    case IAM = 0x0_00E0
    /// IVAR — Interrupt Vector Allocation Register, 82574 only (MSI-X mapping).
    case IVAR = 0x0_00E4
    /// EITR0 — Extended Interrupt Throttling Rate for MSI-X vector 0, 82574 only;
    /// EITR(n) = 0x000E8 + 4·n for n in 0...4 (Linux `E1000_EITR_82574`).
    case EITR0 = 0x0_00E8
    /// EITR1 — Extended Interrupt Throttling Rate, MSI-X vector 1, 82574 only.
    case EITR1 = 0x0_00EC
    /// EITR2 — Extended Interrupt Throttling Rate, MSI-X vector 2, 82574 only.
    case EITR2 = 0x0_00F0
    /// EITR3 — Extended Interrupt Throttling Rate, MSI-X vector 3, 82574 only.
    case EITR3 = 0x0_00F4
    /// EITR4 — Extended Interrupt Throttling Rate, MSI-X vector 4, 82574 only.
    case EITR4 = 0x0_00F8

    // MARK: Receive

    /// RCTL — Receive Control Register, SDM §13.4.22 (inferred).
    case RCTL = 0x0_0100
    /// FCRTL — Flow Control Receive Threshold Low, SDM §13.4.23 (inferred).
    case FCRTL = 0x0_2160
    /// FCRTH — Flow Control Receive Threshold High, SDM §13.4.24 (inferred).
    case FCRTH = 0x0_2168
    /// PSRCTL — Packet Split Receive Control, 82574 only.
    case PSRCTL = 0x0_2170
    /// RDBAL — Receive Descriptor Base Address Low (queue 0), SDM §13.4.25 (inferred).
    case RDBAL = 0x0_2800
    /// RDBAH — Receive Descriptor Base Address High (queue 0), SDM §13.4.26 (inferred).
    case RDBAH = 0x0_2804
    /// RDLEN — Receive Descriptor Length (queue 0), SDM §13.4.27 (Table 13-72).
    case RDLEN = 0x0_2808
    /// RDH — Receive Descriptor Head (queue 0), SDM §13.4.28 (Table 13-73).
    case RDH = 0x0_2810
    /// RDT — Receive Descriptor Tail (queue 0), SDM §13.4.29 (Table 13-74).
    case RDT = 0x0_2818
    /// RDTR — Receive Delay Timer, SDM §13.4.30 (1.024 µs units; bit 31 FPD).
    case RDTR = 0x0_2820
    /// RXDCTL — Receive Descriptor Control (queue 0), SDM §13.4.46 (Table 13-87).
    case RXDCTL = 0x0_2828
    /// RADV — Receive Interrupt Absolute Delay Timer, SDM §13.4.31.
    case RADV = 0x0_282C
    /// RDBAL1 — Receive Descriptor Base Address Low, queue 1, 82574 only.
    case RDBAL1 = 0x0_2900
    /// RDBAH1 — Receive Descriptor Base Address High, queue 1, 82574 only.
    case RDBAH1 = 0x0_2904
    /// RDLEN1 — Receive Descriptor Length, queue 1, 82574 only.
    case RDLEN1 = 0x0_2908
    /// RDH1 — Receive Descriptor Head, queue 1, 82574 only.
    case RDH1 = 0x0_2910
    /// RDT1 — Receive Descriptor Tail, queue 1, 82574 only.
    case RDT1 = 0x0_2918
    /// RXDCTL1 — Receive Descriptor Control, queue 1, 82574 only.
    case RXDCTL1 = 0x0_2928
    /// RSRPD — Receive Small Packet Detect Interrupt, SDM §13.4.32 (inferred).
    case RSRPD = 0x0_2C00
    /// RAID — Receive ACK Interrupt Delay, 82574 only (Linux/QEMU 0x02C08).
    case RAID = 0x0_2C08
    /// RXCSUM — Receive Checksum Control, SDM §13.4.47 (inferred; page 322).
    case RXCSUM = 0x0_5000
    /// RFCTL — Receive Filter Control, 82574 only (EXTEN selects extended Rx descriptors).
    case RFCTL = 0x0_5008
    /// MRQC — Multiple Receive Queues Command (RSS), 82574 only.
    case MRQC = 0x0_5818

    // MARK: Transmit

    /// TCTL — Transmit Control Register, SDM §13.4.33 (inferred; Table 13-76).
    case TCTL = 0x0_0400
    /// TIPG — Transmit IPG Register, SDM §13.4.34 (inferred; Table 13-77).
    case TIPG = 0x0_0410
    /// TDBAL — Transmit Descriptor Base Address Low (queue 0), SDM §13.4.36 (inferred; Table 13-79 precedes TDBAH's 13-80).
    case TDBAL = 0x0_3800
    /// TDBAH — Transmit Descriptor Base Address High (queue 0), SDM §13.4.37 (Table 13-80).
    case TDBAH = 0x0_3804
    /// TDLEN — Transmit Descriptor Length (queue 0), SDM §13.4.38 (Table 13-81).
    case TDLEN = 0x0_3808
    /// TDH — Transmit Descriptor Head (queue 0), SDM §13.4.39 (Table 13-82).
    case TDH = 0x0_3810
    /// TDT — Transmit Descriptor Tail (queue 0), SDM §13.4.40 (Table 13-83).
    case TDT = 0x0_3818
    /// TIDV — Transmit Interrupt Delay Value, SDM §13.4.41 (1.024 µs units).
    case TIDV = 0x0_3820
    /// TXDCTL — Transmit Descriptor Control (queue 0), SDM §13.4.42 (inferred; Table 13-86).
    case TXDCTL = 0x0_3828
    /// TADV — Transmit Absolute Interrupt Delay Value, SDM §13.4.43 (inferred).
    case TADV = 0x0_382C
    /// TSPMT — TCP Segmentation Pad and Minimum Threshold, SDM §13.4.44 (inferred).
    /// Not listed in Linux e1000e regs.h, so its presence on the 82574 is unverified.
    case TSPMT = 0x0_3830
    /// TARC0 — Transmit Arbitration Count, queue 0, 82574 only.
    case TARC0 = 0x0_3840
    /// TDBAL1 — Transmit Descriptor Base Address Low, queue 1, 82574 only.
    case TDBAL1 = 0x0_3900
    /// TDBAH1 — Transmit Descriptor Base Address High, queue 1, 82574 only.
    case TDBAH1 = 0x0_3904
    /// TDLEN1 — Transmit Descriptor Length, queue 1, 82574 only.
    case TDLEN1 = 0x0_3908
    /// TDH1 — Transmit Descriptor Head, queue 1, 82574 only.
    case TDH1 = 0x0_3910
    /// TDT1 — Transmit Descriptor Tail, queue 1, 82574 only.
    case TDT1 = 0x0_3918
    /// TXDCTL1 — Transmit Descriptor Control, queue 1, 82574 only.
    case TXDCTL1 = 0x0_3928
    /// TARC1 — Transmit Arbitration Count, queue 1, 82574 only.
    case TARC1 = 0x0_3940

    // MARK: Wake-up, manageability, PCIe

    /// WUC — Wakeup Control, SDM §13.6 (inferred; Linux 0x05800).
    case WUC = 0x0_5800
    /// WUFC — Wakeup Filter Control, SDM §13.6 (inferred; Linux 0x05808).
    case WUFC = 0x0_5808
    /// WUS — Wakeup Status, SDM §13.6 (inferred; Linux 0x05810, annotated RO).
    case WUS = 0x0_5810
    /// MANC — Management Control, SDM §13 (subsection not seen; Linux 0x05820).
    case MANC = 0x0_5820
    /// GCR — PCIe (3GIO) Control Register, 82574 only (Linux `E1000_GCR`).
    case GCR = 0x0_5B00
    /// SWSM — Software Semaphore, 82574 only (Linux `E1000_SWSM`).
    case SWSM = 0x0_5B50
    /// FWSM — Firmware Semaphore, 82574 only (Linux `E1000_FWSM`).
    case FWSM = 0x0_5B54
    /// GCR2 — PCIe Control Register 2, 82574 only (Linux `E1000_GCR2`).
    case GCR2 = 0x0_5B64

    // MARK: Statistics (SDM §13.7; all read-to-clear)

    /// CRCERRS — CRC Error Count, SDM §13.7.
    case CRCERRS = 0x0_4000
    /// ALGNERRC — Alignment Error Count, SDM §13.7.
    case ALGNERRC = 0x0_4004
    /// SYMERRS — Symbol Error Count, SDM §13.7.
    case SYMERRS = 0x0_4008
    /// RXERRC — Receive Error Count, SDM §13.7.
    case RXERRC = 0x0_400C
    /// MPC — Missed Packets Count, SDM §13.7.
    case MPC = 0x0_4010
    /// SCC — Single Collision Count, SDM §13.7.
    case SCC = 0x0_4014
    /// ECOL — Excessive Collisions Count, SDM §13.7.
    case ECOL = 0x0_4018
    /// MCC — Multiple Collision Count, SDM §13.7.
    case MCC = 0x0_401C
    /// LATECOL — Late Collisions Count, SDM §13.7.
    case LATECOL = 0x0_4020
    /// COLC — Collision Count, SDM §13.7.
    case COLC = 0x0_4028
    /// DC — Defer Count, SDM §13.7.
    case DC = 0x0_4030
    /// TNCRS — Transmit with No CRS, SDM §13.7.
    case TNCRS = 0x0_4034
    /// SEC — Sequence Error Count, SDM §13.7 (QEMU names it SEQEC).
    case SEC = 0x0_4038
    /// CEXTERR — Carrier Extension Error Count, SDM §13.7.
    case CEXTERR = 0x0_403C
    /// RLEC — Receive Length Error Count, SDM §13.7.
    case RLEC = 0x0_4040
    /// XONRXC — XON Received Count, SDM §13.7.
    case XONRXC = 0x0_4048
    /// XONTXC — XON Transmitted Count, SDM §13.7.
    case XONTXC = 0x0_404C
    /// XOFFRXC — XOFF Received Count, SDM §13.7.
    case XOFFRXC = 0x0_4050
    /// XOFFTXC — XOFF Transmitted Count, SDM §13.7.
    case XOFFTXC = 0x0_4054
    /// FCRUC — FC Received Unsupported Count, SDM §13.7.
    case FCRUC = 0x0_4058
    /// PRC64 — Packets Received (64 bytes) Count, SDM §13.7.
    case PRC64 = 0x0_405C
    /// PRC127 — Packets Received (65–127 bytes) Count, SDM §13.7.
    case PRC127 = 0x0_4060
    /// PRC255 — Packets Received (128–255 bytes) Count, SDM §13.7.
    case PRC255 = 0x0_4064
    /// PRC511 — Packets Received (256–511 bytes) Count, SDM §13.7.
    case PRC511 = 0x0_4068
    /// PRC1023 — Packets Received (512–1023 bytes) Count, SDM §13.7.
    case PRC1023 = 0x0_406C
    /// PRC1522 — Packets Received (1024–Max bytes) Count, SDM §13.7.
    case PRC1522 = 0x0_4070
    /// GPRC — Good Packets Received Count, SDM §13.7.
    case GPRC = 0x0_4074
    /// BPRC — Broadcast Packets Received Count, SDM §13.7.
    case BPRC = 0x0_4078
    /// MPRC — Multicast Packets Received Count, SDM §13.7.
    case MPRC = 0x0_407C
    /// GPTC — Good Packets Transmitted Count, SDM §13.7.
    case GPTC = 0x0_4080
    /// GORCL — Good Octets Received Count (low 32 bits), SDM §13.7.
    case GORCL = 0x0_4088
    /// GORCH — Good Octets Received Count (high 32 bits), SDM §13.7.
    case GORCH = 0x0_408C
    /// GOTCL — Good Octets Transmitted Count (low 32 bits), SDM §13.7.
    case GOTCL = 0x0_4090
    /// GOTCH — Good Octets Transmitted Count (high 32 bits), SDM §13.7.
    case GOTCH = 0x0_4094
    /// RNBC — Receive No Buffers Count, SDM §13.7.
    case RNBC = 0x0_40A0
    /// RUC — Receive Undersize Count, SDM §13.7.
    case RUC = 0x0_40A4
    /// RFC — Receive Fragment Count, SDM §13.7.
    case RFC = 0x0_40A8
    /// ROC — Receive Oversize Count, SDM §13.7.
    case ROC = 0x0_40AC
    /// RJC — Receive Jabber Count, SDM §13.7.
    case RJC = 0x0_40B0
    /// MGTPRC — Management Packets Received Count, SDM §13.7.
    case MGTPRC = 0x0_40B4
    /// MGTPDC — Management Packets Dropped Count, SDM §13.7.
    case MGTPDC = 0x0_40B8
    /// MGTPTC — Management Packets Transmitted Count, SDM §13.7.
    case MGTPTC = 0x0_40BC
    /// TORL — Total Octets Received (low), SDM §13.7.
    case TORL = 0x0_40C0
    /// TORH — Total Octets Received (high), SDM §13.7.
    case TORH = 0x0_40C4
    /// TOTL — Total Octets Transmitted (low), SDM §13.7.
    case TOTL = 0x0_40C8
    /// TOTH — Total Octets Transmitted (high), SDM §13.7.
    case TOTH = 0x0_40CC
    /// TPR — Total Packets Received, SDM §13.7.
    case TPR = 0x0_40D0
    /// TPT — Total Packets Transmitted, SDM §13.7.
    case TPT = 0x0_40D4
    /// PTC64 — Packets Transmitted (64 bytes) Count, SDM §13.7.
    case PTC64 = 0x0_40D8
    /// PTC127 — Packets Transmitted (65–127 bytes) Count, SDM §13.7.
    case PTC127 = 0x0_40DC
    /// PTC255 — Packets Transmitted (128–255 bytes) Count, SDM §13.7.
    case PTC255 = 0x0_40E0
    /// PTC511 — Packets Transmitted (256–511 bytes) Count, SDM §13.7.
    case PTC511 = 0x0_40E4
    /// PTC1023 — Packets Transmitted (512–1023 bytes) Count, SDM §13.7.
    case PTC1023 = 0x0_40E8
    /// PTC1522 — Packets Transmitted (1024–Max bytes) Count, SDM §13.7.
    case PTC1522 = 0x0_40EC
    /// MPTC — Multicast Packets Transmitted Count, SDM §13.7.
    case MPTC = 0x0_40F0
    /// BPTC — Broadcast Packets Transmitted Count, SDM §13.7.
    case BPTC = 0x0_40F4
    /// TSCTC — TCP Segmentation Context Transmitted Count, SDM §13.7.
    case TSCTC = 0x0_40F8
    /// TSCTFC — TCP Segmentation Context Tx Fail Count, SDM §13.7.
    case TSCTFC = 0x0_40FC
    /// IAC — Interrupt Assertion Count, 82574 (PCIe-family statistic; see FACTS.md
    /// for why it is treated as 82574-only).
    case IAC = 0x0_4100
    /// ICRXPTC — Interrupt Cause Rx Packet Timer Expire Count, 82574.
    case ICRXPTC = 0x0_4104
    /// ICRXATC — Interrupt Cause Rx Absolute Timer Expire Count, 82574.
    case ICRXATC = 0x0_4108
    /// ICTXPTC — Interrupt Cause Tx Packet Timer Expire Count, 82574.
    case ICTXPTC = 0x0_410C
    /// ICTXATC — Interrupt Cause Tx Absolute Timer Expire Count, 82574.
    case ICTXATC = 0x0_4110
    /// ICTXQEC — Interrupt Cause Tx Queue Empty Count, 82574.
    case ICTXQEC = 0x0_4118
    /// ICTXQMTC — Interrupt Cause Tx Queue Minimum Threshold Count, 82574.
    case ICTXQMTC = 0x0_411C
    /// ICRXDMTC — Interrupt Cause Rx Descriptor Minimum Threshold Count, 82574.
    case ICRXDMTC = 0x0_4120
    /// ICRXOC — Interrupt Cause Receiver Overrun Count, 82574.
    case ICRXOC = 0x0_4124
}

extension E1000Register {
    /// The byte offset from the start of BAR0 (memory) or the IOADDR value
    /// (I/O window, see `E1000IORegister`).
    var offset: UInt32 { rawValue }

    /// Whether the register is a statistics counter (SDM §13.7 range 0x04000–0x04124).
    var isStatistic: Bool { (0x0_4000...0x0_4124).contains(rawValue) }

    /// The register's access type (SDM §13 headers; Linux regs.h annotations).
    var access: E1000RegisterAccess {
        if isStatistic { return .readToClear }
        switch self {
        case .STATUS, .WUS, .FWSM: return .readOnly
        case .ICS, .IMC: return .writeOnly
        case .ICR: return .readToClearWriteOneToClear
        default: return .readWrite
        }
    }

    /// Which chips implement the register (see `E1000Availability`).
    var availability: E1000Availability {
        switch self {
        case .PBS, .EIAC, .IAM, .IVAR, .EITR0, .EITR1, .EITR2, .EITR3, .EITR4,
             .PSRCTL, .RDBAL1, .RDBAH1, .RDLEN1, .RDH1, .RDT1, .RXDCTL1, .RAID,
             .RFCTL, .MRQC, .TARC0, .TDBAL1, .TDBAH1, .TDLEN1, .TDH1, .TDT1,
             .TXDCTL1, .TARC1, .GCR, .SWSM, .FWSM, .GCR2,
             .IAC, .ICRXPTC, .ICRXATC, .ICTXPTC, .ICTXATC, .ICTXQEC, .ICTXQMTC,
             .ICRXDMTC, .ICRXOC:
            return .only82574L
        case .TSPMT:
            // Documented in the 8254x SDM; not found in Linux e1000e regs.h.
            return .only82540EM
        default:
            return .both
        }
    }

    /// The register at `offset`, if `offset` is one of the scalar registers above.
    init?(offset: UInt32) { self.init(rawValue: offset) }

    /// EITR(n) for MSI-X vector `n` in 0...4 (82574 only; Linux `E1000_EITR_82574`).
    static func EITR(_ n: Int) -> E1000Register? {
        guard (0...4).contains(n) else { return nil }
        return E1000Register(rawValue: 0x0_00E8 + UInt32(n) * 4)
    }
}

/// Register arrays (base, element count, stride in bytes).
///
/// SDM §13.5 (Receive filter registers): MTA §13.5.1 (inferred), RAL §13.5.2,
/// RAH §13.5.3 ("RAL (05400h + 8*n; R/W)", "RAH (05404h + 8n; R/W)", 16
/// entries), VFTA §13.5.4 (inferred). Counts match Linux `E1000_MC_TBL_SIZE` /
/// `E1000_VLAN_FILTER_TBL_SIZE` (128 each, 4096 bits).
enum E1000RegisterArray: Sendable, Hashable, CaseIterable {
    /// MTA[0..127] — Multicast Table Array, 128 × 32-bit, base 0x05200, RW.
    case MTA
    /// RAL[0..15] — Receive Address Low, base 0x05400, stride 8, RW.
    case RAL
    /// RAH[0..15] — Receive Address High, base 0x05404, stride 8, RW
    /// (bit 31 AV = address valid, see `E1000RAH`).
    case RAH
    /// VFTA[0..127] — VLAN Filter Table Array, 128 × 32-bit, base 0x05600, RW.
    case VFTA

    /// Offset of element 0.
    var base: UInt32 {
        switch self {
        case .MTA: return 0x0_5200
        case .RAL: return 0x0_5400
        case .RAH: return 0x0_5404
        case .VFTA: return 0x0_5600
        }
    }

    /// Number of elements.
    var count: Int {
        switch self {
        case .MTA, .VFTA: return 128
        case .RAL, .RAH: return 16
        }
    }

    /// Distance in bytes between consecutive elements.
    var stride: UInt32 {
        switch self {
        case .MTA, .VFTA: return 4
        case .RAL, .RAH: return 8
        }
    }

    /// Offset of element `index`, or nil when out of range.
    func offset(_ index: Int) -> UInt32? {
        guard index >= 0, index < count else { return nil }
        return base + UInt32(index) * stride
    }

    /// The array and index that contain `offset`, if any.
    static func locate(_ offset: UInt32) -> (array: E1000RegisterArray, index: Int)? {
        for array in E1000RegisterArray.allCases {
            guard offset >= array.base else { continue }
            let delta = offset - array.base
            if delta % array.stride == 0, Int(delta / array.stride) < array.count {
                return (array, Int(delta / array.stride))
            }
        }
        return nil
    }

    /// MTA, RAL/RAH and VFTA exist on both chips at the same offsets.
    var availability: E1000Availability { .both }

    /// All array elements are read/write.
    var access: E1000RegisterAccess { .readWrite }
}

/// Offsets within the I/O BAR window (indirect register access).
///
/// SDM §13 ("I/O-mapped access": IOADDR at offset 0, IODATA at offset 4);
/// QEMU `e1000x_regs.h` `E1000_IOADDR 0x00`, `E1000_IODATA 0x04`, and QEMU
/// `e1000e.c` (82574: writes to IOADDR select the register, IODATA accesses it;
/// IOADDR values 0x00000–0x1FFFF address internal registers). Both must be
/// accessed as 32-bit.
enum E1000IORegister: UInt32, Sendable, Hashable, CaseIterable {
    /// IOADDR — I/O-window address register (selects the internal register), RW.
    case IOADDR = 0x00
    /// IODATA — I/O-window data register (reads/writes the selected register), RW.
    case IODATA = 0x04
}

/// A documented power-on/reset value of a register on one chip.
///
/// Only values actually seen in a source are listed; `source` says which.
struct E1000ResetValue: Sendable, Hashable {
    /// The register.
    let register: E1000Register
    /// The chip the value applies to.
    let chip: E1000Chip
    /// The reset value.
    let value: UInt32
    /// Where the value comes from (manual section or emulator file).
    let source: String

    /// Creates a reset-value fact.
    init(register: E1000Register, chip: E1000Chip, value: UInt32, source: String) {
        self.register = register
        self.chip = chip
        self.value = value
        self.source = source
    }
}

/// Reset-value tables.
enum E1000ResetValues {
    /// 82540EM reset values read in the 8254x SDM rev 4.0 this session.
    ///
    /// Registers not listed have "X" (undefined) or EEPROM-loaded fields in the
    /// SDM (e.g. TIPG IPGT/IPGR1 initial "X", TDBAL/TDBAH "X"), or were not read.
    static let i82540EM: [E1000ResetValue] = [
        // PBA: RXA = 0030h (48 KB), TXA = 0010h (16 KB, TXA = 64 - RXA).
        E1000ResetValue(register: .PBA, chip: .i82540EM, value: 0x0010_0030,
                        source: "SDM §13.4.16 Table 13-62"),
        E1000ResetValue(register: .ITR, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.18 (INTERVAL initial 0b)"),
        E1000ResetValue(register: .RDLEN, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.27 Table 13-72"),
        E1000ResetValue(register: .RDH, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.28 Table 13-73"),
        E1000ResetValue(register: .RDT, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.29 Table 13-74"),
        E1000ResetValue(register: .RDTR, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.30 Table 13-75"),
        E1000ResetValue(register: .TDLEN, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.38 Table 13-81"),
        E1000ResetValue(register: .TDH, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.39 Table 13-82"),
        E1000ResetValue(register: .TDT, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.40 Table 13-83"),
        // TCTL fields EN, PSP, CT, COLD, SWXOFF all initial 0b.
        E1000ResetValue(register: .TCTL, chip: .i82540EM, value: 0,
                        source: "SDM Table 13-76 (fields shown initial 0b; bits 31:23 not all seen)"),
        // RXCSUM: PCSS 0, IPOFLD 0b, TUOFLD 0b (unlike the 82574, see below).
        E1000ResetValue(register: .RXCSUM, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.47 (page 322): PCSS/IPOFLD/TUOFLD initial 0b"),
        E1000ResetValue(register: .ICR, chip: .i82540EM, value: 0,
                        source: "SDM §13.4.17 Table 13-63 (all causes initial 0b)"),
    ]

    /// 82574L reset values as modelled by QEMU `hw/net/e1000e_core.c`
    /// (`e1000e_mac_reg_init`), which states it follows the 82574 datasheet.
    /// The datasheet itself could not be read to confirm them (see FACTS.md).
    static let i82574L: [E1000ResetValue] = [
        // 20 KB Rx / 20 KB Tx of the 40 KB packet buffer.
        E1000ResetValue(register: .PBA, chip: .i82574L, value: 0x0014_0014,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
        E1000ResetValue(register: .PBS, chip: .i82574L, value: 0x0000_0028,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init (40 KB)"),
        // WTHRESH = 1.
        E1000ResetValue(register: .RXDCTL, chip: .i82574L, value: 0x0001_0000,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
        E1000ResetValue(register: .RXDCTL1, chip: .i82574L, value: 0x0001_0000,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
        // IPGT = 8, IPGR1 = 8, IPGR2 = 6.
        E1000ResetValue(register: .TIPG, chip: .i82574L, value: 0x0060_2008,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
        // IPOFLD | TUOFLD.
        E1000ResetValue(register: .RXCSUM, chip: .i82574L, value: 0x0000_0300,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
        E1000ResetValue(register: .TARC0, chip: .i82574L, value: 0x0000_0403,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init (0x3 | enable bit 10)"),
        E1000ResetValue(register: .TARC1, chip: .i82574L, value: 0x0000_0403,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init (0x3 | enable bit 10)"),
        E1000ResetValue(register: .SWSM, chip: .i82574L, value: 0x0000_0001,
                        source: "QEMU e1000e_core.c e1000e_mac_reg_init"),
    ]

    /// The documented reset value of `register` on `chip`, if listed.
    static func value(of register: E1000Register, on chip: E1000Chip) -> E1000ResetValue? {
        let table = chip == .i82540EM ? i82540EM : i82574L
        return table.first { $0.register == register }
    }
}
