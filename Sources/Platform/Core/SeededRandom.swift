/// A seeded pseudo-random generator (xoshiro256**), the only source of randomness in a machine.
///
/// Every component draws from its own stream, split from the run's seed by a stable name
/// (``split(_:)``), so adding a component never shifts another's numbers (DESIGN.md, "Determinism").
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The seed this stream was made from (after splitting).
    public let seed: UInt64

    /// Creates a stream from a seed; the state is expanded with SplitMix64 as the xoshiro authors advise.
    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// An independent stream for the component called `name`, derived from this stream's seed.
    /// The derivation uses FNV-1a over the name's UTF-8 bytes, so it is the same on every machine.
    public func split(_ name: String) -> SeededRandom {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return SeededRandom(seed: seed ^ h)
    }
}
