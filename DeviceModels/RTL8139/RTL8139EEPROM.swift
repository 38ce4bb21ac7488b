/// The 93C46 serial EEPROM behind 9346CR (RTL8139C(L) datasheet §5.11, §7 "EEPROM (93C46)
/// Contents"; the 93C46 Microwire protocol: start bit, 2 opcode bits, 6 address bits, MSB first,
/// sampled on the rising edge of SK; a read answers a dummy 0 then D15…D0, one bit per rising edge,
/// and continues with the next word while CS stays high).
///
/// 64 words. Word 0 is the 8129h signature 8139too checks, words 1–4 the PCI IDs, words 7–9 the
/// station address (low byte first), which the chip auto-loads into IDR0–5.
struct RTL8139EEPROM {
    /// The 64 words.
    private(set) var words: [UInt16]
    private var selected = false
    private var clock = false
    private var writeEnabled = false
    private var state = State.idle
    private var shift: UInt32 = 0
    private var bits = 0
    private var address = 0
    /// The EEDO pin.
    private(set) var dataOut = true

    private enum State { case idle, command, reading(bit: Int), writing }

    /// Words 7–9: station address.
    static let stationAddressWord = 7
    /// The signature in word 0.
    static let signature: UInt16 = 0x8129

    init(mac: [UInt8], chip: RTL8139Chip) {
        var w = [UInt16](repeating: 0, count: 64)
        w[0] = Self.signature
        w[1] = RTL8139Chip.vendorID; w[2] = RTL8139Chip.deviceID
        w[3] = RTL8139Chip.vendorID; w[4] = RTL8139Chip.deviceID
        for i in 0..<3 { w[Self.stationAddressWord + i] = UInt16(mac[2 * i]) | UInt16(mac[2 * i + 1]) << 8 }
        words = w
    }

    /// The station address the words hold (what the auto-load puts into IDR0–5).
    var stationAddress: [UInt8] {
        (0..<3).flatMap { i -> [UInt8] in
            let v = words[Self.stationAddressWord + i]
            return [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
    }

    /// Drives the pins from a 9346CR write in programming mode (EEM = 10b).
    mutating func drive(cs: Bool, sk: Bool, di: Bool) {
        defer { clock = sk }
        if !cs {
            if selected, case .writing = state, writeEnabled { words[address] = UInt16(truncatingIfNeeded: shift) }
            selected = false; state = .idle; dataOut = true
            return
        }
        if !selected { selected = true; state = .command; shift = 0; bits = 0 }
        guard sk, !clock else { return }     // rising edge of SK
        switch state {
        case .idle: break
        case .command:
            if bits == 0 && !di { return }   // leading zeros before the start bit
            shift = shift << 1 | (di ? 1 : 0)
            bits += 1
            guard bits == 9 else { return }  // start + 2 opcode + 6 address bits
            let opcode = (shift >> 6) & 3
            address = Int(shift & 0x3F)
            switch opcode {
            case 2: state = .reading(bit: -1); dataOut = false            // READ: dummy 0 first
            case 1: state = .writing; shift = 0; bits = 0                  // WRITE
            case 3: if writeEnabled { words[address] = 0xFFFF }; state = .idle   // ERASE
            default:
                switch address >> 4 {
                case 3: writeEnabled = true                                 // EWEN
                case 0: writeEnabled = false                                // EWDS
                default: break                                              // ERAL / WRAL: not modelled
                }
                state = .idle
            }
        case .reading(let bit):
            let next = bit + 1
            if next == 16 { address = (address + 1) & 0x3F; state = .reading(bit: 0); dataOut = words[address] & 0x8000 != 0; return }
            state = .reading(bit: next)
            dataOut = words[address] >> UInt16(15 - next) & 1 != 0
        case .writing:
            if bits < 16 { shift = shift << 1 | (di ? 1 : 0); bits += 1 }
        }
    }

    /// Leaves programming mode (EEM changed away from 10b): the EEPROM is deselected.
    mutating func release() { drive(cs: false, sk: false, di: false) }
}
