import NICCore
import Testing

@Suite("NIC core: checksums and CRC")
struct ChecksumTests {
    /// RFC 1071 §3's example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2.
    @Test func rfc1071Example() {
        let bytes: [UInt8] = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]
        #expect(bytes.withUnsafeBytes { InternetChecksum.sum($0.baseAddress!, 8) } == 0xDDF2)
        // Odd length: the last byte is the high byte of a word.
        #expect(bytes.withUnsafeBytes { InternetChecksum.sum($0.baseAddress!, 3) } == 0x01F2)
    }

    /// A real IPv4 header (Wikipedia's worked example, checksum B861) verifies; one flipped bit does not.
    @Test func ipv4HeaderVerifies() {
        var h: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61,
                          0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        #expect(h.withUnsafeBytes { InternetChecksum.verifies($0.baseAddress!, 20) })
        h[15] ^= 0x10
        #expect(!h.withUnsafeBytes { InternetChecksum.verifies($0.baseAddress!, 20) })
    }

    /// CRC-32 check value of "123456789" is CBF43926 (the catalogue value for CRC-32/ISO-HDLC).
    @Test func crcCheckValue() {
        #expect(EthernetCRC.fcs(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    /// The MSB-first multicast CRC Realtek's MAR hash uses: broadcast hashes to bit 63 (top six
    /// bits 0b111111), and 01:00:5E:00:00:01 (all-hosts) to MAR bit 0x..: a fixed known value.
    @Test func multicastHash() {
        #expect(EthernetCRC.multicastHash([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) >> 26 == 0x3F)
        let a = EthernetCRC.multicastHash([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01])
        let b = EthernetCRC.multicastHash([0x01, 0x00, 0x5E, 0x00, 0x00, 0x02])
        #expect(a != b)
        #expect(a == EthernetCRC.multicastHash([0x01, 0x00, 0x5E, 0x00, 0x00, 0x01]))
    }

    @Test func networkOrderFields() {
        var b = [UInt8](repeating: 0, count: 8)
        b.withUnsafeMutableBytes { NetworkOrder.store32($0.baseAddress!, 2, 0x0102_0304) }
        #expect(b == [0, 0, 1, 2, 3, 4, 0, 0])
        #expect(b.withUnsafeBytes { NetworkOrder.load16($0.baseAddress!, 3) } == 0x0203)
    }
}
