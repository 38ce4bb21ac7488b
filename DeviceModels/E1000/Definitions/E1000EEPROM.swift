// E1000 EEPROM / NVM word map and checksum rule for the 82540EM and 82574L.
// Sources: 8254x SDM rev 4.0 §5 (EEPROM interface; §5.3.1 software access,
// §5.6 address map), Linux e1000 `e1000_hw.h`/`e1000_hw.c` and e1000e
// `defines.h`/`82571.c` word offsets and size rules, the Intel wired-networking
// community note on EEPROM checksums (0xBABA), and the ICH8 NVM Information
// Guide (same checksum wording). See FACTS.md for what is unverified.

/// EEPROM/NVM facts and a default-image builder.
enum E1000EEPROM {
    // MARK: Checksum

    /// Index of the checksum word: 0x3F (SDM §5.6; Linux `EEPROM_CHECKSUM_REG`
    /// / e1000e `NVM_CHECKSUM_REG`).
    static let checksumWordIndex = 0x3F
    /// The sum of words 0x00…0x3F (inclusive, 16-bit, carries discarded) of a
    /// valid image: 0xBABA (Linux `EEPROM_SUM` / `NVM_SUM`; Intel community
    /// blog post on basic EEPROM checksums, 2010; ICH8 NVM guide, checksum word 3Fh).
    static let checksumSum: UInt16 = 0xBABA
    /// Number of words covered by the checksum (0x00…0x3F).
    static let checksummedWordCount = 0x40

    /// 16-bit wrapping sum of words 0x00…0x3F; missing words count as 0xFFFF
    /// (an erased/unprogrammed EEPROM reads as all ones).
    static func sum(of words: [UInt16]) -> UInt16 {
        var total: UInt16 = 0
        for i in 0..<checksummedWordCount {
            total &+= i < words.count ? words[i] : 0xFFFF
        }
        return total
    }

    /// Whether `words` satisfies sum(words 0x00…0x3F) == 0xBABA.
    static func isChecksumValid(_ words: [UInt16]) -> Bool {
        sum(of: words) == checksumSum
    }

    /// The value word 0x3F must hold: 0xBABA − sum(words 0x00…0x3E).
    static func checksumWord(for words: [UInt16]) -> UInt16 {
        var total: UInt16 = 0
        for i in 0..<checksumWordIndex {
            total &+= i < words.count ? words[i] : 0xFFFF
        }
        return checksumSum &- total
    }

    // MARK: Word map (common to both chips unless noted)

    /// Words 0x00–0x02 — Ethernet (MAC) address; word n holds byte 2n in its
    /// low byte and byte 2n+1 in its high byte (Linux `e1000_read_mac_addr`;
    /// ICH8 NVM guide Table 2 shows the same byte swap). Loaded into RAL0/RAH0.
    static let ethernetAddressWords = 0x00...0x02
    /// Word 0x03 — Compatibility (Linux `EEPROM_COMPAT` / `NVM_COMPAT`).
    static let compatibilityWord = 0x03
    /// Word 0x04 — ID LED settings; 0x0000 and 0xFFFF both mean "use the
    /// default" to Linux (`ID_LED_RESERVED_0000/FFFF`).
    static let idLEDSettingsWord = 0x04
    /// Word 0x05 — EEPROM image version (Linux `EEPROM_VERSION`).
    static let imageVersionWord = 0x05
    /// Words 0x08–0x09 — PBA (printed board assembly) number; 0xFAFA in word 8
    /// marks word 9 as a pointer (82574; Linux e1000e `NVM_PBA_PTR_GUARD`).
    static let pbaWords = 0x08...0x09
    /// Word 0x0A — Initialization Control Word 1 (Linux `EEPROM_INIT_CONTROL1_REG`).
    static let initializationControl1Word = 0x0A
    /// Word 0x0B — PCI Subsystem ID.
    static let subsystemIDWord = 0x0B
    /// Word 0x0C — PCI Subsystem Vendor ID.
    static let subsystemVendorIDWord = 0x0C
    /// Word 0x0D — PCI Device ID.
    static let deviceIDWord = 0x0D
    /// Word 0x0E — PCI Vendor ID on the 82540EM (8254x map). QEMU's 82574
    /// template marks this word unused, so it is left 0 for the 82574.
    static let vendorIDWord82540EM = 0x0E
    /// Word 0x0F — Initialization Control Word 2 (Linux `EEPROM_INIT_CONTROL2_REG`).
    static let initializationControl2Word = 0x0F
    /// Word 0x12 — NVM configuration word on the 82574 (Linux e1000e `NVM_CFG`).
    static let nvmConfigWord82574 = 0x12
    /// Word 0x1A — PCIe init configuration 3 on the 82574 (Linux e1000e
    /// `NVM_INIT_3GIO_3`; bits 3:2 ASPM).
    static let pcieInit3Word82574 = 0x1A
    /// Word 0x20 — Software Defined Pins Control, port A, 8254x
    /// (Linux `EEPROM_SWDEF_PINS_CTRL_PORT_0`).
    static let softwareDefinedPinsWord82540EM = 0x20
    /// Word 0x24 — Initialization Control Word 3, port A, 8254x
    /// (Linux `EEPROM_INIT_CONTROL3_PORT_A`).
    static let initializationControl3Word82540EM = 0x24
    /// Words 0x30–0x3E — boot agent (PXE) software region (ICH8 NVM guide;
    /// QEMU templates).
    static let bootAgentWords = 0x30...0x3E

    // MARK: Bits inside words

    /// ICW2 bits 13:12 — PAUSE (bit 12) and ASM_DIR (bit 13) advertisement
    /// defaults read by Linux for flow control (`NVM_WORD0F_PAUSE_MASK 0x3000`):
    /// 00b none, 10b (ASM_DIR only) Tx pause, otherwise full.
    static let icw2PauseMask: UInt16 = 0x3000
    /// ICW2 bit 12 — symmetric PAUSE.
    static let icw2Pause: UInt16 = 0x1000
    /// ICW2 bit 13 — asymmetric PAUSE direction.
    static let icw2AsmDir: UInt16 = 0x2000
    /// ICW2 bit 10 — APM enable (wake on magic packet) for the 82540
    /// (Linux e1000 `E1000_EEPROM_APME 0x0400`).
    static let icw2APME82540EM: UInt16 = 0x0400
    /// 82574: ICW2 bits 14:13 — manageability mode; non-zero makes Linux
    /// e1000e treat the part as managed (`E1000_NVM_INIT_CTRL2_MNGM 0x6000`,
    /// `e1000_check_mng_mode_82574`). Note it overlaps ASM_DIR (bit 13).
    static let icw2ManageabilityMask82574: UInt16 = 0x6000
    /// Signature "01b" in bits 15:14 that marks an image as programmed.
    /// Position per QEMU's templates (82540: ICW1 0x6403; 82574: word 0x12
    /// 0x7E7C); the manuals' statement of it was not read — unverified.
    static let signatureMask: UInt16 = 0xC000
    /// The signature value (01b in bits 15:14).
    static let signatureValue: UInt16 = 0x4000

    // MARK: Sizes and interface types

    /// 82540EM: Microwire EEPROM of 64 words (EECD.EE_SIZE = 0, 6 address
    /// bits) or 256 words (EE_SIZE = 1, 8 address bits), 3 opcode bits
    /// (Linux e1000 `e1000_init_eeprom_params`, case `e1000_82540`).
    static let wordCounts82540EM = [64, 256]
    /// Microwire opcodes used by the 8254x (Linux/QEMU): READ 110b, WRITE 101b,
    /// ERASE 111b, EWEN 10011b, EWDS 10000b.
    static let microwireReadOpcode: UInt8 = 0b110
    /// Microwire WRITE opcode (101b).
    static let microwireWriteOpcode: UInt8 = 0b101
    /// 82574L: SPI EEPROM whose size is 2^(EECD.SIZE_EX + 6) words, capped at
    /// 2^14, or — when EECD bits 16:15 = 11b — Flash with a 2048-word shadow
    /// RAM (Linux e1000e `e1000_init_nvm_params_82571`). Software reads words
    /// through EERD (layout `E1000EERD.i82574L`).
    static func wordCount82574L(eecd: UInt32) -> Int {
        if (eecd & E1000EECD.NVTYPE_MASK) >> E1000EECD.NVTYPE_SHIFT == 0b11 { return 2048 }
        let exponent = min(Int((eecd & E1000EECD.SIZE_EX_MASK) >> E1000EECD.SIZE_EX_SHIFT) + 6, 14)
        return 1 << exponent
    }
    /// 82574L flash-shadow word count (EECD bits 16:15 = 11b).
    static let flashShadowWords82574L = 2048

    // MARK: Image helpers

    /// Reads the MAC address from words 0–2.
    static func macAddress(from words: [UInt16]) -> [UInt8] {
        var mac: [UInt8] = []
        for i in ethernetAddressWords {
            let w = i < words.count ? words[i] : 0xFFFF
            mac.append(UInt8(truncatingIfNeeded: w))
            mac.append(UInt8(truncatingIfNeeded: w >> 8))
        }
        return mac
    }

    /// Builds a default, checksum-valid image.
    ///
    /// Words set: 0–2 MAC; 0x0B/0x0C subsystem IDs; 0x0D device ID; 0x0E vendor
    /// ID (82540EM only); the signature (ICW1 on the 82540EM, word 0x12 on the
    /// 82574L — unverified placement, see `signatureMask`); ICW2 = PAUSE|ASM_DIR
    /// on the 82540EM and 0 on the 82574L (keeps MNGM = 00b); 0x3F checksum.
    /// Every other word within 0x00–0x3F is 0x0000 (a modelling choice); words
    /// beyond 0x3F read as erased (0xFFFF).
    ///
    /// - Parameters:
    ///   - mac: six bytes, transmission order.
    ///   - deviceID: PCI device ID (0x100E or 0x10D3).
    ///   - chip: which controller's map to follow.
    ///   - subsystemVendorID: word 0x0C (default Intel 0x8086).
    ///   - subsystemID: word 0x0B (default: `deviceID`, as QEMU's e1000 does).
    ///   - wordCount: total words (≥ 64; 82540EM: 64 or 256).
    static func defaultImage(mac: [UInt8], deviceID: UInt16, chip: E1000Chip,
                                    subsystemVendorID: UInt16 = 0x8086,
                                    subsystemID: UInt16? = nil,
                                    wordCount: Int = 64) -> [UInt16] {
        precondition(mac.count == 6, "MAC address must be 6 bytes")
        precondition(wordCount >= checksummedWordCount, "image must cover words 0x00-0x3F")
        var words = [UInt16](repeating: 0x0000, count: checksummedWordCount)
        for i in 0..<3 {
            words[i] = UInt16(mac[2 * i]) | (UInt16(mac[2 * i + 1]) << 8)
        }
        words[subsystemIDWord] = subsystemID ?? deviceID
        words[subsystemVendorIDWord] = subsystemVendorID
        words[deviceIDWord] = deviceID
        switch chip {
        case .i82540EM:
            words[vendorIDWord82540EM] = 0x8086
            words[initializationControl1Word] = signatureValue
            words[initializationControl2Word] = icw2PauseMask
        case .i82574L:
            words[nvmConfigWord82574] = signatureValue
            words[initializationControl2Word] = 0x0000
        }
        words[checksumWordIndex] = checksumWord(for: words)
        if wordCount > checksummedWordCount {
            words += [UInt16](repeating: 0xFFFF, count: wordCount - checksummedWordCount)
        }
        return words
    }
}
