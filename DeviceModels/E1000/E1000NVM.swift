import BoxlessPlatform

/// The serial EEPROM behind EECD and EERD (SDM §5, §13.4.3–13.4.4; 82574 DS NVM chapter).
///
/// The 82540EM carries a 64-word Microwire part (EECD.EE_SIZE = 0: 6 address bits, SDM §5 / Linux
/// `e1000_init_eeprom_params`); the 82574L a 256-word SPI part with 16-bit addressing (EECD.SIZE_EX =
/// 2, ADDR_BITS = 1). Words 0x00–0x3F sum to 0xBABA. Software reads a word either through EERD
/// (DONE after ``E1000ModelTiming/eepromRead(_:)``) or by driving SK/CS/DI and sampling DO in EECD
/// after EE_REQ was granted (SDM §5.3.1). Only READ (Microwire 110b, SPI 03h) and SPI RDSR are
/// decoded; writes to the EEPROM are not modelled.
struct E1000NVM {
    let chip: E1000Chip
    /// The image.
    var words: [UInt16]
    /// EECD bits software owns: SK, CS, DI, FWE, EE_REQ.
    var eecdSoftware: UInt32 = 0
    /// The DO pin.
    var dataOut = false
    /// EERD as last written, and when its read completes.
    var eerd: UInt32 = 0
    var eerdDoneAt: VirtualTime = .zero
    var eerdBusy = false

    // Bit-bang decoder state.
    private var shiftIn: UInt32 = 0
    private var bitsIn = 0
    private var started = false
    private var reading = false
    private var readAddress = 0
    private var outBits: UInt32 = 0
    private var outCount = 0
    private var statusRead = false

    init(chip: E1000Chip, mac: [UInt8], deviceID: UInt16) {
        self.chip = chip
        words = E1000EEPROM.defaultImage(mac: mac, deviceID: deviceID, chip: chip,
                                         wordCount: chip == .i82540EM ? 64 : 256)
    }

    /// The word at `address` (erased 0xFFFF beyond the part).
    func word(_ address: Int) -> UInt16 { address < words.count ? words[address] : 0xFFFF }

    /// Address bits of the part: 6 (Microwire, 64 words) or 16 (SPI).
    var addressBits: Int { chip == .i82540EM ? 6 : 16 }

    /// EECD as software reads it.
    var eecd: UInt32 {
        var v = eecdSoftware & (E1000EECD.SK.rawValue | E1000EECD.CS.rawValue | E1000EECD.DI.rawValue
                                | E1000EECD.FWE_MASK | E1000EECD.EE_REQ.rawValue)
        if dataOut { v |= E1000EECD.DO.rawValue }
        if v & E1000EECD.EE_REQ.rawValue != 0 { v |= E1000EECD.EE_GNT.rawValue }   // granted at once: no auto-read runs
        v |= E1000EECD.EE_PRES.rawValue
        if chip == .i82574L {
            v |= E1000EECD.AUTO_RD.rawValue | E1000EECD.ADDR_BITS.rawValue | 2 << E1000EECD.SIZE_EX_SHIFT
        }
        return v
    }

    /// Whether software holds the EEPROM pins (EE_REQ set and so granted).
    var granted: Bool { eecdSoftware & E1000EECD.EE_REQ.rawValue != 0 }

    /// Chip select as the EEPROM sees it: Microwire CS is active high, SPI CS# active low (Linux drives
    /// EECD.CS low to select an SPI part).
    private func selected(_ v: UInt32) -> Bool {
        let cs = v & E1000EECD.CS.rawValue != 0
        return chip == .i82540EM ? cs : !cs
    }

    /// Software wrote EECD.
    mutating func writeEECD(_ value: UInt32) {
        let old = eecdSoftware
        eecdSoftware = value
        guard granted else { return }
        if !selected(value) { resetDecoder(); return }
        if !selected(old) { resetDecoder() }
        let rising = old & E1000EECD.SK.rawValue == 0 && value & E1000EECD.SK.rawValue != 0
        guard rising else { return }
        clock(di: value & E1000EECD.DI.rawValue != 0)
    }

    private mutating func resetDecoder() {
        shiftIn = 0; bitsIn = 0; started = false; reading = false; outCount = 0; statusRead = false
        dataOut = chip == .i82574L ? false : dataOut
    }

    /// One rising SK edge with DI = `di`.
    private mutating func clock(di: Bool) {
        if reading || statusRead {
            if outCount == 0 {
                if statusRead { outBits = 0; outCount = 8 }   // RDSR: ready, writes disabled
                else {
                    // Sequential read: the next word (Microwire) or byte pair (SPI) follows.
                    let w = word(readAddress % max(words.count, 1))
                    outBits = chip == .i82540EM ? UInt32(w) : UInt32(w & 0xFF) << 8 | UInt32(w >> 8)
                    outCount = 16
                    readAddress += 1
                }
            }
            outCount -= 1
            dataOut = outBits >> UInt32(outCount) & 1 != 0
            return
        }
        if chip == .i82540EM {
            // Microwire: start bit (leading zeros ignored), 2 opcode bits, 6 address bits; then a dummy 0.
            if !started { if di { started = true; shiftIn = 1; bitsIn = 1 }; return }
            shiftIn = shiftIn << 1 | (di ? 1 : 0); bitsIn += 1
            if bitsIn == 3 + addressBits {
                let opcode = shiftIn >> UInt32(addressBits)
                if opcode == UInt32(E1000EEPROM.microwireReadOpcode) {
                    reading = true
                    readAddress = Int(shiftIn & ((1 << UInt32(addressBits)) - 1))
                    dataOut = false
                }
            }
        } else {
            // SPI: 8-bit opcode, then 16 address bits for READ (03h); RDSR (05h) answers at once.
            shiftIn = shiftIn << 1 | (di ? 1 : 0); bitsIn += 1
            if bitsIn == 8 && shiftIn & 0xFF == 0x05 { statusRead = true; return }
            if bitsIn == 8 + addressBits, shiftIn >> UInt32(addressBits) & 0xFF == 0x03 {
                reading = true
                readAddress = Int(shiftIn & 0xFFFF) / 2
            }
        }
    }

    /// Software wrote EERD: a read starts when START is set.
    mutating func writeEERD(_ value: UInt32, now: VirtualTime) {
        let layout = E1000EERD.layout(for: chip)
        eerd = value & ~layout.doneBit & 0xFFFF
        if value & layout.startBit != 0 {
            eerdBusy = true
            eerdDoneAt = now + E1000ModelTiming.eepromRead(chip)
        }
    }

    /// EERD as software reads it now.
    func readEERD(now: VirtualTime) -> UInt32 {
        let layout = E1000EERD.layout(for: chip)
        guard eerdBusy else { return eerd }
        guard now >= eerdDoneAt else { return eerd }
        let address = layout.address(eerd)
        return layout.completed(address: address, word: word(Int(address)))
    }
}
