// E1000 DMA descriptor layouts (16 bytes each, little-endian in host memory).
// Legacy Rx: 8254x SDM §3.2.3 Table 3-1. Legacy Tx: SDM §3.3.3 Tables 3-8,
// 3-10, 3-11. TCP/IP context: SDM §3.3.6 Tables 3-13, 3-15, 3-16. TCP/IP data:
// SDM §3.3.7 Table 3-17, §3.3.7.1–§3.3.7.3. 82574 extended Rx: Linux e1000e /
// QEMU `union e1000_rx_desc_extended` (82574 datasheet not read; see FACTS.md).
//
// Every descriptor converts to and from `E1000RawDescriptor`, i.e. the pair
// (quadword at byte 0, quadword at byte 8), each quadword little-endian.

/// A raw 16-byte descriptor: `low` holds bytes 0–7 and `high` bytes 8–15,
/// each interpreted little-endian (the devices are little-endian; SDM §3).
struct E1000RawDescriptor: Sendable, Hashable {
    /// Size of every E1000 descriptor in bytes (SDM §3.2.3 / §3.3: 16 bytes).
    static let size = 16

    /// Bytes 0–7, little-endian.
    var low: UInt64
    /// Bytes 8–15, little-endian.
    var high: UInt64

    /// Creates a descriptor from its two little-endian quadwords.
    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// Creates a descriptor from a `(low, high)` pair.
    init(_ words: (UInt64, UInt64)) {
        self.init(low: words.0, high: words.1)
    }

    /// The `(low, high)` pair.
    var words: (UInt64, UInt64) { (low, high) }

    /// Decodes 16 bytes as they appear in host memory; nil unless exactly 16.
    init?(bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        for i in 0..<8 {
            lo |= UInt64(bytes[i]) << (8 * UInt64(i))
            hi |= UInt64(bytes[8 + i]) << (8 * UInt64(i))
        }
        self.init(low: lo, high: hi)
    }

    /// The 16 bytes as they appear in host memory.
    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(i)))
        }
        return out
    }

    /// The byte at `offset` (0–15).
    func byte(at offset: Int) -> UInt8 {
        precondition((0..<Self.size).contains(offset), "descriptor byte offset out of range")
        let word = offset < 8 ? low : high
        return UInt8(truncatingIfNeeded: word >> (8 * UInt64(offset % 8)))
    }

    /// The little-endian 16-bit field at byte `offset` (must not straddle byte 8).
    func u16(at offset: Int) -> UInt16 {
        UInt16(byte(at: offset)) | (UInt16(byte(at: offset + 1)) << 8)
    }

    /// The little-endian 32-bit field at byte `offset` (0, 4, 8 or 12).
    func u32(at offset: Int) -> UInt32 {
        precondition(offset % 4 == 0 && (0..<Self.size).contains(offset), "unaligned dword")
        let word = offset < 8 ? low : high
        return UInt32(truncatingIfNeeded: word >> (offset % 8 == 0 ? 0 : 32))
    }
}

/// Packs little-endian fields into a quadword: `parts` are (value, byte offset, width in bytes).
@inline(__always)
private func e1000Pack(_ parts: [(UInt64, Int, Int)]) -> UInt64 {
    var q: UInt64 = 0
    for (value, offset, width) in parts {
        let mask: UInt64 = width >= 8 ? ~0 : (UInt64(1) << (8 * UInt64(width))) - 1
        q |= (value & mask) << (8 * UInt64(offset))
    }
    return q
}

// MARK: - Legacy receive descriptor

/// Legacy receive descriptor (RDESC), 8254x SDM §3.2.3 Table 3-1; also the
/// 82574's legacy format (selected when RFCTL.EXTEN = 0 and RCTL.DTYP = 00b).
///
/// Layout: bytes 0–7 buffer address; 8–9 length; 10–11 packet checksum;
/// 12 status; 13 errors; 14–15 special (VLAN tag). Hardware writes 8–15.
struct E1000RxDescriptorLegacy: Sendable, Hashable {
    /// Descriptor size in bytes.
    static let size = 16
    /// Byte offset of the buffer address field.
    static let bufferAddressOffset = 0
    /// Byte offset of the length field.
    static let lengthOffset = 8
    /// Byte offset of the packet checksum field.
    static let checksumOffset = 10
    /// Byte offset of the status byte.
    static let statusOffset = 12
    /// Byte offset of the errors byte.
    static let errorsOffset = 13
    /// Byte offset of the special (VLAN) field.
    static let specialOffset = 14

    /// RDESC.STATUS bits (SDM §3.2.3.1).
    struct Status: OptionSet, Sendable, Hashable {
        /// The raw status byte.
        let rawValue: UInt8
        /// Wraps a raw status byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// DD — Descriptor Done (bit 0).
        static let DD = Status(rawValue: 1 << 0)
        /// EOP — End of Packet (bit 1).
        static let EOP = Status(rawValue: 1 << 1)
        /// IXSM — Ignore Checksum Indication (bit 2).
        static let IXSM = Status(rawValue: 1 << 2)
        /// VP — Packet is 802.1Q (VLAN tag stripped into `special`) (bit 3).
        static let VP = Status(rawValue: 1 << 3)
        /// UDPCS — UDP checksum calculated (bit 4), 82574 (reserved on 8254x).
        static let UDPCS = Status(rawValue: 1 << 4)
        /// TCPCS — TCP (or UDP on 82574) checksum calculated (bit 5).
        static let TCPCS = Status(rawValue: 1 << 5)
        /// IPCS — IPv4 header checksum calculated (bit 6).
        static let IPCS = Status(rawValue: 1 << 6)
        /// PIF — Passed in-exact filter (bit 7).
        static let PIF = Status(rawValue: 1 << 7)
    }

    /// RDESC.ERRORS bits (SDM §3.2.3.2).
    struct Errors: OptionSet, Sendable, Hashable {
        /// The raw errors byte.
        let rawValue: UInt8
        /// Wraps a raw errors byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// CE — CRC or alignment error (bit 0).
        static let CE = Errors(rawValue: 1 << 0)
        /// SE — Symbol error (bit 1), TBI mode.
        static let SE = Errors(rawValue: 1 << 1)
        /// SEQ — Sequence error (bit 2), TBI mode.
        static let SEQ = Errors(rawValue: 1 << 2)
        /// CXE — Carrier extension error (bit 4).
        static let CXE = Errors(rawValue: 1 << 4)
        /// TCPE — TCP/UDP checksum error (bit 5).
        static let TCPE = Errors(rawValue: 1 << 5)
        /// IPE — IP checksum error (bit 6).
        static let IPE = Errors(rawValue: 1 << 6)
        /// RXE — Rx data error (bit 7).
        static let RXE = Errors(rawValue: 1 << 7)
        /// Frame errors that make a driver drop the packet (Linux
        /// `E1000_RXD_ERR_FRAME_ERR_MASK`: CE | SE | SEQ | CXE | RXE).
        static let frameErrors: Errors = [.CE, .SE, .SEQ, .CXE, .RXE]
    }

    /// Buffer address (bytes 0–7), written by software.
    var bufferAddress: UInt64
    /// Length of data DMA'd into the buffer (bytes 8–9).
    var length: UInt16
    /// Unadjusted 16-bit ones-complement packet checksum from RXCSUM.PCSS (bytes 10–11).
    var checksum: UInt16
    /// Status (byte 12).
    var status: Status
    /// Errors (byte 13).
    var errors: Errors
    /// Special: 802.1Q tag — VLAN ID bits 11:0, CFI bit 12, PRI bits 15:13 (bytes 14–15).
    var special: UInt16

    /// Creates a descriptor.
    init(bufferAddress: UInt64 = 0, length: UInt16 = 0, checksum: UInt16 = 0,
                status: Status = [], errors: Errors = [], special: UInt16 = 0) {
        self.bufferAddress = bufferAddress
        self.length = length
        self.checksum = checksum
        self.status = status
        self.errors = errors
        self.special = special
    }

    /// Decodes from the raw 16 bytes.
    init(raw: E1000RawDescriptor) {
        bufferAddress = raw.low
        length = raw.u16(at: Self.lengthOffset)
        checksum = raw.u16(at: Self.checksumOffset)
        status = Status(rawValue: raw.byte(at: Self.statusOffset))
        errors = Errors(rawValue: raw.byte(at: Self.errorsOffset))
        special = raw.u16(at: Self.specialOffset)
    }

    /// Decodes from `(low, high)` quadwords.
    init(_ words: (UInt64, UInt64)) { self.init(raw: E1000RawDescriptor(words)) }

    /// Encodes to the raw 16 bytes.
    var raw: E1000RawDescriptor {
        E1000RawDescriptor(low: bufferAddress, high: e1000Pack([
            (UInt64(length), 0, 2), (UInt64(checksum), 2, 2),
            (UInt64(status.rawValue), 4, 1), (UInt64(errors.rawValue), 5, 1),
            (UInt64(special), 6, 2),
        ]))
    }

    /// Encodes to `(low, high)` quadwords.
    var words: (UInt64, UInt64) { raw.words }

    /// VLAN ID (special bits 11:0).
    var vlanID: UInt16 { special & 0x0FFF }
    /// CFI (special bit 12).
    var cfi: Bool { special & 0x1000 != 0 }
    /// Priority (special bits 15:13).
    var priority: UInt16 { special >> 13 }
}

// MARK: - Extended receive descriptor (82574)

/// 82574 extended receive descriptor, used when RFCTL.EXTEN = 1 and
/// RCTL.DTYP = 00b. Layout per Linux/QEMU `union e1000_rx_desc_extended`.
///
/// Read format (software → hardware): bytes 0–7 buffer address, bytes 8–15
/// reserved (software writes 0 so DD reads as 0).
/// Write-back format (hardware → software): dword 0 MRQ (RSS type bits 3:0;
/// QEMU places the RSS queue at bit 8); dword 1 either the RSS hash
/// (RXCSUM.PCSD = 1) or IP identification (bytes 4–5) + packet checksum
/// (bytes 6–7) (PCSD = 0); dword 2 extended status (bits 19:0) and extended
/// errors (bits 31:20); bytes 12–13 length; bytes 14–15 VLAN tag.
struct E1000RxDescriptorExtended: Sendable, Hashable {
    /// Descriptor size in bytes.
    static let size = 16
    /// Write-back byte offset of the MRQ dword.
    static let mrqOffset = 0
    /// Write-back byte offset of the RSS hash / IP-ID+checksum dword.
    static let rssOrChecksumOffset = 4
    /// Write-back byte offset of the IP identification (PCSD = 0).
    static let ipIDOffset = 4
    /// Write-back byte offset of the packet checksum (PCSD = 0).
    static let checksumOffset = 6
    /// Write-back byte offset of the extended status/error dword.
    static let statusErrorOffset = 8
    /// Write-back byte offset of the length.
    static let lengthOffset = 12
    /// Write-back byte offset of the VLAN tag.
    static let vlanOffset = 14

    /// Extended status bits (low bits of the status/error dword).
    /// DD/EOP/VP/UDPCS/TCPCS/IPCS/PIF share positions with the legacy status
    /// byte (Linux `E1000_RXD_STAT_*`).
    struct Status: OptionSet, Sendable, Hashable {
        /// The raw status/error dword (only status bits are named here).
        let rawValue: UInt32
        /// Wraps a raw dword.
        init(rawValue: UInt32) { self.rawValue = rawValue }
        /// DD — Descriptor Done (bit 0).
        static let DD = Status(rawValue: 1 << 0)
        /// EOP — End of Packet (bit 1).
        static let EOP = Status(rawValue: 1 << 1)
        /// VP — VLAN packet (bit 3).
        static let VP = Status(rawValue: 1 << 3)
        /// UDPCS — UDP checksum calculated (bit 4).
        static let UDPCS = Status(rawValue: 1 << 4)
        /// TCPCS — L4 (TCP/UDP) checksum calculated (bit 5).
        static let TCPCS = Status(rawValue: 1 << 5)
        /// IPCS — IPv4 checksum calculated (bit 6).
        static let IPCS = Status(rawValue: 1 << 6)
        /// PIF — Passed in-exact filter (bit 7).
        static let PIF = Status(rawValue: 1 << 7)
        /// TST — time stamp taken (bit 8) (Linux e1000e `E1000_RXDEXT_STATERR_TST`).
        static let TST = Status(rawValue: 1 << 8)
        /// IPIDV — IP identification valid (bit 9).
        static let IPIDV = Status(rawValue: 1 << 9)
        /// UDPV — valid UDP checksum (bit 10).
        static let UDPV = Status(rawValue: 1 << 10)
        /// ACK — TCP ACK packet indication (bit 15).
        static let ACK = Status(rawValue: 1 << 15)
        /// Packet type field mask (bits 19:16) as written by QEMU's model
        /// (`E1000_RXD_PKT_TYPE`); not present in Linux headers — unverified.
        static let PKT_TYPE_MASK: UInt32 = 0x000F_0000
    }

    /// Extended error bits (bits 31:20 of the status/error dword;
    /// Linux `E1000_RXDEXT_STATERR_*`).
    struct Errors: OptionSet, Sendable, Hashable {
        /// The raw status/error dword (only error bits are named here).
        let rawValue: UInt32
        /// Wraps a raw dword.
        init(rawValue: UInt32) { self.rawValue = rawValue }
        /// CE — CRC error (bit 24).
        static let CE = Errors(rawValue: 1 << 24)
        /// SE — symbol error (bit 25).
        static let SE = Errors(rawValue: 1 << 25)
        /// SEQ — sequence error (bit 26).
        static let SEQ = Errors(rawValue: 1 << 26)
        /// CXE — carrier extension error (bit 28).
        static let CXE = Errors(rawValue: 1 << 28)
        /// TCPE — TCP/UDP checksum error (bit 29).
        static let TCPE = Errors(rawValue: 1 << 29)
        /// IPE — IP checksum error (bit 30).
        static let IPE = Errors(rawValue: 1 << 30)
        /// RXE — Rx data error (bit 31).
        static let RXE = Errors(rawValue: 1 << 31)
        /// Frame errors (Linux `E1000_RXDEXT_ERR_FRAME_ERR_MASK`).
        static let frameErrors: Errors = [.CE, .SE, .SEQ, .CXE, .RXE]
    }

    /// Read format (software-written): the buffer address.
    struct Read: Sendable, Hashable {
        /// Buffer address (bytes 0–7).
        var bufferAddress: UInt64
        /// Creates a read-format descriptor.
        init(bufferAddress: UInt64) { self.bufferAddress = bufferAddress }
        /// Decodes; bytes 8–15 are reserved.
        init(raw: E1000RawDescriptor) { bufferAddress = raw.low }
        /// Encodes with bytes 8–15 zero.
        var raw: E1000RawDescriptor { E1000RawDescriptor(low: bufferAddress, high: 0) }
    }

    /// MRQ dword (bytes 0–3): RSS type in bits 3:0.
    var mrq: UInt32
    /// RSS hash, or IP-ID (low 16) | checksum (high 16) when RXCSUM.PCSD = 0 (bytes 4–7).
    var rssOrChecksum: UInt32
    /// Extended status (bits 19:0) and errors (bits 31:20) (bytes 8–11).
    var statusError: UInt32
    /// Packet length (bytes 12–13).
    var length: UInt16
    /// VLAN tag (bytes 14–15).
    var vlan: UInt16

    /// Creates a write-back descriptor.
    init(mrq: UInt32 = 0, rssOrChecksum: UInt32 = 0, statusError: UInt32 = 0,
                length: UInt16 = 0, vlan: UInt16 = 0) {
        self.mrq = mrq
        self.rssOrChecksum = rssOrChecksum
        self.statusError = statusError
        self.length = length
        self.vlan = vlan
    }

    /// Decodes the write-back format.
    init(raw: E1000RawDescriptor) {
        mrq = raw.u32(at: Self.mrqOffset)
        rssOrChecksum = raw.u32(at: Self.rssOrChecksumOffset)
        statusError = raw.u32(at: Self.statusErrorOffset)
        length = raw.u16(at: Self.lengthOffset)
        vlan = raw.u16(at: Self.vlanOffset)
    }

    /// Decodes the write-back format from `(low, high)` quadwords.
    init(_ words: (UInt64, UInt64)) { self.init(raw: E1000RawDescriptor(words)) }

    /// Encodes the write-back format.
    var raw: E1000RawDescriptor {
        E1000RawDescriptor(
            low: UInt64(mrq) | (UInt64(rssOrChecksum) << 32),
            high: UInt64(statusError) | (UInt64(length) << 32) | (UInt64(vlan) << 48))
    }

    /// Encodes to `(low, high)` quadwords.
    var words: (UInt64, UInt64) { raw.words }

    /// Status bits.
    var status: Status { Status(rawValue: statusError & 0x000F_FFFF) }
    /// Error bits.
    var errors: Errors { Errors(rawValue: statusError & 0xFFF0_0000) }
    /// RSS type (MRQ bits 3:0).
    var rssType: UInt32 { mrq & 0xF }
    /// IP identification (valid when PCSD = 0 and IPIDV set).
    var ipID: UInt16 { UInt16(truncatingIfNeeded: rssOrChecksum) }
    /// Packet checksum (valid when PCSD = 0).
    var checksum: UInt16 { UInt16(truncatingIfNeeded: rssOrChecksum >> 16) }
}

// MARK: - Transmit descriptors

/// Descriptor-type selection common to all transmit descriptors: bit 29 of
/// the dword at byte 8 is DEXT (0 = legacy); with DEXT = 1, DTYP (bits 23:20)
/// is 0000b for a context and 0001b for a data descriptor (SDM §3.3, Table 3-7).
enum E1000TxDescriptorKind: Sendable, Hashable {
    /// Legacy transmit descriptor (DEXT = 0), SDM §3.3.3.
    case legacy
    /// TCP/IP context descriptor (DEXT = 1, DTYP = 0000b), SDM §3.3.6.
    case context
    /// TCP/IP data descriptor (DEXT = 1, DTYP = 0001b), SDM §3.3.7.
    case data
    /// DEXT = 1 with a DTYP the 8254x SDM does not define.
    case reserved(dtyp: UInt8)

    /// DEXT bit position in the dword at byte 8 (bit 29).
    static let dextBit: UInt32 = 1 << 29
    /// DTYP field mask in the dword at byte 8 (bits 23:20).
    static let dtypMask: UInt32 = 0x00F0_0000
    /// DTYP field shift.
    static let dtypShift: UInt32 = 20
    /// DTYP value of a context descriptor.
    static let dtypContext: UInt8 = 0b0000
    /// DTYP value of a data descriptor.
    static let dtypData: UInt8 = 0b0001

    /// Classifies a raw transmit descriptor.
    init(raw: E1000RawDescriptor) {
        let dword2 = raw.u32(at: 8)
        if dword2 & Self.dextBit == 0 {
            self = .legacy
            return
        }
        let dtyp = UInt8((dword2 & Self.dtypMask) >> Self.dtypShift)
        switch dtyp {
        case Self.dtypContext: self = .context
        case Self.dtypData: self = .data
        default: self = .reserved(dtyp: dtyp)
        }
    }
}

/// Transmit descriptor status (TDESC.STA, low nibble of byte 12), SDM
/// Table 3-11 / 3-16 / 3-19. Hardware writes it only when RS is set.
struct E1000TxStatus: OptionSet, Sendable, Hashable {
    /// The raw 4-bit status (upper nibble of byte 12 is reserved).
    let rawValue: UInt8
    /// Wraps a raw status nibble.
    init(rawValue: UInt8) { self.rawValue = rawValue }
    /// DD — Descriptor Done (bit 0).
    static let DD = E1000TxStatus(rawValue: 1 << 0)
    /// EC — Excess Collisions (bit 1), legacy/data descriptors.
    static let EC = E1000TxStatus(rawValue: 1 << 1)
    /// LC — Late Collision (bit 2), legacy/data descriptors.
    static let LC = E1000TxStatus(rawValue: 1 << 2)
    /// TU — Transmit Underrun (bit 3), 82544GC/EI only (reserved on the 82540EM).
    static let TU = E1000TxStatus(rawValue: 1 << 3)
}

/// Legacy transmit descriptor (TDESC, DEXT = 0), SDM §3.3.3 Table 3-8.
///
/// Layout: bytes 0–7 buffer address; 8–9 length; 10 CSO; 11 CMD; 12 STA
/// (bits 3:0) + reserved (7:4); 13 CSS; 14–15 special (VLAN tag).
/// Max length per descriptor 16288 bytes; a packet must be at least 48 bytes
/// before padding and CRC (SDM Table 3-9).
struct E1000TxDescriptorLegacy: Sendable, Hashable {
    /// Descriptor size in bytes.
    static let size = 16
    /// Byte offset of the length field.
    static let lengthOffset = 8
    /// Byte offset of CSO.
    static let csoOffset = 10
    /// Byte offset of CMD.
    static let cmdOffset = 11
    /// Byte offset of STA.
    static let staOffset = 12
    /// Byte offset of CSS.
    static let cssOffset = 13
    /// Byte offset of special.
    static let specialOffset = 14
    /// Maximum bytes per legacy descriptor (SDM Table 3-9).
    static let maximumLength = 16288

    /// TDESC.CMD bits, SDM §3.3.3.1 Table 3-10.
    struct Command: OptionSet, Sendable, Hashable {
        /// The raw command byte.
        let rawValue: UInt8
        /// Wraps a raw command byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// EOP — End of Packet (bit 0).
        static let EOP = Command(rawValue: 1 << 0)
        /// IFCS — Insert FCS/CRC (bit 1), valid with EOP.
        static let IFCS = Command(rawValue: 1 << 1)
        /// IC — Insert Checksum at CSO, summed from CSS (bit 2), valid with EOP.
        static let IC = Command(rawValue: 1 << 2)
        /// RS — Report Status: write back STA.DD (bit 3).
        static let RS = Command(rawValue: 1 << 3)
        /// RPS — Report Packet Sent (bit 4), 82544GC/EI only; reserved on the 82540EM.
        static let RPS = Command(rawValue: 1 << 4)
        /// DEXT — Descriptor Extension (bit 5); 0 for legacy.
        static let DEXT = Command(rawValue: 1 << 5)
        /// VLE — VLAN Packet Enable: insert VET + special (bit 6); needs CTRL.VME.
        static let VLE = Command(rawValue: 1 << 6)
        /// IDE — Interrupt Delay Enable: use TIDV (bit 7).
        static let IDE = Command(rawValue: 1 << 7)
    }

    /// Buffer address (bytes 0–7).
    var bufferAddress: UInt64
    /// Buffer length (bytes 8–9).
    var length: UInt16
    /// Checksum Offset (byte 10).
    var cso: UInt8
    /// Command (byte 11).
    var command: Command
    /// Status (byte 12, low nibble).
    var status: E1000TxStatus
    /// Checksum Start (byte 13).
    var css: UInt8
    /// Special: 802.1Q tag inserted when VLE is set (bytes 14–15).
    var special: UInt16

    /// Creates a descriptor.
    init(bufferAddress: UInt64 = 0, length: UInt16 = 0, cso: UInt8 = 0,
                command: Command = [], status: E1000TxStatus = [], css: UInt8 = 0,
                special: UInt16 = 0) {
        self.bufferAddress = bufferAddress
        self.length = length
        self.cso = cso
        self.command = command
        self.status = status
        self.css = css
        self.special = special
    }

    /// Decodes from the raw 16 bytes.
    init(raw: E1000RawDescriptor) {
        bufferAddress = raw.low
        length = raw.u16(at: Self.lengthOffset)
        cso = raw.byte(at: Self.csoOffset)
        command = Command(rawValue: raw.byte(at: Self.cmdOffset))
        status = E1000TxStatus(rawValue: raw.byte(at: Self.staOffset) & 0x0F)
        css = raw.byte(at: Self.cssOffset)
        special = raw.u16(at: Self.specialOffset)
    }

    /// Decodes from `(low, high)` quadwords.
    init(_ words: (UInt64, UInt64)) { self.init(raw: E1000RawDescriptor(words)) }

    /// Encodes to the raw 16 bytes.
    var raw: E1000RawDescriptor {
        E1000RawDescriptor(low: bufferAddress, high: e1000Pack([
            (UInt64(length), 0, 2), (UInt64(cso), 2, 1), (UInt64(command.rawValue), 3, 1),
            (UInt64(status.rawValue & 0x0F), 4, 1), (UInt64(css), 5, 1), (UInt64(special), 6, 2),
        ]))
    }

    /// Encodes to `(low, high)` quadwords.
    var words: (UInt64, UInt64) { raw.words }
}

/// TCP/IP context transmit descriptor (DEXT = 1, DTYP = 0000b), SDM §3.3.6
/// Table 3-13. Transfers no data; it sets up checksum/TSO context.
///
/// Layout: byte 0 IPCSS; 1 IPCSO; 2–3 IPCSE; 4 TUCSS; 5 TUCSO; 6–7 TUCSE;
/// dword at 8: PAYLEN bits 19:0, DTYP bits 23:20 = 0000b, TUCMD bits 31:24;
/// byte 12: STA bits 3:0, reserved 7:4; byte 13 HDRLEN; 14–15 MSS.
struct E1000TxContextDescriptor: Sendable, Hashable {
    /// Descriptor size in bytes.
    static let size = 16

    /// TDESC.TUCMD bits, SDM §3.3.6.1 Table 3-15.
    struct Command: OptionSet, Sendable, Hashable {
        /// The raw TUCMD byte.
        let rawValue: UInt8
        /// Wraps a raw TUCMD byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// TCP — packet is TCP (1b) or UDP (0b) (bit 0).
        static let TCP = Command(rawValue: 1 << 0)
        /// IP — packet is IPv4 (1b) or IPv6 (0b) (bit 1).
        static let IP = Command(rawValue: 1 << 1)
        /// TSE — TCP Segmentation Enable (bit 2).
        static let TSE = Command(rawValue: 1 << 2)
        /// RS — Report Status (bit 3).
        static let RS = Command(rawValue: 1 << 3)
        /// DEXT — must be 1b for this descriptor type (bit 5).
        static let DEXT = Command(rawValue: 1 << 5)
        /// IDE — Interrupt Delay Enable (bit 7).
        static let IDE = Command(rawValue: 1 << 7)
    }

    /// IP checksum start (byte 0).
    var ipcss: UInt8
    /// IP checksum offset (byte 1).
    var ipcso: UInt8
    /// IP checksum end, 0 = end of packet (bytes 2–3).
    var ipcse: UInt16
    /// TCP/UDP checksum start (byte 4).
    var tucss: UInt8
    /// TCP/UDP checksum offset (byte 5).
    var tucso: UInt8
    /// TCP/UDP checksum end, 0 = end of packet (bytes 6–7).
    var tucse: UInt16
    /// Total TSO payload length (bits 19:0 of the dword at byte 8).
    var paylen: UInt32
    /// TUCMD (bits 31:24 of the dword at byte 8).
    var command: Command
    /// Status (byte 12, low nibble; only DD defined).
    var status: E1000TxStatus
    /// Header length for TSO (byte 13).
    var hdrlen: UInt8
    /// Maximum segment size for TSO (bytes 14–15).
    var mss: UInt16

    /// Creates a context descriptor (DEXT is always encoded as 1).
    init(ipcss: UInt8 = 0, ipcso: UInt8 = 0, ipcse: UInt16 = 0, tucss: UInt8 = 0,
                tucso: UInt8 = 0, tucse: UInt16 = 0, paylen: UInt32 = 0,
                command: Command = [.DEXT], status: E1000TxStatus = [],
                hdrlen: UInt8 = 0, mss: UInt16 = 0) {
        self.ipcss = ipcss
        self.ipcso = ipcso
        self.ipcse = ipcse
        self.tucss = tucss
        self.tucso = tucso
        self.tucse = tucse
        self.paylen = paylen
        self.command = command
        self.status = status
        self.hdrlen = hdrlen
        self.mss = mss
    }

    /// Decodes from the raw 16 bytes.
    init(raw: E1000RawDescriptor) {
        ipcss = raw.byte(at: 0)
        ipcso = raw.byte(at: 1)
        ipcse = raw.u16(at: 2)
        tucss = raw.byte(at: 4)
        tucso = raw.byte(at: 5)
        tucse = raw.u16(at: 6)
        let dword2 = raw.u32(at: 8)
        paylen = dword2 & 0x000F_FFFF
        command = Command(rawValue: UInt8(truncatingIfNeeded: dword2 >> 24))
        status = E1000TxStatus(rawValue: raw.byte(at: 12) & 0x0F)
        hdrlen = raw.byte(at: 13)
        mss = raw.u16(at: 14)
    }

    /// Decodes from `(low, high)` quadwords.
    init(_ words: (UInt64, UInt64)) { self.init(raw: E1000RawDescriptor(words)) }

    /// Encodes to the raw 16 bytes (DTYP = 0000b, DEXT forced to 1).
    var raw: E1000RawDescriptor {
        let cmd = command.union(.DEXT)
        let dword2 = (paylen & 0x000F_FFFF) | (UInt32(E1000TxDescriptorKind.dtypContext) << 20)
            | (UInt32(cmd.rawValue) << 24)
        return E1000RawDescriptor(
            low: e1000Pack([(UInt64(ipcss), 0, 1), (UInt64(ipcso), 1, 1), (UInt64(ipcse), 2, 2),
                            (UInt64(tucss), 4, 1), (UInt64(tucso), 5, 1), (UInt64(tucse), 6, 2)]),
            high: e1000Pack([(UInt64(dword2), 0, 4), (UInt64(status.rawValue & 0x0F), 4, 1),
                             (UInt64(hdrlen), 5, 1), (UInt64(mss), 6, 2)]))
    }

    /// Encodes to `(low, high)` quadwords.
    var words: (UInt64, UInt64) { raw.words }
}

/// TCP/IP data transmit descriptor (DEXT = 1, DTYP = 0001b), SDM §3.3.7
/// Table 3-17.
///
/// Layout: bytes 0–7 buffer address; dword at 8: DTALEN bits 19:0, DTYP bits
/// 23:20 = 0001b, DCMD bits 31:24; byte 12: STA bits 3:0, reserved 7:4;
/// byte 13 POPTS; 14–15 special (VLAN tag).
struct E1000TxDataDescriptor: Sendable, Hashable {
    /// Descriptor size in bytes.
    static let size = 16

    /// TDESC.DCMD bits, SDM §3.3.7.1.
    struct Command: OptionSet, Sendable, Hashable {
        /// The raw DCMD byte.
        let rawValue: UInt8
        /// Wraps a raw DCMD byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// EOP — End of Packet (bit 0).
        static let EOP = Command(rawValue: 1 << 0)
        /// IFCS — Insert FCS (bit 1).
        static let IFCS = Command(rawValue: 1 << 1)
        /// TSE — part of the TCP segmentation context (bit 2).
        static let TSE = Command(rawValue: 1 << 2)
        /// RS — Report Status (bit 3).
        static let RS = Command(rawValue: 1 << 3)
        /// RPS — Report Packet Sent (bit 4), 82544GC/EI only.
        static let RPS = Command(rawValue: 1 << 4)
        /// DEXT — must be 1b (bit 5).
        static let DEXT = Command(rawValue: 1 << 5)
        /// VLE — VLAN Packet Enable (bit 6).
        static let VLE = Command(rawValue: 1 << 6)
        /// IDE — Interrupt Delay Enable (bit 7).
        static let IDE = Command(rawValue: 1 << 7)
    }

    /// TDESC.POPTS bits, SDM §3.3.7.3 (only the first data descriptor of a packet counts).
    struct Options: OptionSet, Sendable, Hashable {
        /// The raw POPTS byte.
        let rawValue: UInt8
        /// Wraps a raw POPTS byte.
        init(rawValue: UInt8) { self.rawValue = rawValue }
        /// IXSM — Insert IP checksum (bit 0).
        static let IXSM = Options(rawValue: 1 << 0)
        /// TXSM — Insert TCP/UDP checksum (bit 1).
        static let TXSM = Options(rawValue: 1 << 1)
    }

    /// Buffer address (bytes 0–7).
    var bufferAddress: UInt64
    /// Data length (bits 19:0 of the dword at byte 8).
    var length: UInt32
    /// DCMD (bits 31:24 of the dword at byte 8).
    var command: Command
    /// Status (byte 12, low nibble).
    var status: E1000TxStatus
    /// Packet options (byte 13).
    var options: Options
    /// Special: 802.1Q tag (bytes 14–15).
    var special: UInt16

    /// Creates a data descriptor (DEXT is always encoded as 1).
    init(bufferAddress: UInt64 = 0, length: UInt32 = 0, command: Command = [.DEXT],
                status: E1000TxStatus = [], options: Options = [], special: UInt16 = 0) {
        self.bufferAddress = bufferAddress
        self.length = length
        self.command = command
        self.status = status
        self.options = options
        self.special = special
    }

    /// Decodes from the raw 16 bytes.
    init(raw: E1000RawDescriptor) {
        bufferAddress = raw.low
        let dword2 = raw.u32(at: 8)
        length = dword2 & 0x000F_FFFF
        command = Command(rawValue: UInt8(truncatingIfNeeded: dword2 >> 24))
        status = E1000TxStatus(rawValue: raw.byte(at: 12) & 0x0F)
        options = Options(rawValue: raw.byte(at: 13))
        special = raw.u16(at: 14)
    }

    /// Decodes from `(low, high)` quadwords.
    init(_ words: (UInt64, UInt64)) { self.init(raw: E1000RawDescriptor(words)) }

    /// Encodes to the raw 16 bytes (DTYP = 0001b, DEXT forced to 1).
    var raw: E1000RawDescriptor {
        let cmd = command.union(.DEXT)
        let dword2 = (length & 0x000F_FFFF) | (UInt32(E1000TxDescriptorKind.dtypData) << 20)
            | (UInt32(cmd.rawValue) << 24)
        return E1000RawDescriptor(low: bufferAddress, high: e1000Pack([
            (UInt64(dword2), 0, 4), (UInt64(status.rawValue & 0x0F), 4, 1),
            (UInt64(options.rawValue), 5, 1), (UInt64(special), 6, 2),
        ]))
    }

    /// Encodes to `(low, high)` quadwords.
    var words: (UInt64, UInt64) { raw.words }
}
