import NativeDriverKit

/// The WBX-100's registers and bits, as its datasheet (README.md) gives them. The driver keeps its
/// own copy: it is written from the datasheet, never from the model.
enum Reg {
    static let CTRL = 0x00, STATUS = 0x04, ICR = 0x08, IMR = 0x0C
    static let RDBAL = 0x10, RDBAH = 0x14, RDLEN = 0x18, RDH = 0x1C, RDT = 0x20
    static let TDBAL = 0x30, TDBAH = 0x34, TDLEN = 0x38, TDH = 0x3C, TDT = 0x40
    static let RAL = 0x50, RAH = 0x54
    static let MPC = 0x60, ROC = 0x64, CRCERRS = 0x68
}

/// Register bits (datasheet §3, §4.4).
enum Bit {
    static let RXEN: UInt32 = 1 << 0, TXEN: UInt32 = 1 << 1, RST: UInt32 = 1 << 31
    static let LU: UInt32 = 1 << 0
    static let RXDW: UInt32 = 1 << 0, TXDW: UInt32 = 1 << 1, LSC: UInt32 = 1 << 2, RXO: UInt32 = 1 << 3
    static let allCauses: UInt32 = RXDW | TXDW | LSC | RXO
    static let DD: UInt8 = 1 << 0, EOP: UInt8 = 1 << 1
}

/// Descriptor layout (datasheet §4.4).
enum Desc {
    static let size = 16, addr = 0, length = 8, status = 10
    static let bufferSize = 2048
    static let maximumFrame = 1518
}
