// ATA command set (ATA8-ACS) and the Serial ATA FIS formats the HBA exchanges with the disk
// (Serial ATA 2.6/3.x, "Frame Information Structure" chapter; AHCI 1.3.1 §4.2.1 for where they land).

/// ATA command opcodes used by the disk model (ATA8-ACS command descriptions).
enum ATACommand {
    /// READ DMA (28-bit).
    static let readDMA: UInt8 = 0xC8
    /// WRITE DMA (28-bit).
    static let writeDMA: UInt8 = 0xCA
    /// READ DMA EXT (48-bit).
    static let readDMAExt: UInt8 = 0x25
    /// WRITE DMA EXT (48-bit).
    static let writeDMAExt: UInt8 = 0x35
    /// WRITE DMA FUA EXT (48-bit, forced unit access).
    static let writeDMAFUAExt: UInt8 = 0x3D
    /// READ FPDMA QUEUED (NCQ).
    static let readFPDMAQueued: UInt8 = 0x60
    /// WRITE FPDMA QUEUED (NCQ).
    static let writeFPDMAQueued: UInt8 = 0x61
    /// READ LOG EXT (PIO data-in, General Purpose Logging).
    static let readLogExt: UInt8 = 0x2F
    /// READ LOG DMA EXT.
    static let readLogDMAExt: UInt8 = 0x47
    /// IDENTIFY DEVICE (PIO data-in, 512 bytes).
    static let identifyDevice: UInt8 = 0xEC
    /// FLUSH CACHE (28-bit).
    static let flushCache: UInt8 = 0xE7
    /// FLUSH CACHE EXT.
    static let flushCacheExt: UInt8 = 0xEA
    /// SET FEATURES.
    static let setFeatures: UInt8 = 0xEF
    /// SET MULTIPLE MODE.
    static let setMultipleMode: UInt8 = 0xC6
    /// CHECK POWER MODE.
    static let checkPowerMode: UInt8 = 0xE5
}

/// SET FEATURES subcommands (ATA8-ACS SET FEATURES, Features field).
enum SetFeaturesCode {
    /// Enable volatile write cache.
    static let enableWriteCache: UInt8 = 0x02
    /// Set transfer mode (Count = mode).
    static let setTransferMode: UInt8 = 0x03
    /// Enable a SATA feature.
    static let enableSATAFeature: UInt8 = 0x10
    /// Disable read look-ahead.
    static let disableReadLookAhead: UInt8 = 0x55
    /// Disable volatile write cache.
    static let disableWriteCache: UInt8 = 0x82
    /// Disable a SATA feature.
    static let disableSATAFeature: UInt8 = 0x90
    /// Enable read look-ahead.
    static let enableReadLookAhead: UInt8 = 0xAA
}

/// General Purpose Log addresses (ATA8-ACS, Log Address definitions).
enum ATALog {
    /// General Purpose Log Directory.
    static let directory: UInt8 = 0x00
    /// NCQ Command Error log.
    static let ncqCommandError: UInt8 = 0x10
}

/// ATA Status register bits.
enum ATAStatus {
    /// BSY — busy.
    static let bsy: UInt8 = 0x80
    /// DRDY — device ready.
    static let drdy: UInt8 = 0x40
    /// DF — device fault.
    static let df: UInt8 = 0x20
    /// DSC/bit 4 (obsolete seek complete; set by many devices).
    static let dsc: UInt8 = 0x10
    /// DRQ — data request.
    static let drq: UInt8 = 0x08
    /// ERR — error.
    static let err: UInt8 = 0x01
    /// A ready, idle device: DRDY | DSC.
    static let ready: UInt8 = drdy | dsc
}

/// ATA Error register bits.
enum ATAError {
    /// ICRC — interface CRC error.
    static let icrc: UInt8 = 0x80
    /// UNC — uncorrectable data error.
    static let unc: UInt8 = 0x40
    /// IDNF — ID not found (address outside the user-accessible capacity).
    static let idnf: UInt8 = 0x10
    /// ABRT — command aborted.
    static let abrt: UInt8 = 0x04
}

/// FIS type codes (Serial ATA, FIS types).
enum FISType {
    /// Register FIS — host to device.
    static let registerH2D: UInt8 = 0x27
    /// Register FIS — device to host.
    static let registerD2H: UInt8 = 0x34
    /// DMA Activate FIS.
    static let dmaActivate: UInt8 = 0x39
    /// DMA Setup FIS (bidirectional).
    static let dmaSetup: UInt8 = 0x41
    /// Data FIS.
    static let data: UInt8 = 0x46
    /// PIO Setup FIS.
    static let pioSetup: UInt8 = 0x5F
    /// Set Device Bits FIS.
    static let setDeviceBits: UInt8 = 0xA1
    /// The I (interrupt) bit in byte 1 of D2H, PIO Setup, DMA Setup and Set Device Bits FISes.
    static let interruptBit: UInt8 = 0x40
    /// The C (command) bit in byte 1 of an H2D Register FIS: 1 = Command register, 0 = Device Control.
    static let commandBit: UInt8 = 0x80
    /// Device Control register SRST bit (software reset).
    static let controlSRST: UInt8 = 0x04
}

/// The register contents an H2D Register FIS carries (a decoded command FIS).
struct TaskFile {
    /// Command register.
    var command: UInt8 = 0
    /// Features 15:0 (15:8 from byte 11).
    var features: UInt16 = 0
    /// LBA 47:0.
    var lba: UInt64 = 0
    /// Device register.
    var device: UInt8 = 0
    /// Count 15:0.
    var count: UInt16 = 0
    /// Device Control register.
    var control: UInt8 = 0
    /// The C bit: a command (true) or a Device Control update (false).
    var isCommand = true

    /// Decodes an H2D Register FIS from its first 20 bytes; nil if the type byte is not 27h.
    init?(fis p: UnsafeRawPointer) {
        guard p.load(as: UInt8.self) == FISType.registerH2D else { return nil }
        func b(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        isCommand = b(1) & FISType.commandBit != 0
        command = b(2)
        features = UInt16(b(3)) | UInt16(b(11)) << 8
        lba = UInt64(b(4)) | UInt64(b(5)) << 8 | UInt64(b(6)) << 16 | UInt64(b(8)) << 24 | UInt64(b(9)) << 32 | UInt64(b(10)) << 40
        device = b(7)
        count = UInt16(b(12)) | UInt16(b(13)) << 8
        control = b(15)
    }

    init() {}

    /// Encodes as an H2D Register FIS (20 bytes) — used by tests and tools.
    func encodedH2D() -> [UInt8] {
        var f = [UInt8](repeating: 0, count: 20)
        f[0] = FISType.registerH2D
        f[1] = isCommand ? FISType.commandBit : 0
        f[2] = command
        f[3] = UInt8(truncatingIfNeeded: features)
        f[4] = UInt8(truncatingIfNeeded: lba); f[5] = UInt8(truncatingIfNeeded: lba >> 8); f[6] = UInt8(truncatingIfNeeded: lba >> 16)
        f[7] = device
        f[8] = UInt8(truncatingIfNeeded: lba >> 24); f[9] = UInt8(truncatingIfNeeded: lba >> 32); f[10] = UInt8(truncatingIfNeeded: lba >> 40)
        f[11] = UInt8(truncatingIfNeeded: features >> 8)
        f[12] = UInt8(truncatingIfNeeded: count); f[13] = UInt8(truncatingIfNeeded: count >> 8)
        f[15] = control
        return f
    }

    /// LBA 27:0 of a 28-bit command (low nibble of Device holds bits 27:24).
    var lba28: UInt64 { lba & 0xFF_FFFF | UInt64(device & 0x0F) << 24 }
    /// Sector count of a 48-bit command (0 means 65536).
    var count48: Int { count == 0 ? 65536 : Int(count) }
    /// Sector count of a 28-bit command (0 means 256).
    var count28: Int { count & 0xFF == 0 ? 256 : Int(count & 0xFF) }
    /// Sector count of an FPDMA command, carried in Features (0 means 65536).
    var fpdmaCount: Int { features == 0 ? 65536 : Int(features) }
    /// NCQ tag of an FPDMA command: Count bits 7:3.
    var fpdmaTag: Int { Int(count >> 3 & 0x1F) }
    /// FUA bit of an FPDMA command (Device bit 7).
    var fua: Bool { device & 0x80 != 0 }
}

/// Builders of the FISes the device sends, written straight into the HBA's received-FIS buffer.
enum FIS {
    /// A D2H Register FIS (20 bytes).
    static func d2h(_ p: UnsafeMutableRawPointer, status: UInt8, error: UInt8, lba: UInt64, count: UInt16, interrupt: Bool) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 20)
        p.storeBytes(of: FISType.registerD2H, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: interrupt ? FISType.interruptBit : 0, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: status, toByteOffset: 2, as: UInt8.self)
        p.storeBytes(of: error, toByteOffset: 3, as: UInt8.self)
        storeLBA(p, lba)
        p.storeBytes(of: UInt8(truncatingIfNeeded: count), toByteOffset: 12, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: count >> 8), toByteOffset: 13, as: UInt8.self)
    }

    /// A PIO Setup FIS (20 bytes) for a device-to-host transfer of `bytes`.
    static func pioSetup(_ p: UnsafeMutableRawPointer, status: UInt8, endStatus: UInt8, bytes: Int, interrupt: Bool) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 20)
        p.storeBytes(of: FISType.pioSetup, toByteOffset: 0, as: UInt8.self)
        // byte 1: I (bit 6), D (bit 5, 1 = device to host).
        p.storeBytes(of: (interrupt ? FISType.interruptBit : 0) | 0x20, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: status, toByteOffset: 2, as: UInt8.self)
        p.storeBytes(of: endStatus, toByteOffset: 15, as: UInt8.self)
        p.storeBytes(of: UInt16(truncatingIfNeeded: bytes).littleEndian, toByteOffset: 16, as: UInt16.self)
    }

    /// A Set Device Bits FIS (8 bytes): Status-Hi (6:4) and Status-Lo (2:0), Error, SActive.
    static func setDeviceBits(_ p: UnsafeMutableRawPointer, status: UInt8, error: UInt8, sactive: UInt32, interrupt: Bool) {
        p.storeBytes(of: FISType.setDeviceBits, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: interrupt ? FISType.interruptBit : 0, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: status & 0x77, toByteOffset: 2, as: UInt8.self)
        p.storeBytes(of: error, toByteOffset: 3, as: UInt8.self)
        p.storeBytes(of: sactive.littleEndian, toByteOffset: 4, as: UInt32.self)
    }

    /// A DMA Setup FIS (28 bytes) for NCQ tag `tag` (auto-activate off, no interrupt).
    static func dmaSetup(_ p: UnsafeMutableRawPointer, tag: Int, toHost: Bool, bytes: Int) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 28)
        p.storeBytes(of: FISType.dmaSetup, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: toHost ? 0x20 : 0, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: UInt32(tag).littleEndian, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: bytes).littleEndian, toByteOffset: 20, as: UInt32.self)
    }

    private static func storeLBA(_ p: UnsafeMutableRawPointer, _ lba: UInt64) {
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba), toByteOffset: 4, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 8), toByteOffset: 5, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 16), toByteOffset: 6, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 24), toByteOffset: 8, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 32), toByteOffset: 9, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: lba >> 40), toByteOffset: 10, as: UInt8.self)
        p.storeBytes(of: 0x40, toByteOffset: 7, as: UInt8.self)   // Device: LBA mode
    }
}
