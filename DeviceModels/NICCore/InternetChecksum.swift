/// The Internet checksum (RFC 1071) over raw bytes, for checksum offload in either direction.
/// Pure functions, no allocation; every NIC model that inserts or verifies IPv4, TCP or UDP
/// checksums uses these.
public enum InternetChecksum {
    /// Ones-complement sum of `count` bytes at `p` as big-endian 16-bit words (an odd last byte is
    /// the high byte of a word), folded to 16 bits, not complemented, plus `initial`.
    @inlinable
    public static func sum(_ p: UnsafeRawPointer, _ count: Int, initial: UInt32 = 0) -> UInt16 {
        var acc: UInt64 = 0
        var i = 0
        // 8 bytes a step as two 32-bit halves: a 64-bit accumulator cannot overflow below 2^32 steps.
        while i + 8 <= count {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            acc &+= (w & 0xFFFF_FFFF) &+ (w >> 32)
            i += 8
        }
        if i + 4 <= count {
            acc &+= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        if i + 2 <= count {
            acc &+= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i += 2
        }
        if i < count { acc &+= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) }
        // Fold the native-order sum, then swap to network order (RFC 1071 §2(B): byte-order independence).
        while acc >> 16 != 0 { acc = (acc & 0xFFFF) &+ (acc >> 16) }
        var folded = UInt16(acc)
        folded = UInt16(littleEndian: folded).byteSwapped   // native (little-endian) words → network order
        return add(folded, fold(initial))
    }

    /// Ones-complement addition of two 16-bit values.
    @inlinable @inline(__always)
    public static func add(_ a: UInt16, _ b: UInt16) -> UInt16 {
        let s = UInt32(a) + UInt32(b)
        return UInt16(truncatingIfNeeded: (s & 0xFFFF) + (s >> 16))
    }

    /// Folds a 32-bit ones-complement accumulator to 16 bits.
    @inlinable @inline(__always)
    public static func fold(_ v: UInt32) -> UInt16 {
        var s = v
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    /// Whether the bytes, checksum field included, verify (their sum is all ones, RFC 1071 §1).
    @inlinable
    public static func verifies(_ p: UnsafeRawPointer, _ count: Int, initial: UInt32 = 0) -> Bool {
        sum(p, count, initial: initial) == 0xFFFF
    }
}

/// Big-endian ("network order") fields in frames and descriptors.
public enum NetworkOrder {
    /// Reads a big-endian 16-bit field at byte offset `o`.
    @inlinable @inline(__always)
    public static func load16(_ p: UnsafeRawPointer, _ o: Int) -> UInt16 {
        UInt16(p.load(fromByteOffset: o, as: UInt8.self)) << 8 | UInt16(p.load(fromByteOffset: o + 1, as: UInt8.self))
    }

    /// Writes a big-endian 16-bit field at byte offset `o`.
    @inlinable @inline(__always)
    public static func store16(_ p: UnsafeMutableRawPointer, _ o: Int, _ v: UInt16) {
        p.storeBytes(of: UInt8(v >> 8), toByteOffset: o, as: UInt8.self)
        p.storeBytes(of: UInt8(v & 0xFF), toByteOffset: o + 1, as: UInt8.self)
    }

    /// Reads a big-endian 32-bit field at byte offset `o`.
    @inlinable @inline(__always)
    public static func load32(_ p: UnsafeRawPointer, _ o: Int) -> UInt32 {
        UInt32(load16(p, o)) << 16 | UInt32(load16(p, o + 2))
    }

    /// Writes a big-endian 32-bit field at byte offset `o`.
    @inlinable @inline(__always)
    public static func store32(_ p: UnsafeMutableRawPointer, _ o: Int, _ v: UInt32) {
        store16(p, o, UInt16(v >> 16)); store16(p, o + 2, UInt16(v & 0xFFFF))
    }
}
