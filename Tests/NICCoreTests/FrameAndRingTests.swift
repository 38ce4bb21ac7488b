import BoxlessPlatform
import NICCore
import Testing

@Suite("NIC core: frames, rings, FIFO")
struct FrameAndRingTests {
    /// A tagged IPv4/UDP frame: tag, offsets, pseudo-header and a UDP checksum that verifies.
    static func udpFrame(tagged: Bool) -> [UInt8] {
        var f: [UInt8] = [0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
        if tagged { f += [0x81, 0x00, 0x20, 0x07] }
        f += [0x08, 0x00]
        let l3 = f.count
        f += [0x45, 0, 0, 28 + 4, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 224, 0, 0, 251]
        f += [0x14, 0xE9, 0x14, 0xE9, 0, 12, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF]
        f.withUnsafeMutableBytes { p in
            let b = p.baseAddress!
            NetworkOrder.store16(b, l3 + 10, ~InternetChecksum.sum(b + l3, 20))
            let h = FrameHeaders.parse(b, p.count)
            NetworkOrder.store16(b, h.l4Offset! + 6, ~InternetChecksum.sum(b + h.l4Offset!, h.l4Length, initial: UInt32(h.pseudoHeaderSum)))
        }
        return f
    }

    @Test(arguments: [false, true]) func parsesUDPOverIPv4(tagged: Bool) {
        let f = Self.udpFrame(tagged: tagged)
        let h = f.withUnsafeBytes { FrameHeaders.parse($0.baseAddress!, $0.count) }
        #expect(h.vlanTCI == (tagged ? 0x2007 : nil))
        #expect(h.ipVersion == 4 && h.isUDP && !h.isFragment)
        #expect(h.l3Offset == (tagged ? 18 : 14) && h.l4Offset == h.l3Offset + 20 && h.l4Length == 12)
        f.withUnsafeBytes { p in
            #expect(InternetChecksum.verifies(p.baseAddress! + h.l3Offset, 20))
            #expect(InternetChecksum.verifies(p.baseAddress! + h.l4Offset!, 12, initial: UInt32(h.pseudoHeaderSum)))
        }
        #expect(f.withUnsafeBytes { DestinationKind(destination: $0.baseAddress!) } == .multicast)
    }

    @Test func truncatedAndFragmentHaveNoL4() {
        var f = Self.udpFrame(tagged: false)
        f[14 + 6] = 0x20   // more fragments
        #expect(f.withUnsafeBytes { FrameHeaders.parse($0.baseAddress!, $0.count) }.l4Offset == nil)
        let cut = Array(Self.udpFrame(tagged: false).prefix(30))
        let h = cut.withUnsafeBytes { FrameHeaders.parse($0.baseAddress!, $0.count) }
        #expect(h.ipVersion == 0 && h.l4Offset == nil)
    }

    @Test func ringArithmeticWraps() {
        let r = DescriptorRing(base: 0x1000, count: 8, descriptorSize: 16)
        #expect(r.owned(head: 2, tail: 5) == 3)
        #expect(r.owned(head: 6, tail: 1) == 3)
        #expect(r.owned(head: 4, tail: 4) == 0)
        #expect(r.owned(head: 8, tail: 1) == 0)        // head outside the ring
        #expect(r.next(7) == 0 && r.next(3) == 4)
        #expect(r.address(of: 3) == BusAddress(0x1030))
        #expect(r.burst(from: 6, available: 5, limit: 16) == 2)   // never past the end
        #expect(r.burst(from: 0, available: 5, limit: 4) == 4)
    }

    @Test func fifoAccountsAndWraps() {
        var fifo = RxFIFO<Int>(storageSize: 4096, entryCapacity: 4, empty: 0)
        defer { fifo.deallocate() }
        let a = fifo.reserve(length: 1500, limit: 4096)
        #expect(a == 0)
        fifo.commit(.init(offset: a!, length: 1500, metadata: 1))
        #expect(fifo.usedBytes == 1504 + 16)
        #expect(fifo.reserve(length: 3000, limit: 4096) == nil)   // over the limit
        let b = fifo.reserve(length: 1500, limit: 4096)!
        fifo.commit(.init(offset: b, length: 1500, metadata: 2))
        #expect(fifo.first?.pointee.metadata == 1)
        fifo.removeFirst()
        let c = fifo.reserve(length: 1000, limit: 4096)          // does not fit before the end: wraps
        #expect(c == 0)
        #expect(fifo.count == 1 && fifo.first?.pointee.metadata == 2)
    }
}
