import NativeDriverKit

/// The 93C46 read through 9346CR (DS §5.11 EEM = 10b, EECS/EESK/EEDI/EEDO; 93C46 READ: start bit,
/// opcode 10b, 6 address bits, then 16 data bits MSB first, each valid after a rising SK edge).
extension RTL8139Driver {
    /// EEPROM words 7–9 hold the station address, low byte first (DS §7).
    func readStationAddress() -> MACAddress {
        let w = (7...9).map { readEEPROM(word: $0) }
        return MACAddress(UInt8(w[0] & 0xFF), UInt8(w[0] >> 8), UInt8(w[1] & 0xFF), UInt8(w[1] >> 8),
                          UInt8(w[2] & 0xFF), UInt8(w[2] >> 8))
    }

    /// Reads one 16-bit word.
    func readEEPROM(word: Int) -> UInt16 {
        let select = CR9346.EEM_PROGRAM | CR9346.EECS
        func pins(_ v: UInt8) {
            regs.write8(Reg.CR9346, v)
            context.delay(.nanoseconds(500))      // ≥ 250 ns SK high/low (93C46 at 2 MHz)
        }
        pins(CR9346.EEM_PROGRAM)
        pins(select)
        // Start bit 1, opcode 10b, address A5…A0.
        let command = UInt32(0b110) << 6 | UInt32(word & 0x3F)
        for i in stride(from: 8, through: 0, by: -1) {
            let di: UInt8 = command >> UInt32(i) & 1 != 0 ? CR9346.EEDI : 0
            pins(select | di)
            pins(select | di | CR9346.EESK)
        }
        pins(select)
        var value: UInt16 = 0
        for _ in 0..<16 {
            pins(select | CR9346.EESK)
            value = value << 1 | UInt16(regs.read8(Reg.CR9346) & CR9346.EEDO)
            pins(select)
        }
        pins(CR9346.EEM_PROGRAM)                   // CS low ends the read
        regs.write8(Reg.CR9346, CR9346.EEM_NORMAL)
        return value
    }
}
