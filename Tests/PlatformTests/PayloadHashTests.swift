import Testing
@testable import BoxlessPlatform

@Suite struct PayloadHashTests {
    func h(_ b: [UInt8]) -> UInt64 { b.withUnsafeBytes { PayloadHash.hash($0) } }

    @Test func everySingleBitFlipChangesTheHash() {
        for n in [1, 3, 7, 8, 15, 31, 32, 33, 64, 100, 4096] {
            let base = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let h0 = h(base)
            for i in stride(from: 0, to: n, by: max(1, n / 17)) {
                for bit in [0, 7] {
                    var b = base
                    b[i] ^= UInt8(1 << bit)
                    #expect(h(b) != h0, "length \(n) byte \(i) bit \(bit)")
                }
            }
        }
    }

    @Test func lengthMattersAndValuesArePinned() {
        #expect(h([]) != h([0]))
        #expect(h([0]) != h([0, 0]))
        // Pinned: the digest of every run depends on these never changing.
        #expect(h(Array("boxless".utf8)) == 5_870_723_684_419_308_102)
        #expect(h([UInt8](repeating: 0xAB, count: 4096)) == 14_889_273_247_254_480_083)
    }
}
