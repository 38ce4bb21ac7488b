import BoxlessRunner

/// Synthetic traces a test makes for itself (seeded, well-formed frames written with libpcap), so
/// a package needs no capture files of ours.
public enum Traces {
    /// Writes `count` frames of `kind` (`mixed`: ARP, IPv4/IPv6 TCP and UDP, VLAN, runts, jumbo
    /// frames and frames cut short; `min`/`max`: 64- or 1518-byte frames at line rate) to `path`.
    /// The same `seed` writes the same file.
    ///
    /// - Throws: `RunnerError` when `path` cannot be written.
    public static func write(_ kind: TraceGenerator.Kind = .mixed, count: Int, seed: UInt64 = 1, to path: String) throws {
        try TraceGenerator.write(kind: kind, count: count, seed: seed, to: path)
    }
}
