/// The Ethernet frame check sequence: CRC-32 with the reflected polynomial 0xEDB88320
/// (IEEE 802.3 §3.2.9). NIC models use it for the FCS they keep or check, and for multicast hash
/// filters that index a table by CRC bits (Realtek MAR, Intel's MTA uses address bits instead).
public enum EthernetCRC {
    /// The 256-entry table of the reflected polynomial.
    @usableFromInline
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The FCS of `count` bytes: the value whose little-endian bytes follow the frame on the wire.
    @inlinable
    public static func fcs(_ p: UnsafeRawPointer, _ count: Int) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for i in 0..<count {
                c = t[Int((c ^ UInt32(p.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
            }
        }
        return ~c
    }

    /// The FCS of a byte array.
    public static func fcs(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { fcs($0.baseAddress!, $0.count) }
    }

    /// The big-endian (MSB-first) CRC-32 of a 6-byte address, as multicast hash filters take it:
    /// Realtek's MAR index is its top 6 bits (RTL8139C/RTL8169 datasheets, "Multicast"; the same
    /// `ether_crc` Linux's 8139too and r8169 program MAR with).
    @inlinable
    public static func multicastHash(_ address: UnsafeRawPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for i in 0..<6 {
            var b = address.load(fromByteOffset: i, as: UInt8.self)
            for _ in 0..<8 {
                let bit = (crc >> 31) ^ UInt32(b & 1)
                crc <<= 1
                b >>= 1
                if bit != 0 { crc ^= 0x04C1_1DB7 }
            }
        }
        return crc
    }

    /// ``multicastHash(_:)-(UnsafeRawPointer)`` of an address given as bytes.
    public static func multicastHash(_ address: [UInt8]) -> UInt32 {
        precondition(address.count == 6, "an Ethernet address has six bytes")
        return address.withUnsafeBytes { multicastHash($0.baseAddress!) }
    }
}
