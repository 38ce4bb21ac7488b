import NativeDriverKit

/// ATA command opcodes the driver issues (ATA8-ACS).
enum ATACommand {
    /// IDENTIFY DEVICE (ATA8-ACS §7.16), PIO data-in of 512 bytes.
    static let identifyDevice: UInt8 = 0xEC
    /// READ DMA EXT (ATA8-ACS §7.25).
    static let readDMAExt: UInt8 = 0x25
    /// WRITE DMA EXT (ATA8-ACS §7.59).
    static let writeDMAExt: UInt8 = 0x35
    /// READ FPDMA QUEUED (ATA8-ACS §7.23).
    static let readFPDMAQueued: UInt8 = 0x60
    /// WRITE FPDMA QUEUED (ATA8-ACS §7.57).
    static let writeFPDMAQueued: UInt8 = 0x61
    /// FLUSH CACHE EXT (ATA8-ACS §7.15).
    static let flushCacheExt: UInt8 = 0xEA
    /// FLUSH CACHE (ATA8-ACS §7.14), for devices without the 48-bit flush.
    static let flushCache: UInt8 = 0xE7
    /// READ LOG EXT (ATA8-ACS §7.24).
    static let readLogExt: UInt8 = 0x2F
}

/// The ATA Status register (ATA8-ACS §6.2.11).
enum ATAStatus {
    /// ERR — an error occurred (bit 0).
    static let err: UInt8 = 1 << 0
    /// DF — Device Fault (bit 5).
    static let df: UInt8 = 1 << 5
}

/// The ATA Error register (ATA8-ACS §6.2.4).
enum ATAError {
    /// ABRT — command aborted (bit 2).
    static let abrt: UInt8 = 1 << 2
    /// IDNF — ID not found: the address is outside the user-addressable sectors (bit 4).
    static let idnf: UInt8 = 1 << 4
    /// UNC — uncorrectable data error (bit 6).
    static let unc: UInt8 = 1 << 6
    /// ICRC — interface CRC error (bit 7).
    static let icrc: UInt8 = 1 << 7
}

/// The Device register of 48-bit commands (ATA8-ACS §6.2.5).
enum ATADevice {
    /// Bit 6: LBA addressing (must be one in every 48-bit and FPDMA command).
    static let lba: UInt8 = 1 << 6
}

/// Field placement in READ/WRITE FPDMA QUEUED (ATA8-ACS §7.23.3, §7.57.3).
enum FPDMA {
    /// The tag lives in Count bits 7:3.
    static let tagShift: UInt16 = 3
}

/// General-purpose log addresses (ATA8-ACS §A.1).
enum ATALog {
    /// NCQ Command Error log (ATA8-ACS §A.14), log address 10h.
    static let ncqCommandError: UInt8 = 0x10
    /// Byte 0 of the NCQ Command Error log: bits 4:0 the failing tag.
    static let tagMask: UInt8 = 0x1F
    /// Byte 0 bit 7 — NQ: the error was on a non-queued command (the tag is not valid).
    static let nq: UInt8 = 1 << 7
}

/// Bytes per logical sector the driver supports.
let sectorSize = 512

/// The answer to IDENTIFY DEVICE (ATA8-ACS §7.16.7, Table 22), as the driver uses it.
public struct IdentifyData: Sendable, Equatable {
    /// Word 27–46: model number.
    public var model: String
    /// Words 10–19: serial number.
    public var serial: String
    /// Words 23–26: firmware revision.
    public var firmware: String
    /// Words 100–103 (or 60–61 without the 48-bit feature set): user-addressable sectors.
    public var sectors: UInt64
    /// Word 83 bit 10: the 48-bit Address feature set is supported.
    public var supportsLBA48: Bool
    /// Word 76 bit 8: Native Command Queuing is supported.
    public var supportsNCQ: Bool
    /// Word 75 bits 4:0 plus one: the NCQ queue depth.
    public var ncqDepth: Int
    /// Word 82 bit 5: a volatile write cache is supported.
    public var writeCacheSupported: Bool
    /// Word 85 bit 5: the volatile write cache is enabled.
    public var writeCacheEnabled: Bool
    /// Word 83 bit 13: FLUSH CACHE EXT is supported.
    public var supportsFlushCacheExt: Bool

    /// Parses the 256 little-endian words of IDENTIFY DEVICE data.
    init(words w: [UInt16]) {
        func string(_ range: ClosedRange<Int>) -> String {
            // ATA strings hold two characters per word, the first in the high byte (ATA8-ACS §3.3.10).
            var bytes: [UInt8] = []
            for i in range { bytes.append(UInt8(w[i] >> 8)); bytes.append(UInt8(w[i] & 0xFF)) }
            let printable = bytes.map { (0x20...0x7E).contains($0) ? $0 : 0x20 }
            var s = String(decoding: printable, as: UTF8.self)
            while s.hasSuffix(" ") { s.removeLast() }
            while s.hasPrefix(" ") { s.removeFirst() }
            return s
        }
        serial = string(10...19)
        firmware = string(23...26)
        model = string(27...46)
        supportsLBA48 = w[83] & (1 << 10) != 0
        let lba48 = UInt64(w[100]) | UInt64(w[101]) << 16 | UInt64(w[102]) << 32 | UInt64(w[103]) << 48
        let lba28 = UInt64(w[60]) | UInt64(w[61]) << 16
        sectors = supportsLBA48 ? lba48 : lba28
        supportsNCQ = w[76] & (1 << 8) != 0
        ncqDepth = Int(w[75] & 0x1F) + 1
        writeCacheSupported = w[82] & (1 << 5) != 0
        writeCacheEnabled = w[85] & (1 << 5) != 0
        supportsFlushCacheExt = w[83] & (1 << 13) != 0
    }
}

/// The NCQ Command Error log page (ATA8-ACS §A.14).
struct NCQErrorLog {
    /// The failing command's tag (valid when ``nonQueued`` is false).
    var tag: Int
    /// NQ: the error was on a non-queued command.
    var nonQueued: Bool
    /// ATA Status of the failing command.
    var status: UInt8
    /// ATA Error of the failing command.
    var error: UInt8
    /// The failing LBA.
    var lba: UInt64

    /// Reads the page from `buffer` at offset 0.
    init(from buffer: DMABuffer) {
        let b0 = buffer.load8(0)
        tag = Int(b0 & ATALog.tagMask)
        nonQueued = b0 & ATALog.nq != 0
        status = buffer.load8(2)
        error = buffer.load8(3)
        var lba: UInt64 = 0
        for (i, byte) in [4, 5, 6, 8, 9, 10].enumerated() { lba |= UInt64(buffer.load8(byte)) << UInt64(8 * i) }
        self.lba = lba
    }
}
