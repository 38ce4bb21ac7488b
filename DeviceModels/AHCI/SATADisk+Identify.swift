import BoxlessPlatform

// IDENTIFY DEVICE data and General Purpose Log pages (ATA8-ACS, IDENTIFY DEVICE data table;
// General Purpose Log Directory; NCQ Command Error log).

/// IDENTIFY DEVICE word numbers (ATA8-ACS IDENTIFY DEVICE data).
enum IdentifyWord {
    static let generalConfiguration = 0
    static let obsoleteCylinders = 1
    static let obsoleteHeads = 3
    static let obsoleteSectorsPerTrack = 6
    static let serialNumber = 10          // words 10–19, 20 ASCII characters
    static let firmwareRevision = 23      // words 23–26, 8 characters
    static let modelNumber = 27           // words 27–46, 40 characters
    static let maxSectorsPerDRQ = 47
    static let capabilities = 49
    static let capabilities2 = 50
    static let validFields = 53
    static let multipleSetting = 59
    static let lba28Capacity = 60         // words 60–61
    static let multiwordDMA = 63
    static let pioModes = 64
    static let cycleTimes = 65            // words 65–68
    static let queueDepth = 75
    static let sataCapabilities = 76
    static let majorVersion = 80
    static let commandSetsSupported1 = 82
    static let commandSetsSupported2 = 83
    static let commandSetsSupported3 = 84
    static let commandSetsEnabled1 = 85
    static let commandSetsEnabled2 = 86
    static let commandSetsEnabled3 = 87
    static let ultraDMA = 88
    static let lba48Capacity = 100        // words 100–103
    static let sectorSize = 106
    static let rotationRate = 217
    static let integrity = 255
}

extension SATADisk {
    /// Fills `p` (512 bytes) with IDENTIFY DEVICE data.
    func identify(into p: UnsafeMutableRawPointer) {
        var w = [UInt16](repeating: 0, count: 256)
        w[IdentifyWord.generalConfiguration] = 0x0040                       // ATA device (bit 15 = 0), fixed
        let cap = sectorCount
        w[IdentifyWord.obsoleteCylinders] = UInt16(min(16383, cap / (16 * 63)))
        w[IdentifyWord.obsoleteHeads] = 16
        w[IdentifyWord.obsoleteSectorsPerTrack] = 63
        Self.putString(serial, &w, IdentifyWord.serialNumber, words: 10)
        Self.putString(firmware, &w, IdentifyWord.firmwareRevision, words: 4)
        Self.putString(model, &w, IdentifyWord.modelNumber, words: 20)
        w[IdentifyWord.maxSectorsPerDRQ] = 0x8010                           // 80h in 15:8, 16 sectors per DRQ block
        w[IdentifyWord.capabilities] = 0x0F00                               // IORDY, IORDY may be disabled, LBA, DMA
        w[IdentifyWord.capabilities2] = 0x4000                              // bit 14 shall be one
        w[IdentifyWord.validFields] = 0x0006                                // words 64–70 and 88 valid
        w[IdentifyWord.multipleSetting] = 0x0110                            // multiple setting valid, 16
        let c28 = UInt32(min(cap, 0x0FFF_FFFF))
        w[IdentifyWord.lba28Capacity] = UInt16(c28 & 0xFFFF)
        w[IdentifyWord.lba28Capacity + 1] = UInt16(c28 >> 16)
        w[IdentifyWord.multiwordDMA] = 0x0007                               // MWDMA 0–2 supported
        w[IdentifyWord.pioModes] = 0x0003                                   // PIO 3–4 supported
        for i in 0..<4 { w[IdentifyWord.cycleTimes + i] = 120 }
        w[IdentifyWord.queueDepth] = UInt16(AHCIController.queueDepth - 1)  // NCQ queue depth − 1 (31)
        // SATA capabilities: NCQ supported (bit 8); Gen1 (1), Gen2 (2), Gen3 (3) as far as the link allows.
        var sata: UInt16 = 1 << 8
        for s in SATALinkSpeed.allCases where s.rawValue <= linkSpeed.rawValue { sata |= 1 << UInt16(s.rawValue) }
        w[IdentifyWord.sataCapabilities] = sata
        w[IdentifyWord.majorVersion] = 0x01F0                               // ATA/ATAPI-4 … ATA8-ACS
        // Supported: write cache (82.5); bit 14 set / FLUSH CACHE EXT (83.13) / FLUSH CACHE (83.12) /
        // 48-bit Address (83.10); bit 14 set / General Purpose Logging (84.5).
        w[IdentifyWord.commandSetsSupported1] = 1 << 5
        w[IdentifyWord.commandSetsSupported2] = 1 << 14 | 1 << 13 | 1 << 12 | 1 << 10
        w[IdentifyWord.commandSetsSupported3] = 1 << 14 | 1 << 5
        w[IdentifyWord.commandSetsEnabled1] = writeCacheEnabled ? 1 << 5 : 0
        w[IdentifyWord.commandSetsEnabled2] = 1 << 13 | 1 << 12 | 1 << 10
        w[IdentifyWord.commandSetsEnabled3] = 1 << 14 | 1 << 5
        w[IdentifyWord.ultraDMA] = 0x407F                                   // UDMA 0–6 supported, mode 6 selected
        for i in 0..<4 { w[IdentifyWord.lba48Capacity + i] = UInt16(truncatingIfNeeded: cap >> (16 * UInt64(i))) }
        w[IdentifyWord.sectorSize] = 0x4000                                 // valid; one 512-byte logical per physical
        w[IdentifyWord.rotationRate] = profile.isRotating ? UInt16(profile.rpm) : 0x0001   // 1 = non-rotating
        // Integrity word: signature A5h and a checksum making all 512 bytes sum to zero.
        w[IdentifyWord.integrity] = 0x00A5
        var sum: UInt8 = 0
        for i in 0..<255 { sum &+= UInt8(w[i] & 0xFF) &+ UInt8(w[i] >> 8) }
        sum &+= 0xA5
        w[IdentifyWord.integrity] |= UInt16(0 &- sum) << 8
        for i in 0..<256 { p.storeBytes(of: w[i].littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
    }

    /// ATA strings: two characters per word, the first in the high byte; padded with spaces.
    static func putString(_ s: String, _ w: inout [UInt16], _ first: Int, words: Int) {
        var chars = Array(s.utf8.prefix(words * 2).map { $0 < 0x20 || $0 > 0x7E ? UInt8(ascii: "?") : $0 })
        while chars.count < words * 2 { chars.append(UInt8(ascii: " ")) }
        for i in 0..<words { w[first + i] = UInt16(chars[2 * i]) << 8 | UInt16(chars[2 * i + 1]) }
    }

    /// Fills `p` (512 × `pages` bytes) with General Purpose Log `address` starting at `page`;
    /// ABRT for logs the disk does not keep. Reading page 0 of the NCQ Command Error log clears the
    /// NCQ error condition (ATA8-ACS, NCQ error handling).
    func readLog(address: UInt8, page: Int, pages: Int, into p: UnsafeMutableRawPointer) -> Outcome {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: pages * 512)
        switch address {
        case ATALog.directory:
            guard page == 0, pages >= 1 else { return .fail(ATAError.abrt) }
            p.storeBytes(of: UInt16(1).littleEndian, toByteOffset: 0, as: UInt16.self)          // GPL version 1
            p.storeBytes(of: UInt16(1).littleEndian, toByteOffset: 2 * Int(ATALog.ncqCommandError), as: UInt16.self)
        case ATALog.ncqCommandError:
            guard page == 0, pages >= 1 else { return .fail(ATAError.abrt) }
            if let e = ncqError {
                // Byte 0: NQ (bit 7) and the tag (4:0); 2 Status; 3 Error; 4–10 LBA and Device; 12–13 Count.
                p.storeBytes(of: e.tag.map { UInt8($0) } ?? 0x80, toByteOffset: 0, as: UInt8.self)
                p.storeBytes(of: e.status, toByteOffset: 2, as: UInt8.self)
                p.storeBytes(of: e.error, toByteOffset: 3, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba), toByteOffset: 4, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba >> 8), toByteOffset: 5, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba >> 16), toByteOffset: 6, as: UInt8.self)
                p.storeBytes(of: 0x40, toByteOffset: 7, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba >> 24), toByteOffset: 8, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba >> 32), toByteOffset: 9, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.lba >> 40), toByteOffset: 10, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.count), toByteOffset: 12, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: e.count >> 8), toByteOffset: 13, as: UInt8.self)
            } else {
                p.storeBytes(of: 0x80, toByteOffset: 0, as: UInt8.self)   // NQ: no queued command failed
            }
            ncqError = nil
        default:
            return .fail(ATAError.abrt)
        }
        if address == ATALog.ncqCommandError {
            // Byte 511: checksum making the page's 512 bytes sum to zero (mod 256).
            var sum: UInt8 = 0
            for i in 0..<511 { sum &+= p.load(fromByteOffset: i, as: UInt8.self) }
            p.storeBytes(of: 0 &- sum, toByteOffset: 511, as: UInt8.self)
        }
        return .ok
    }
}
