import BoxlessPlatform

/// Offsets of the 256-byte register file (RTL8139C(L) datasheet §5 "Register Descriptions",
/// RTL8139C(L)+ datasheet §6 for the C+ registers). BAR0 (I/O) and BAR1 (memory) decode the same
/// file. Names are the datasheet's; where a C+ register shares bytes with a C-mode one (DTCCR over
/// TSD0–1, TNPDS/THPDS over TSAD0–3) both names are given.
public enum RTL8139Register {
    /// IDR0–5: station address, loaded from EEPROM words 7–9 at power-on (§5 "IDR0–IDR5"; the
    /// datasheet asks for 4-byte accesses, Linux's 8139too writes it with two dword writes).
    public static let IDR0: UInt32 = 0x00
    /// MAR0–7: multicast hash table (§5.1, "MAR0–7").
    public static let MAR0: UInt32 = 0x08
    /// TSD0–3: transmit status of descriptor 0–3 (§5.2); C mode only.
    public static func TSD(_ n: Int) -> UInt32 { 0x10 + 4 * UInt32(n) }
    /// TSAD0–3: transmit start address of descriptor 0–3 (§5.3); C mode only.
    public static func TSAD(_ n: Int) -> UInt32 { 0x20 + 4 * UInt32(n) }
    /// DTCCR: dump tally counter command, 64-bit (C+ datasheet §6.1); C+ mode, over TSD0–1.
    public static let DTCCR: UInt32 = 0x10
    /// TNPDS: transmit normal-priority descriptors start address, 64-bit (C+ §6.2); over TSAD0–1.
    /// Linux's 8139cp calls it TxRingAddr.
    public static let TNPDS: UInt32 = 0x20
    /// THPDS: transmit high-priority descriptors start address, 64-bit (C+ §6.3); over TSAD2–3.
    public static let THPDS: UInt32 = 0x28
    /// RBSTART: receive (ring) buffer start address (§5.4); C mode.
    public static let RBSTART: UInt32 = 0x30
    /// ERBCR: early receive byte count (§5).
    public static let ERBCR: UInt32 = 0x34
    /// ERSR: early receive status (§5.5).
    public static let ERSR: UInt32 = 0x36
    /// CR: command register (§5.6).
    public static let CR: UInt32 = 0x37
    /// CAPR: current address of packet read, the driver's read pointer less 16 (§5).
    public static let CAPR: UInt32 = 0x38
    /// CBR: current buffer address, the chip's write pointer (§5).
    public static let CBR: UInt32 = 0x3A
    /// IMR: interrupt mask (§5.7).
    public static let IMR: UInt32 = 0x3C
    /// ISR: interrupt status, write 1 to clear (§5.8).
    public static let ISR: UInt32 = 0x3E
    /// TCR: transmit configuration (§5.9).
    public static let TCR: UInt32 = 0x40
    /// RCR: receive configuration (§5.10).
    public static let RCR: UInt32 = 0x44
    /// TCTR: timer count, counts at the PCI clock; any write clears it (§5).
    public static let TCTR: UInt32 = 0x48
    /// MPC: missed packet counter, 24 bits; any write clears it (§5).
    public static let MPC: UInt32 = 0x4C
    /// 9346CR: 93C46 command register, EEPROM pins and the CONFIG write enable (§5.11).
    public static let CR9346: UInt32 = 0x50
    /// CONFIG0 (§5.12).
    public static let CONFIG0: UInt32 = 0x51
    /// CONFIG1 (§5.13).
    public static let CONFIG1: UInt32 = 0x52
    /// TimerInt: TCTR value that raises ISR.TimeOut; 0 disables (§5).
    public static let TimerInt: UInt32 = 0x54
    /// MSR: media status (§5.14).
    public static let MSR: UInt32 = 0x58
    /// CONFIG3 (§5.15).
    public static let CONFIG3: UInt32 = 0x59
    /// CONFIG4 (§5.16).
    public static let CONFIG4: UInt32 = 0x5A
    /// MULINT: multiple interrupt select (§5).
    public static let MULINT: UInt32 = 0x5C
    /// RERID: PCI revision ID (§5).
    public static let RERID: UInt32 = 0x5E
    /// TSAD: transmit status of all descriptors (§5.17; Linux: TxSummary).
    public static let TSADSummary: UInt32 = 0x60
    /// BMCR: basic mode control (§5.18, IEEE 802.3 register 0).
    public static let BMCR: UInt32 = 0x62
    /// BMSR: basic mode status (§5.19, register 1).
    public static let BMSR: UInt32 = 0x64
    /// ANAR: auto-negotiation advertisement (§5.20, register 4).
    public static let ANAR: UInt32 = 0x66
    /// ANLPAR: auto-negotiation link partner ability (§5.21, register 5).
    public static let ANLPAR: UInt32 = 0x68
    /// ANER: auto-negotiation expansion (§5.22, register 6).
    public static let ANER: UInt32 = 0x6A
    /// DIS: disconnect counter (§5).
    public static let DIS: UInt32 = 0x6C
    /// FCSC: false carrier sense counter (§5).
    public static let FCSC: UInt32 = 0x6E
    /// NWAYTR: N-way test register (§5.23).
    public static let NWAYTR: UInt32 = 0x70
    /// REC: RX_ER counter (§5).
    public static let REC: UInt32 = 0x72
    /// CSCR: CS configuration (§5.24).
    public static let CSCR: UInt32 = 0x74
    /// PHY1_PARM (§5).
    public static let PHY1_PARM: UInt32 = 0x78
    /// TW_PARM: twister parameter (§5).
    public static let TW_PARM: UInt32 = 0x7C
    /// PHY2_PARM (§5).
    public static let PHY2_PARM: UInt32 = 0x80
    /// CRC0–7: power-management CRC of wake-up frames 0–7 (§5).
    public static let CRC0: UInt32 = 0x84
    /// Wakeup0–7: wake-up frame masks, 8 bytes each (§5).
    public static let Wakeup0: UInt32 = 0x8C
    /// LSBCRC0–7: LSB of the mask byte of wake-up frames (§5).
    public static let LSBCRC0: UInt32 = 0xCC
    /// FLASH: flash memory read/write (§5).
    public static let FLASH: UInt32 = 0xD4
    /// CONFIG5 (§5.25).
    public static let CONFIG5: UInt32 = 0xD8
    /// TxPoll (TPPoll): transmit priority polling, C+ mode (C+ §6.4).
    public static let TxPoll: UInt32 = 0xD9
    /// CpCmd (C+CR): C+ command register (C+ §6.5).
    public static let CpCmd: UInt32 = 0xE0
    /// IntrMitigate: interrupt mitigation, C+ mode (Linux 8139cp; QEMU: not implemented).
    public static let IntrMitigate: UInt32 = 0xE2
    /// RxRingAddr (RDSAR): receive descriptor start address, 64-bit (C+ §6.6).
    public static let RxRingAddr: UInt32 = 0xE4
    /// ETThR: early transmit threshold of C+ mode, in 32-byte units (C+ §6.7; Linux: TxThresh).
    public static let ETThR: UInt32 = 0xEC
    /// FER/FEMR/FPSR/FFER: CardBus function event registers (§5).
    public static let FER: UInt32 = 0xF0

    /// The register file's size in bytes.
    public static let size = 256

    /// The BAR register map: datasheet names, widths as the datasheet gives them. Undefined
    /// bytes read as zero (reserved), so they are not findings.
    public static let map = RegisterMap({
        var r: [RegisterInfo] = []
        for i in 0..<6 { r.append(RegisterInfo("IDR\(i)", offset: UInt64(i), width: .byte)) }
        for i in 0..<8 { r.append(RegisterInfo("MAR\(i)", offset: UInt64(8 + i), width: .byte)) }
        r.append(RegisterInfo("TSD0/DTCCR", offset: 0x10)); r.append(RegisterInfo("TSD1/DTCCR+4", offset: 0x14))
        r.append(RegisterInfo("TSD2", offset: 0x18)); r.append(RegisterInfo("TSD3", offset: 0x1C))
        r.append(RegisterInfo("TSAD0/TNPDS", offset: 0x20)); r.append(RegisterInfo("TSAD1/TNPDS+4", offset: 0x24))
        r.append(RegisterInfo("TSAD2/THPDS", offset: 0x28)); r.append(RegisterInfo("TSAD3/THPDS+4", offset: 0x2C))
        r += [
            RegisterInfo("RBSTART", offset: 0x30), RegisterInfo("ERBCR", offset: 0x34, width: .word, access: .readOnly),
            RegisterInfo("ERSR", offset: 0x36, width: .byte, access: .readOnly), RegisterInfo("CR", offset: 0x37, width: .byte),
            RegisterInfo("CAPR", offset: 0x38, width: .word), RegisterInfo("CBR", offset: 0x3A, width: .word, access: .readOnly),
            RegisterInfo("IMR", offset: 0x3C, width: .word), RegisterInfo("ISR", offset: 0x3E, width: .word, access: .writeOneToClear),
            RegisterInfo("TCR", offset: 0x40), RegisterInfo("RCR", offset: 0x44), RegisterInfo("TCTR", offset: 0x48),
            RegisterInfo("MPC", offset: 0x4C), RegisterInfo("9346CR", offset: 0x50, width: .byte),
            RegisterInfo("CONFIG0", offset: 0x51, width: .byte), RegisterInfo("CONFIG1", offset: 0x52, width: .byte),
            RegisterInfo("TimerInt", offset: 0x54), RegisterInfo("MSR", offset: 0x58, width: .byte),
            RegisterInfo("CONFIG3", offset: 0x59, width: .byte), RegisterInfo("CONFIG4", offset: 0x5A, width: .byte),
            RegisterInfo("MULINT", offset: 0x5C, width: .word), RegisterInfo("RERID", offset: 0x5E, width: .byte, access: .readOnly),
            RegisterInfo("TSAD", offset: 0x60, width: .word, access: .readOnly),
            RegisterInfo("BMCR", offset: 0x62, width: .word), RegisterInfo("BMSR", offset: 0x64, width: .word),
            RegisterInfo("ANAR", offset: 0x66, width: .word), RegisterInfo("ANLPAR", offset: 0x68, width: .word),
            RegisterInfo("ANER", offset: 0x6A, width: .word), RegisterInfo("DIS", offset: 0x6C, width: .word),
            RegisterInfo("FCSC", offset: 0x6E, width: .word), RegisterInfo("NWAYTR", offset: 0x70, width: .word),
            RegisterInfo("REC", offset: 0x72, width: .word), RegisterInfo("CSCR", offset: 0x74, width: .word),
            RegisterInfo("PHY1_PARM", offset: 0x78), RegisterInfo("TW_PARM", offset: 0x7C),
            RegisterInfo("PHY2_PARM", offset: 0x80, width: .byte),
        ]
        for i in 0..<8 { r.append(RegisterInfo("CRC\(i)", offset: UInt64(0x84 + i), width: .byte)) }
        for i in 0..<8 { r.append(RegisterInfo("Wakeup\(i)", offset: UInt64(0x8C + 8 * i), width: .qword)) }
        for i in 0..<8 { r.append(RegisterInfo("LSBCRC\(i)", offset: UInt64(0xCC + i), width: .byte)) }
        r += [
            RegisterInfo("FLASH", offset: 0xD4), RegisterInfo("CONFIG5", offset: 0xD8, width: .byte),
            RegisterInfo("TxPoll", offset: 0xD9, width: .byte), RegisterInfo("CpCmd", offset: 0xE0, width: .word),
            RegisterInfo("IntrMitigate", offset: 0xE2, width: .word), RegisterInfo("RxRingAddr", offset: 0xE4),
            RegisterInfo("RxRingAddr+4", offset: 0xE8), RegisterInfo("ETThR", offset: 0xEC, width: .byte),
            RegisterInfo("FER", offset: 0xF0), RegisterInfo("FEMR", offset: 0xF4), RegisterInfo("FPSR", offset: 0xF8),
            RegisterInfo("FFER", offset: 0xFC),
        ]
        return r
    }(), undefinedIsFinding: false)
}
