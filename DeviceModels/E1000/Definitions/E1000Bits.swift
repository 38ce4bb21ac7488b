// E1000 register bit definitions for the 82540EM and 82574L. Names follow the
// manuals. Bit positions: 8254x SDM rev 4.0 §13 (82540EM) and, for the 82574L,
// Linux e1000e `defines.h` / QEMU `e1000x_regs.h` (the 82574 datasheet text
// could not be consulted). "(inferred)" marks section numbers not seen directly.
// Every fact's source is listed in FACTS.md.

/// A 2-bit link speed code as used by CTRL.SPEED, STATUS.SPEED and STATUS.ASDV
/// (SDM §13.4.1/§13.4.2; Linux `E1000_CTRL_SPD_*`, `E1000_STATUS_SPEED_*`).
enum E1000LinkSpeed: UInt32, Sendable, Hashable, CaseIterable {
    /// 00b = 10 Mb/s.
    case mbps10 = 0
    /// 01b = 100 Mb/s.
    case mbps100 = 1
    /// 10b = 1000 Mb/s (11b is also decoded as 1000 Mb/s by the SDM; not used here).
    case mbps1000 = 2

    /// The speed in Mb/s.
    var megabitsPerSecond: Int {
        switch self {
        case .mbps10: return 10
        case .mbps100: return 100
        case .mbps1000: return 1000
        }
    }
}

/// Extracts a field: `(value & mask) >> shift`.
@inline(__always)
fileprivate func e1000Field(_ value: UInt32, mask: UInt32, shift: UInt32) -> UInt32 {
    (value & mask) >> shift
}

// MARK: - CTRL

/// CTRL — Device Control Register bits (offset 0x00000), SDM §13.4.1 (inferred);
/// positions cross-checked with Linux `E1000_CTRL_*` and QEMU `e1000x_regs.h`.
struct E1000CTRL: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// FD — Full-Duplex (bit 0); used when FRCDPLX is set.
    static let FD = E1000CTRL(rawValue: 1 << 0)
    /// GIO_MASTER_DISABLE — block new PCIe master requests (bit 2), 82574 only
    /// (Linux e1000e `E1000_CTRL_GIO_MASTER_DISABLE`); reserved on the 82540EM.
    static let GIO_MASTER_DISABLE = E1000CTRL(rawValue: 1 << 2)
    /// LRST — Link Reset (bit 3).
    static let LRST = E1000CTRL(rawValue: 1 << 3)
    /// ASDE — Auto-Speed Detection Enable (bit 5).
    static let ASDE = E1000CTRL(rawValue: 1 << 5)
    /// SLU — Set Link Up (bit 6).
    static let SLU = E1000CTRL(rawValue: 1 << 6)
    /// ILOS — Invert Loss-of-Signal (bit 7).
    static let ILOS = E1000CTRL(rawValue: 1 << 7)
    /// SPEED field mask (bits 9:8); see `speed` and `E1000LinkSpeed`.
    static let SPEED_MASK: UInt32 = 0x0000_0300
    /// SPEED field shift.
    static let SPEED_SHIFT: UInt32 = 8
    /// FRCSPD — Force Speed (bit 11).
    static let FRCSPD = E1000CTRL(rawValue: 1 << 11)
    /// FRCDPLX — Force Duplex (bit 12).
    static let FRCDPLX = E1000CTRL(rawValue: 1 << 12)
    /// SDP0_DATA — software-definable pin 0 value (bit 18).
    static let SDP0_DATA = E1000CTRL(rawValue: 1 << 18)
    /// SDP1_DATA — software-definable pin 1 value (bit 19).
    static let SDP1_DATA = E1000CTRL(rawValue: 1 << 19)
    /// ADVD3WUC — D3cold wake-up capability advertisement enable (bit 20)
    /// (Linux `E1000_CTRL_ADVD3WUC`; on the 82544 this bit was SDP2_DATA).
    static let ADVD3WUC = E1000CTRL(rawValue: 1 << 20)
    /// EN_PHY_PWR_MGMT — PHY power-management enable (bit 21)
    /// (Linux e1000e `E1000_CTRL_EN_PHY_PWR_MGMT`; SDM §11.1.1 refers to it).
    static let EN_PHY_PWR_MGMT = E1000CTRL(rawValue: 1 << 21)
    /// SDP0_IODIR — SDP0 pin direction (bit 22).
    static let SDP0_IODIR = E1000CTRL(rawValue: 1 << 22)
    /// SDP1_IODIR — SDP1 pin direction (bit 23).
    static let SDP1_IODIR = E1000CTRL(rawValue: 1 << 23)
    /// RST — Device Reset (bit 26), self-clearing.
    static let RST = E1000CTRL(rawValue: 1 << 26)
    /// RFCE — Receive Flow Control Enable (bit 27).
    static let RFCE = E1000CTRL(rawValue: 1 << 27)
    /// TFCE — Transmit Flow Control Enable (bit 28).
    static let TFCE = E1000CTRL(rawValue: 1 << 28)
    /// VME — VLAN Mode Enable (bit 30).
    static let VME = E1000CTRL(rawValue: 1 << 30)
    /// PHY_RST — PHY Reset (bit 31).
    static let PHY_RST = E1000CTRL(rawValue: 1 << 31)

    /// The forced speed (bits 9:8), if the code is a defined one.
    var speed: E1000LinkSpeed? {
        E1000LinkSpeed(rawValue: e1000Field(rawValue, mask: Self.SPEED_MASK, shift: Self.SPEED_SHIFT))
    }
}

// MARK: - STATUS

/// STATUS — Device Status Register bits (offset 0x00008, RO), SDM §13.4.2 (inferred);
/// positions cross-checked with Linux `E1000_STATUS_*` and QEMU `e1000_regs.h`.
struct E1000STATUS: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// FD — Full-Duplex link indication (bit 0).
    static let FD = E1000STATUS(rawValue: 1 << 0)
    /// LU — Link Up (bit 1).
    static let LU = E1000STATUS(rawValue: 1 << 1)
    /// FUNC_ID field mask (bits 3:2) — PCI function number (0 on single-port parts).
    static let FUNC_ID_MASK: UInt32 = 0x0000_000C
    /// FUNC_ID field shift.
    static let FUNC_ID_SHIFT: UInt32 = 2
    /// TXOFF — transmission paused by flow control (bit 4).
    static let TXOFF = E1000STATUS(rawValue: 1 << 4)
    /// TBIMODE — TBI/SerDes mode (bit 5); 8254x only, 0 on copper parts.
    static let TBIMODE = E1000STATUS(rawValue: 1 << 5)
    /// SPEED field mask (bits 7:6), the resolved link speed.
    static let SPEED_MASK: UInt32 = 0x0000_00C0
    /// SPEED field shift.
    static let SPEED_SHIFT: UInt32 = 6
    /// ASDV field mask (bits 9:8), auto-speed-detection value (SDM §8.6.2.2).
    static let ASDV_MASK: UInt32 = 0x0000_0300
    /// ASDV field shift.
    static let ASDV_SHIFT: UInt32 = 8
    /// PHYRA — PHY Reset Asserted (bit 10), 82574 (Linux e1000e `E1000_STATUS_PHYRA`).
    static let PHYRA = E1000STATUS(rawValue: 1 << 10)
    /// PCI66 — bus is running at 66 MHz (bit 11), 82540EM (conventional PCI) only.
    static let PCI66 = E1000STATUS(rawValue: 1 << 11)
    /// BUS64 — 64-bit bus (bit 12), 82540EM only.
    static let BUS64 = E1000STATUS(rawValue: 1 << 12)
    /// PCIX_MODE — PCI-X mode (bit 13), 8254x PCI-X parts only; 0 on the 82540EM.
    static let PCIX_MODE = E1000STATUS(rawValue: 1 << 13)
    /// GIO_MASTER_ENABLE — PCIe master requests enabled (bit 19), 82574 only
    /// (Linux e1000e `E1000_STATUS_GIO_MASTER_ENABLE`).
    static let GIO_MASTER_ENABLE = E1000STATUS(rawValue: 1 << 19)

    /// The resolved link speed (bits 7:6), if defined.
    var speed: E1000LinkSpeed? {
        E1000LinkSpeed(rawValue: e1000Field(rawValue, mask: Self.SPEED_MASK, shift: Self.SPEED_SHIFT))
    }

    /// The PCI function number (bits 3:2).
    var functionID: UInt32 { e1000Field(rawValue, mask: Self.FUNC_ID_MASK, shift: Self.FUNC_ID_SHIFT) }
}

// MARK: - EECD / EERD

/// EECD — EEPROM/Flash Control & Data Register bits (offset 0x00010),
/// SDM §13.4.3 (inferred); later manuals call it EEC. Bits 0–8 are common to
/// both chips (Linux `E1000_EECD_*`, QEMU `e1000x_regs.h`).
struct E1000EECD: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SK — clock output to the EEPROM (bit 0).
    static let SK = E1000EECD(rawValue: 1 << 0)
    /// CS — chip select output to the EEPROM (bit 1).
    static let CS = E1000EECD(rawValue: 1 << 1)
    /// DI — data output to the EEPROM's data-in pin (bit 2).
    static let DI = E1000EECD(rawValue: 1 << 2)
    /// DO — data input from the EEPROM's data-out pin (bit 3).
    static let DO = E1000EECD(rawValue: 1 << 3)
    /// FWE field mask (bits 5:4) — Flash Write Enable control: 01b = writes
    /// disabled, 10b = writes enabled (Linux `E1000_EECD_FWE_DIS/_EN`).
    static let FWE_MASK: UInt32 = 0x0000_0030
    /// FWE field shift.
    static let FWE_SHIFT: UInt32 = 4
    /// EE_REQ — request direct EEPROM access (bit 6); SDM §5.3.1 step 1.
    static let EE_REQ = E1000EECD(rawValue: 1 << 6)
    /// EE_GNT — EEPROM access granted (bit 7); SDM §5.3.1 step 2.
    static let EE_GNT = E1000EECD(rawValue: 1 << 7)
    /// EE_PRES — EEPROM present (bit 8).
    static let EE_PRES = E1000EECD(rawValue: 1 << 8)
    /// EE_SIZE — 82540EM: Microwire EEPROM size, 0b = 64 words (6 address
    /// bits), 1b = 256 words (8 address bits) (bit 9). Linux e1000
    /// `e1000_init_eeprom_params` for `e1000_82540`.
    static let EE_SIZE = E1000EECD(rawValue: 1 << 9)
    /// AUTO_RD — 82574: NVM auto-read done (bit 9; same bit as the 82540's
    /// EE_SIZE). Linux e1000e `E1000_EECD_AUTO_RD`.
    static let AUTO_RD = E1000EECD(rawValue: 1 << 9)
    /// ADDR_BITS — 82574: SPI NVM address size, 0b = 8-bit, 1b = 16-bit (bit 10)
    /// (Linux e1000e `E1000_EECD_ADDR_BITS`).
    static let ADDR_BITS = E1000EECD(rawValue: 1 << 10)
    /// SIZE_EX field mask — 82574: NVM size exponent (bits 14:11); word count =
    /// 2^(SIZE_EX + 6), capped at 2^14 (Linux e1000e `e1000_init_nvm_params_82571`).
    static let SIZE_EX_MASK: UInt32 = 0x0000_7800
    /// SIZE_EX field shift.
    static let SIZE_EX_SHIFT: UInt32 = 11
    /// NVADDS / NVM-type field mask — 82574: bits 16:15; 11b means the NVM is a
    /// Flash device with a 2048-word shadow (Linux e1000e `(eecd >> 15) & 0x3`).
    static let NVTYPE_MASK: UInt32 = 0x0001_8000
    /// NVADDS field shift.
    static let NVTYPE_SHIFT: UInt32 = 15
    /// AUPDEN — 82574: autonomous Flash update enable (bit 20).
    static let AUPDEN = E1000EECD(rawValue: 1 << 20)
    /// SEC1VAL — 82574: Flash sector 1 valid (bit 22).
    static let SEC1VAL = E1000EECD(rawValue: 1 << 22)
}

/// EERD — EEPROM Read Register (offset 0x00014) field layout. The layout
/// differs between the two chips (SDM §13.4.4 (inferred) / §5.3.1 for the 82540EM;
/// Linux e1000e `E1000_NVM_RW_*` and QEMU `E1000_EERW_*` for the 82574).
struct E1000EERD: Sendable, Hashable {
    /// START — write 1b to start a read (bit 0 on both chips).
    let startBit: UInt32
    /// DONE — set by hardware when DATA is valid.
    let doneBit: UInt32
    /// Left shift of the word address within the register.
    let addressShift: UInt32
    /// Mask of the (unshifted) word address.
    let addressMask: UInt32
    /// Left shift of the 16-bit data (bits 31:16 on both chips).
    let dataShift: UInt32

    /// 82540EM: START bit 0, DONE bit 4, ADDR bits 15:8, DATA bits 31:16
    /// (QEMU `E1000_EEPROM_RW_REG_DONE 0x10`, `_START 1`, `_ADDR_SHIFT 8`,
    /// `_DATA 16`; SDM §13.4.4).
    static let i82540EM = E1000EERD(startBit: 1 << 0, doneBit: 1 << 4,
                                           addressShift: 8, addressMask: 0xFF, dataShift: 16)
    /// 82574L: START bit 0, DONE bit 1, ADDR bits 15:2 (14 bits), DATA bits 31:16
    /// (Linux e1000e `E1000_NVM_RW_REG_DONE 2`, `E1000_NVM_RW_ADDR_SHIFT 2`;
    /// QEMU `E1000_EERW_*`).
    static let i82574L = E1000EERD(startBit: 1 << 0, doneBit: 1 << 1,
                                          addressShift: 2, addressMask: 0x3FFF, dataShift: 16)

    /// The layout for `chip`.
    static func layout(for chip: E1000Chip) -> E1000EERD {
        chip == .i82540EM ? i82540EM : i82574L
    }

    /// The word address a driver wrote.
    func address(_ value: UInt32) -> UInt32 { (value >> addressShift) & addressMask }
    /// The completed register value for a read of `word` at `address`.
    func completed(address: UInt32, word: UInt16) -> UInt32 {
        (UInt32(word) << dataShift) | ((address & addressMask) << addressShift) | doneBit
    }
    /// The 16-bit data field.
    func data(_ value: UInt32) -> UInt16 { UInt16(truncatingIfNeeded: value >> dataShift) }
}

// MARK: - CTRL_EXT

/// CTRL_EXT — Extended Device Control Register bits (offset 0x00018),
/// SDM §13.4.6; 82574 bits from Linux e1000e `defines.h` / QEMU `e1000x_regs.h`.
struct E1000CTRL_EXT: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ASDCHK — initiate an auto-speed-detection check (bit 12), SDM §8.6.2.2 / §13.4.6.
    static let ASDCHK = E1000CTRL_EXT(rawValue: 1 << 12)
    /// EE_RST — reload (part of) the EEPROM/NVM contents (bit 13).
    static let EE_RST = E1000CTRL_EXT(rawValue: 1 << 13)
    /// SPD_BYPS — Speed Select Bypass (bit 15).
    static let SPD_BYPS = E1000CTRL_EXT(rawValue: 1 << 15)
    /// RO_DIS — Relaxed Ordering Disable (bit 17).
    static let RO_DIS = E1000CTRL_EXT(rawValue: 1 << 17)
    /// LINK_MODE field mask (bits 23:22); 00b = internal/copper PHY on both chips.
    static let LINK_MODE_MASK: UInt32 = 0x00C0_0000
    /// LINK_MODE field shift.
    static let LINK_MODE_SHIFT: UInt32 = 22
    /// DMA_DYN_CLK_EN — DMA dynamic clock gating (bit 19), 82574.
    static let DMA_DYN_CLK_EN = E1000CTRL_EXT(rawValue: 1 << 19)
    /// PHYPDEN — PHY power-down enable (bit 20), 82574.
    static let PHYPDEN = E1000CTRL_EXT(rawValue: 1 << 20)
    /// EIAME — Extended Interrupt Auto-Mask Enable (bit 24), 82574.
    static let EIAME = E1000CTRL_EXT(rawValue: 1 << 24)
    /// IAME — Interrupt Acknowledge Auto-Mask Enable (bit 27), 82574:
    /// an ICR read applies IAM to IMC.
    static let IAME = E1000CTRL_EXT(rawValue: 1 << 27)
    /// DRV_LOAD — Driver Loaded indication for firmware (bit 28), 82574.
    static let DRV_LOAD = E1000CTRL_EXT(rawValue: 1 << 28)
    /// INT_TIMERS_CLEAR_ENA — interrupt timers clear enable (bit 29), 82574
    /// (QEMU `E1000_CTRL_EXT_INT_TIMERS_CLEAR_ENA`).
    static let INT_TIMERS_CLEAR_ENA = E1000CTRL_EXT(rawValue: 1 << 29)
    /// PBA_CLR — MSI-X Pending Bit Array clear support (bit 31), 82574.
    static let PBA_CLR = E1000CTRL_EXT(rawValue: 1 << 31)
}

// MARK: - MDIC

/// MDIC — MDI Control Register fields (offset 0x00020), SDM §13.4.7 (inferred) and
/// SDM §8.6.2.4 (MII management access). Same layout on the 82574.
enum E1000MDIC {
    /// DATA field mask (bits 15:0).
    static let DATA_MASK: UInt32 = 0x0000_FFFF
    /// REGADD field mask (bits 20:16) — PHY register address.
    static let REGADD_MASK: UInt32 = 0x001F_0000
    /// REGADD field shift.
    static let REGADD_SHIFT: UInt32 = 16
    /// PHYADD field mask (bits 25:21) — PHY address.
    static let PHYADD_MASK: UInt32 = 0x03E0_0000
    /// PHYADD field shift.
    static let PHYADD_SHIFT: UInt32 = 21
    /// OP field mask (bits 27:26): 01b = write, 10b = read.
    static let OP_MASK: UInt32 = 0x0C00_0000
    /// OP = write (01b at bits 27:26).
    static let OP_WRITE: UInt32 = 0x0400_0000
    /// OP = read (10b at bits 27:26).
    static let OP_READ: UInt32 = 0x0800_0000
    /// R — Ready bit (bit 28), set by hardware when the access completes.
    static let R: UInt32 = 1 << 28
    /// I — Interrupt enable (bit 29): raise ICR.MDAC on completion.
    static let I: UInt32 = 1 << 29
    /// E — Error (bit 30): set when the PHY did not respond (e.g. wrong address).
    static let E: UInt32 = 1 << 30
    /// The internal PHY's MDIO address on both chips: 1 (Linux e1000e
    /// `phy->addr = 1` for 82574; QEMU e1000 rejects other addresses with E).
    static let internalPHYAddress: UInt32 = 1

    /// Register address field of `value`.
    static func regadd(_ value: UInt32) -> UInt32 { e1000Field(value, mask: REGADD_MASK, shift: REGADD_SHIFT) }
    /// PHY address field of `value`.
    static func phyadd(_ value: UInt32) -> UInt32 { e1000Field(value, mask: PHYADD_MASK, shift: PHYADD_SHIFT) }
    /// Data field of `value`.
    static func data(_ value: UInt32) -> UInt16 { UInt16(truncatingIfNeeded: value & DATA_MASK) }
}

// MARK: - Interrupt causes

/// Interrupt cause bits, shared by ICR/ICS/IMS/IMC (and IAM/EIAC on the 82574).
/// SDM §13.4.17 Table 13-63 (82540EM: bits 31:17 reserved); 82574 bits from
/// Linux e1000e `defines.h` and QEMU `e1000x_regs.h`.
struct E1000Interrupt: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// TXDW — Transmit Descriptor Written Back (bit 0).
    static let TXDW = E1000Interrupt(rawValue: 1 << 0)
    /// TXQE — Transmit Queue Empty (bit 1).
    static let TXQE = E1000Interrupt(rawValue: 1 << 1)
    /// LSC — Link Status Change (bit 2).
    static let LSC = E1000Interrupt(rawValue: 1 << 2)
    /// RXSEQ — Receive Sequence Error (bit 3); TBI/SerDes only, reserved on the 82540EP/EM.
    static let RXSEQ = E1000Interrupt(rawValue: 1 << 3)
    /// RXDMT0 — Receive Descriptor Minimum Threshold reached (bit 4).
    static let RXDMT0 = E1000Interrupt(rawValue: 1 << 4)
    /// RXO — Receiver Overrun (bit 6).
    static let RXO = E1000Interrupt(rawValue: 1 << 6)
    /// RXT0 — Receiver Timer Interrupt (bit 7).
    static let RXT0 = E1000Interrupt(rawValue: 1 << 7)
    /// MDAC — MDI/O Access Complete (bit 9).
    static let MDAC = E1000Interrupt(rawValue: 1 << 9)
    /// RXCFG — Receiving /C/ ordered sets (bit 10); TBI mode only.
    static let RXCFG = E1000Interrupt(rawValue: 1 << 10)
    /// GPI field mask (bits 14:11) — general-purpose (SDP) interrupts, 8254x
    /// (Linux e1000 `E1000_ICR_GPI_EN0..3`). Which SDP pins map here differs
    /// per 8254x member; see FACTS.md.
    static let GPI_MASK: UInt32 = 0x0000_7800
    /// PHYINT — PHY interrupt (bit 12), per Linux `E1000_ICR_PHYINT`
    /// (82541/82547 family meaning; overlaps GPI bit on other parts).
    static let PHYINT = E1000Interrupt(rawValue: 1 << 12)
    /// TXD_LOW — Transmit Descriptor Low Threshold hit (bit 15).
    static let TXD_LOW = E1000Interrupt(rawValue: 1 << 15)
    /// SRPD — Small Receive Packet Detected (bit 16).
    static let SRPD = E1000Interrupt(rawValue: 1 << 16)
    /// ACK — Receive ACK frame detected (bit 17), 82574.
    static let ACK = E1000Interrupt(rawValue: 1 << 17)
    /// MNG — Manageability event (bit 18), 82574.
    static let MNG = E1000Interrupt(rawValue: 1 << 18)
    /// RXQ0 — Receive Queue 0 interrupt (bit 20), 82574 MSI-X.
    static let RXQ0 = E1000Interrupt(rawValue: 1 << 20)
    /// RXQ1 — Receive Queue 1 interrupt (bit 21), 82574 MSI-X.
    static let RXQ1 = E1000Interrupt(rawValue: 1 << 21)
    /// TXQ0 — Transmit Queue 0 interrupt (bit 22), 82574 MSI-X.
    static let TXQ0 = E1000Interrupt(rawValue: 1 << 22)
    /// TXQ1 — Transmit Queue 1 interrupt (bit 23), 82574 MSI-X.
    static let TXQ1 = E1000Interrupt(rawValue: 1 << 23)
    /// OTHER — Other (non-queue) interrupt causes (bit 24), 82574 MSI-X.
    static let OTHER = E1000Interrupt(rawValue: 1 << 24)
    /// INT_ASSERTED — an interrupt is asserted (bit 31), 82574 ICR only.
    static let INT_ASSERTED = E1000Interrupt(rawValue: 1 << 31)

    /// Bits that are the "other" causes on the 82574, i.e. those signalled via
    /// ICR.OTHER in MSI-X mode (QEMU `E1000_ICR_OTHER_CAUSES`).
    static let otherCauses82574: E1000Interrupt = [.LSC, .RXO, .MDAC, .SRPD, .ACK, .MNG]
    /// Bits 24:20 (RxQ0, RxQ1, TxQ0, TxQ1, Other) — the mask Linux writes to
    /// EIAC on the 82574 (`E1000_EIAC_MASK_82574 0x01F00000`).
    static let msixCauses82574 = E1000Interrupt(rawValue: 0x01F0_0000)
    /// Defined cause bits on the 82540EM (SDM Table 13-63: bits 31:17 reserved;
    /// IMC Table 13-66: bits 5 and 8 reserved).
    static let defined82540EM = E1000Interrupt(rawValue: 0x0001_FFFF & ~0x0000_0120)
}

// MARK: - RCTL

/// RCTL — Receive Control Register bits (offset 0x00100), SDM §13.4.22 (inferred);
/// positions cross-checked with Linux `E1000_RCTL_*`.
struct E1000RCTL: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// EN — Receiver Enable (bit 1).
    static let EN = E1000RCTL(rawValue: 1 << 1)
    /// SBP — Store Bad Packets (bit 2).
    static let SBP = E1000RCTL(rawValue: 1 << 2)
    /// UPE — Unicast Promiscuous Enable (bit 3).
    static let UPE = E1000RCTL(rawValue: 1 << 3)
    /// MPE — Multicast Promiscuous Enable (bit 4).
    static let MPE = E1000RCTL(rawValue: 1 << 4)
    /// LPE — Long Packet Enable (bit 5).
    static let LPE = E1000RCTL(rawValue: 1 << 5)
    /// LBM field mask (bits 7:6) — loopback mode: 00b none, 01b MAC loopback.
    static let LBM_MASK: UInt32 = 0x0000_00C0
    /// LBM field shift.
    static let LBM_SHIFT: UInt32 = 6
    /// RDMTS field mask (bits 9:8) — Rx descriptor minimum threshold size:
    /// 00b = 1/2, 01b = 1/4, 10b = 1/8 of RDLEN.
    static let RDMTS_MASK: UInt32 = 0x0000_0300
    /// RDMTS field shift.
    static let RDMTS_SHIFT: UInt32 = 8
    /// DTYP field mask (bits 11:10), 82574 only: 00b legacy/extended, 01b packet split.
    static let DTYP_MASK: UInt32 = 0x0000_0C00
    /// DTYP field shift.
    static let DTYP_SHIFT: UInt32 = 10
    /// MO field mask (bits 13:12) — multicast offset: which 12 destination-address
    /// bits index the MTA (00b bits 47:36, 01b 46:35, 10b 45:34, 11b 43:32).
    static let MO_MASK: UInt32 = 0x0000_3000
    /// MO field shift.
    static let MO_SHIFT: UInt32 = 12
    /// BAM — Broadcast Accept Mode (bit 15).
    static let BAM = E1000RCTL(rawValue: 1 << 15)
    /// BSIZE field mask (bits 17:16) — receive buffer size; with BSEX = 0:
    /// 00b 2048, 01b 1024, 10b 512, 11b 256 bytes; with BSEX = 1: 01b 16384,
    /// 10b 8192, 11b 4096 bytes (SDM §3.2.2 lists the seven sizes).
    static let BSIZE_MASK: UInt32 = 0x0003_0000
    /// BSIZE field shift.
    static let BSIZE_SHIFT: UInt32 = 16
    /// VFE — VLAN Filter Enable (bit 18).
    static let VFE = E1000RCTL(rawValue: 1 << 18)
    /// CFIEN — Canonical Form Indicator Enable (bit 19).
    static let CFIEN = E1000RCTL(rawValue: 1 << 19)
    /// CFI — Canonical Form Indicator value (bit 20).
    static let CFI = E1000RCTL(rawValue: 1 << 20)
    /// DPF — Discard Pause Frames (bit 22).
    static let DPF = E1000RCTL(rawValue: 1 << 22)
    /// PMCF — Pass MAC Control Frames (bit 23).
    static let PMCF = E1000RCTL(rawValue: 1 << 23)
    /// BSEX — Buffer Size Extension (bit 25).
    static let BSEX = E1000RCTL(rawValue: 1 << 25)
    /// SECRC — Strip Ethernet CRC (bit 26).
    static let SECRC = E1000RCTL(rawValue: 1 << 26)
    /// FLXBUF field mask (bits 30:27), 82574: flexible buffer size in KB (QEMU).
    static let FLXBUF_MASK: UInt32 = 0x7800_0000
    /// FLXBUF field shift.
    static let FLXBUF_SHIFT: UInt32 = 27

    /// The receive buffer size in bytes selected by BSIZE/BSEX (nil for the
    /// undefined BSEX = 1, BSIZE = 00b combination). FLXBUF is not considered.
    var bufferSize: Int? {
        let code = e1000Field(rawValue, mask: Self.BSIZE_MASK, shift: Self.BSIZE_SHIFT)
        if contains(.BSEX) {
            switch code {
            case 1: return 16384
            case 2: return 8192
            case 3: return 4096
            default: return nil
            }
        }
        switch code {
        case 0: return 2048
        case 1: return 1024
        case 2: return 512
        default: return 256
        }
    }

    /// The RDMTS threshold as a right shift of RDLEN's descriptor count
    /// (1/2 → 1, 1/4 → 2, 1/8 → 3); nil for the reserved code 11b.
    var minimumThresholdShift: Int? {
        switch e1000Field(rawValue, mask: Self.RDMTS_MASK, shift: Self.RDMTS_SHIFT) {
        case 0: return 1
        case 1: return 2
        case 2: return 3
        default: return nil
        }
    }
}

// MARK: - TCTL / TIPG

/// TCTL — Transmit Control Register bits (offset 0x00400), SDM Table 13-76
/// (§13.4.33, inferred). Initial value of every listed field is 0b.
struct E1000TCTL: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// EN — Transmit Enable (bit 1).
    static let EN = E1000TCTL(rawValue: 1 << 1)
    /// PSP — Pad Short Packets to 64 bytes (bit 3).
    static let PSP = E1000TCTL(rawValue: 1 << 3)
    /// CT field mask (bits 11:4) — Collision Threshold; recommended 0Fh.
    static let CT_MASK: UInt32 = 0x0000_0FF0
    /// CT field shift.
    static let CT_SHIFT: UInt32 = 4
    /// COLD field mask (bits 21:12) — Collision Distance in byte times;
    /// recommended 200h half-duplex, 40h full-duplex.
    static let COLD_MASK: UInt32 = 0x003F_F000
    /// COLD field shift.
    static let COLD_SHIFT: UInt32 = 12
    /// SWXOFF — Software XOFF Transmission (bit 22), self-clearing.
    static let SWXOFF = E1000TCTL(rawValue: 1 << 22)
    /// RTLC — Re-transmit on Late Collision (bit 24).
    static let RTLC = E1000TCTL(rawValue: 1 << 24)
    /// MULR — Multiple Request Support (bit 28), 82574 (Linux e1000e `E1000_TCTL_MULR`).
    static let MULR = E1000TCTL(rawValue: 1 << 28)

    /// Recommended CT value (SDM Table 13-76).
    static let recommendedCollisionThreshold: UInt32 = 0x0F
    /// Recommended COLD for full duplex, 64 byte times (SDM Table 13-76).
    static let recommendedCollisionDistanceFullDuplex: UInt32 = 0x40
    /// Recommended COLD for half duplex, 512 byte times (SDM Table 13-76).
    static let recommendedCollisionDistanceHalfDuplex: UInt32 = 0x200
}

/// TIPG — Transmit Inter-Packet Gap fields (offset 0x00410), SDM Table 13-77
/// (§13.4.34, inferred). Initial values of IPGT and IPGR1 are "X" (undefined).
enum E1000TIPG {
    /// IPGT field mask (bits 9:0) — IPG transmit time, in MAC clocks
    /// (8 ns at 1 Gb/s, 80 ns at 100 Mb/s, 800 ns at 10 Mb/s).
    static let IPGT_MASK: UInt32 = 0x0000_03FF
    /// IPGR1 field mask (bits 19:10) — IPG receive time 1 (2/3 of IPGR2).
    static let IPGR1_MASK: UInt32 = 0x000F_FC00
    /// IPGR1 field shift.
    static let IPGR1_SHIFT: UInt32 = 10
    /// IPGR2 field mask (bits 29:20) — IPG receive time 2.
    static let IPGR2_MASK: UInt32 = 0x3FF0_0000
    /// IPGR2 field shift.
    static let IPGR2_SHIFT: UInt32 = 20

    /// SDM Table 13-77 recommended IPGT for 10/100/1000BASE-T: 10
    /// (the MAC adds four clocks of internal overhead; 8 for the 82544GC/EI).
    static let recommendedIPGTCopperSDM: UInt32 = 10
    /// Linux e1000/e1000e `DEFAULT_82543_TIPG_IPGT_COPPER` = 8 — what drivers
    /// actually program on copper parts (disagrees with the SDM's 10; see FACTS.md).
    static let linuxIPGTCopper: UInt32 = 8
    /// SDM Table 13-77 recommended IPGR1: 8.
    static let recommendedIPGR1: UInt32 = 8
    /// IPGR2 = 6: Linux `DEFAULT_82543_TIPG_IPGR2` and QEMU's 82574 reset value
    /// (the SDM's IPGR2 text was not read).
    static let recommendedIPGR2: UInt32 = 6

    /// Composes a TIPG value.
    static func make(ipgt: UInt32, ipgr1: UInt32, ipgr2: UInt32) -> UInt32 {
        (ipgt & IPGT_MASK) | ((ipgr1 << IPGR1_SHIFT) & IPGR1_MASK) | ((ipgr2 << IPGR2_SHIFT) & IPGR2_MASK)
    }

    /// The value Linux programs on copper parts: 0x00602008 (equal to QEMU's
    /// 82574 reset value).
    static let linuxCopperDefault: UInt32 = make(ipgt: linuxIPGTCopper, ipgr1: 8, ipgr2: 6)
}

// MARK: - RXDCTL / TXDCTL

/// RXDCTL / TXDCTL — Receive (SDM §13.4.46 Table 13-87) and Transmit
/// (SDM Table 13-86) Descriptor Control fields. All threshold fields initial 0b
/// on the 82540EM; QEMU resets the 82574's RXDCTL to WTHRESH = 1.
enum E1000DescriptorControl {
    /// PTHRESH field mask (bits 5:0) — prefetch threshold.
    static let PTHRESH_MASK: UInt32 = 0x0000_003F
    /// HTHRESH field mask (bits 13:8) — host threshold.
    static let HTHRESH_MASK: UInt32 = 0x0000_3F00
    /// HTHRESH field shift.
    static let HTHRESH_SHIFT: UInt32 = 8
    /// WTHRESH field mask (bits 21:16) — write-back threshold.
    static let WTHRESH_MASK: UInt32 = 0x003F_0000
    /// WTHRESH field shift.
    static let WTHRESH_SHIFT: UInt32 = 16
    /// COUNT_DESC — TXDCTL only, 82574: enable counting of descriptors still to
    /// be processed (bit 22; Linux e1000e `E1000_TXDCTL_COUNT_DESC`).
    static let COUNT_DESC: UInt32 = 1 << 22
    /// GRAN — threshold granularity (bit 24): 0b = cache lines, 1b = descriptors
    /// (SDM rev 3.3 change note for Table 13-87).
    static let GRAN: UInt32 = 1 << 24
    /// LWTHRESH field mask (bits 31:25), TXDCTL only — transmit descriptor low
    /// threshold (raises ICR.TXD_LOW).
    static let LWTHRESH_MASK: UInt32 = 0xFE00_0000
    /// LWTHRESH field shift.
    static let LWTHRESH_SHIFT: UInt32 = 25
}

// MARK: - RXCSUM / RFCTL

/// RXCSUM — Receive Checksum Control bits (offset 0x05000), SDM §13.4.47
/// (inferred; page 322). 82540EM initial value 0; QEMU resets the 82574 to 0x300.
struct E1000RXCSUM: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// PCSS field mask (bits 7:0) — Packet Checksum Start byte offset.
    static let PCSS_MASK: UInt32 = 0x0000_00FF
    /// IPOFL — IP checksum offload enable (bit 8; the SDM spells it IPOFLD).
    static let IPOFL = E1000RXCSUM(rawValue: 1 << 8)
    /// TUOFL — TCP/UDP checksum offload enable (bit 9; the SDM spells it TUOFLD).
    static let TUOFL = E1000RXCSUM(rawValue: 1 << 9)
    /// CRCOFL — CRC32 offload enable (bit 11): from Linux's older e1000 header
    /// (`E1000_RXCSUM_CRCOFL`); its presence on the 82574 is unverified.
    static let CRCOFL = E1000RXCSUM(rawValue: 1 << 11)
    /// IPPCSE — IP payload checksum enable (bit 12), 82574 (Linux e1000e).
    static let IPPCSE = E1000RXCSUM(rawValue: 1 << 12)
    /// PCSD — Packet Checksum Disable (bit 13), 82574: when set, the extended Rx
    /// descriptor's checksum/IP-ID dword carries the RSS hash instead.
    static let PCSD = E1000RXCSUM(rawValue: 1 << 13)
}

/// RFCTL — Receive Filter Control bits (offset 0x05008), 82574 only
/// (QEMU `e1000x_regs.h` / `e1000_regs.h`, Linux e1000e `defines.h`).
struct E1000RFCTL: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ISCSI_DIS — iSCSI filtering disable (bit 0).
    static let ISCSI_DIS = E1000RFCTL(rawValue: 1 << 0)
    /// NFSW_DIS — NFS write filtering disable (bit 6).
    static let NFSW_DIS = E1000RFCTL(rawValue: 1 << 6)
    /// NFSR_DIS — NFS read filtering disable (bit 7).
    static let NFSR_DIS = E1000RFCTL(rawValue: 1 << 7)
    /// IPV6_DIS — IPv6 filtering disable (bit 10).
    static let IPV6_DIS = E1000RFCTL(rawValue: 1 << 10)
    /// IPV6_XSUM_DIS — IPv6 checksum offload disable (bit 11).
    static let IPV6_XSUM_DIS = E1000RFCTL(rawValue: 1 << 11)
    /// ACK_DIS — ACK-accelerate disable (bit 12).
    static let ACK_DIS = E1000RFCTL(rawValue: 1 << 12)
    /// ACK_DATA_DIS — ACK-with-data detection disable (bit 13).
    static let ACK_DATA_DIS = E1000RFCTL(rawValue: 1 << 13)
    /// IPFRSP_DIS — IP-fragment split disable (bit 14).
    static let IPFRSP_DIS = E1000RFCTL(rawValue: 1 << 14)
    /// EXTEN — Extended status enable (bit 15): use extended Rx descriptors
    /// (`E1000RxDescriptorExtended`) instead of legacy ones.
    static let EXTEN = E1000RFCTL(rawValue: 1 << 15)
    /// IPV6_EX_DIS — IPv6 extension-header parsing disable (bit 16).
    static let IPV6_EX_DIS = E1000RFCTL(rawValue: 1 << 16)
    /// NEW_IPV6_EXT_DIS — new IPv6 extension-header parsing disable (bit 17).
    static let NEW_IPV6_EXT_DIS = E1000RFCTL(rawValue: 1 << 17)
}

// MARK: - IVAR (82574)

/// IVAR — Interrupt Vector Allocation Register layout (offset 0x000E4), 82574
/// only. Five 4-bit entries, each a 3-bit MSI-X vector number (bits 2:0 of the
/// entry) plus a valid bit (bit 3 of the entry). QEMU `e1000_regs.h`
/// `E1000_IVAR_*`; Linux e1000e `E1000_IVAR_INT_ALLOC_VALID 0x8`.
enum E1000IVAR {
    /// The causes that have an entry, with the entry's bit offset.
    enum Cause: UInt32, Sendable, Hashable, CaseIterable {
        /// INT_ALLOC[0] — receive queue 0, bits 3:0.
        case rxQueue0 = 0
        /// INT_ALLOC[1] — receive queue 1, bits 7:4.
        case rxQueue1 = 4
        /// INT_ALLOC[2] — transmit queue 0, bits 11:8.
        case txQueue0 = 8
        /// INT_ALLOC[3] — transmit queue 1, bits 15:12.
        case txQueue1 = 12
        /// INT_ALLOC[4] — other causes, bits 19:16.
        case other = 16
    }

    /// Vector-number mask within one entry (bits 2:0).
    static let entryVectorMask: UInt32 = 0x7
    /// Valid bit within one entry (bit 3).
    static let entryValid: UInt32 = 0x8
    /// Bit 31: raise a Tx interrupt on every descriptor write-back (Linux sets it
    /// in `e1000_configure_msix`; QEMU `E1000_IVAR_TX_INT_EVERY_WB`).
    static let txInterruptEveryWriteBack: UInt32 = 1 << 31

    /// The MSI-X vector allocated to `cause`, or nil when the entry is not valid.
    static func vector(for cause: Cause, in ivar: UInt32) -> UInt32? {
        let entry = (ivar >> cause.rawValue) & 0xF
        return entry & entryValid != 0 ? entry & entryVectorMask : nil
    }

    /// Encodes a valid entry mapping `cause` to `vector`.
    static func entry(_ cause: Cause, vector: UInt32) -> UInt32 {
        ((vector & entryVectorMask) | entryValid) << cause.rawValue
    }
}

// MARK: - GCR (82574)

/// GCR — PCIe Control Register bits (offset 0x05B00), 82574 only (Linux e1000e
/// `defines.h`; reset/RO bits per QEMU `e1000x_regs.h`).
struct E1000GCR: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// RXD_NO_SNOOP — no-snoop for Rx data writes (bit 0).
    static let RXD_NO_SNOOP = E1000GCR(rawValue: 1 << 0)
    /// RXDSCW_NO_SNOOP — no-snoop for Rx descriptor writes (bit 1).
    static let RXDSCW_NO_SNOOP = E1000GCR(rawValue: 1 << 1)
    /// RXDSCR_NO_SNOOP — no-snoop for Rx descriptor reads (bit 2).
    static let RXDSCR_NO_SNOOP = E1000GCR(rawValue: 1 << 2)
    /// TXD_NO_SNOOP — no-snoop for Tx data reads (bit 3).
    static let TXD_NO_SNOOP = E1000GCR(rawValue: 1 << 3)
    /// TXDSCW_NO_SNOOP — no-snoop for Tx descriptor writes (bit 4).
    static let TXDSCW_NO_SNOOP = E1000GCR(rawValue: 1 << 4)
    /// TXDSCR_NO_SNOOP — no-snoop for Tx descriptor reads (bit 5).
    static let TXDSCR_NO_SNOOP = E1000GCR(rawValue: 1 << 5)
    /// L0S_ADJUST (bit 9), set at reset in QEMU's model.
    static let L0S_ADJUST = E1000GCR(rawValue: 1 << 9)
    /// L1 entry latency, MSB (bit 23), read-only in QEMU's model.
    static let L1_ENTRY_LATENCY_MSB = E1000GCR(rawValue: 1 << 23)
    /// L1 entry latency, LSBs (bits 26:25), read-only in QEMU's model.
    static let L1_ENTRY_LATENCY_LSB = E1000GCR(rawValue: (1 << 25) | (1 << 26))
    /// L1_ACT_WITHOUT_L0S_RX (bit 27) — Linux sets it for the 82574 in
    /// `e1000_init_hw_82571`.
    static let L1_ACT_WITHOUT_L0S_RX = E1000GCR(rawValue: 1 << 27)

    /// QEMU's 82574 reset value: L0S_ADJUST | L1 entry latency bits.
    static let qemuResetValue: E1000GCR = [.L0S_ADJUST, .L1_ENTRY_LATENCY_MSB, .L1_ENTRY_LATENCY_LSB]
}

// MARK: - RAH / wake-up

/// RAH — Receive Address High bits, SDM §13.5.3.
enum E1000RAH {
    /// Bits 15:0 hold the upper 16 bits of the 48-bit address.
    static let addressMask: UInt32 = 0x0000_FFFF
    /// ASEL field mask (bits 17:16) — address select; 00b = destination address.
    static let ASEL_MASK: UInt32 = 0x0003_0000
    /// AV — Address Valid (bit 31).
    static let AV: UInt32 = 1 << 31
}

/// WUC — Wakeup Control bits (offset 0x05800), SDM §13.6 (inferred); Linux `E1000_WUC_*`.
struct E1000WUC: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }
    /// APME — Advanced Power Management Enable (bit 0).
    static let APME = E1000WUC(rawValue: 1 << 0)
    /// PME_EN — PME enable (bit 1).
    static let PME_EN = E1000WUC(rawValue: 1 << 1)
    /// PME_STATUS — PME status (bit 2).
    static let PME_STATUS = E1000WUC(rawValue: 1 << 2)
    /// APMPME — assert PME on APM wake-up (bit 3).
    static let APMPME = E1000WUC(rawValue: 1 << 3)
}

/// WUFC — Wakeup Filter Control bits (offset 0x05808), SDM §13.6 (inferred); Linux `E1000_WUFC_*`.
struct E1000WUFC: OptionSet, Sendable, Hashable {
    /// The raw 32-bit register value.
    let rawValue: UInt32
    /// Wraps a raw register value.
    init(rawValue: UInt32) { self.rawValue = rawValue }
    /// LNKC — link status change wake-up (bit 0).
    static let LNKC = E1000WUFC(rawValue: 1 << 0)
    /// MAG — magic packet wake-up (bit 1).
    static let MAG = E1000WUFC(rawValue: 1 << 1)
    /// EX — directed exact wake-up (bit 2).
    static let EX = E1000WUFC(rawValue: 1 << 2)
    /// MC — directed multicast wake-up (bit 3).
    static let MC = E1000WUFC(rawValue: 1 << 3)
    /// BC — broadcast wake-up (bit 4).
    static let BC = E1000WUFC(rawValue: 1 << 4)
    /// ARP — ARP request wake-up (bit 5).
    static let ARP = E1000WUFC(rawValue: 1 << 5)
}

// MARK: - Flow control constants

/// Flow-control constants a driver writes to FCAL/FCAH/FCT (IEEE 802.3 Annex
/// 31B PAUSE: destination 01-80-C2-00-00-01, EtherType 0x8808; Linux
/// e1000e `FLOW_CONTROL_ADDRESS_LOW/HIGH`, `FLOW_CONTROL_TYPE`).
enum E1000FlowControl {
    /// FCAL value for 01-80-C2-00-00-01 (low four bytes, little-endian).
    static let addressLow: UInt32 = 0x00C2_8001
    /// FCAH value for 01-80-C2-00-00-01 (high two bytes).
    static let addressHigh: UInt32 = 0x0000_0100
    /// FCT value: the MAC Control EtherType 0x8808.
    static let type: UInt32 = 0x8808
    /// VET value for IEEE 802.1Q tagging (TPID 0x8100).
    static let vlanEtherType: UInt32 = 0x8100
}
