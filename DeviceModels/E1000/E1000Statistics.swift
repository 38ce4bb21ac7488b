/// The statistics block (SDM §13.7, 0x04000–0x04124; 82574 DS adds IAC and the ICR… cause counters).
///
/// Every counter keeps a running total since power-on (never cleared by reads, for reports and
/// cross-checks) and a base: the register reads `total − base`, and a read moves the base up
/// (read-to-clear). The 64-bit octet counters (GORC, GOTC, TOR, TOT) are L/H pairs: reading L returns
/// and clears the low 32 bits, reading H returns and clears the rest, so a driver reading L then H
/// loses nothing counted in between. CTRL.RST clears the registers (base = total).
final class E1000Statistics {
    /// Index of each counter: (offset − 0x4000) / 4.
    enum Index {
        static let CRCERRS = 0, ALGNERRC = 1, SYMERRS = 2, RXERRC = 3, MPC = 4, SCC = 5, ECOL = 6, MCC = 7
        static let LATECOL = 8, COLC = 10, DC = 12, TNCRS = 13, SEC = 14, CEXTERR = 15, RLEC = 16
        static let XONRXC = 18, XONTXC = 19, XOFFRXC = 20, XOFFTXC = 21, FCRUC = 22
        static let PRC64 = 23, PRC127 = 24, PRC255 = 25, PRC511 = 26, PRC1023 = 27, PRC1522 = 28
        static let GPRC = 29, BPRC = 30, MPRC = 31, GPTC = 32, GORC = 34, GOTC = 36
        static let RNBC = 40, RUC = 41, RFC = 42, ROC = 43, RJC = 44, MGTPRC = 45, MGTPDC = 46, MGTPTC = 47
        static let TOR = 48, TOT = 50, TPR = 52, TPT = 53
        static let PTC64 = 54, PTC127 = 55, PTC255 = 56, PTC511 = 57, PTC1023 = 58, PTC1522 = 59
        static let MPTC = 60, BPTC = 61, TSCTC = 62, TSCTFC = 63
        static let IAC = 64, ICRXPTC = 65, ICRXATC = 66, ICTXPTC = 67, ICTXATC = 68, ICTXQEC = 70, ICTXQMTC = 71
        static let ICRXDMTC = 72, ICRXOC = 73
        /// Number of 32-bit slots in the block.
        static let count = 74
        /// Low halves of the 64-bit pairs.
        static let pairs: Set<Int> = [GORC, GOTC, TOR, TOT]
    }

    /// Running totals, then bases (plain storage: counting a frame is a few adds, no array checks).
    private let storage: UnsafeMutablePointer<UInt64>
    private var total: UnsafeMutablePointer<UInt64> { storage }
    private var base: UnsafeMutablePointer<UInt64> { storage + Index.count }

    /// All counters zero.
    init() {
        storage = .allocate(capacity: 2 * Index.count)
        storage.initialize(repeating: 0, count: 2 * Index.count)
    }

    deinit { storage.deallocate() }

    /// Adds `n` to counter `i`.
    @inline(__always) func add(_ i: Int, _ n: UInt64 = 1) {
        precondition(i >= 0 && i < Index.count)
        total[i] &+= n
    }

    /// Counter `i`'s total since power-on.
    func total(_ i: Int) -> UInt64 { total[i] }

    /// The register value now (without clearing).
    func peek(_ i: Int) -> UInt64 { total[i] &- base[i] }

    /// A register read at slot `slot` (read-to-clear).
    func read(slot: Int) -> UInt32 {
        if Index.pairs.contains(slot) {
            let low = UInt64(UInt32(truncatingIfNeeded: total[slot] &- base[slot]))
            base[slot] &+= low
            return UInt32(low)
        }
        if Index.pairs.contains(slot - 1) {
            let v = total[slot - 1] &- base[slot - 1]
            let high = v >> 32
            base[slot - 1] &+= high << 32
            return UInt32(truncatingIfNeeded: high)
        }
        let v = total[slot] &- base[slot]
        base[slot] = total[slot]
        return UInt32(truncatingIfNeeded: min(v, UInt64(UInt32.max)))
    }

    /// CTRL.RST: registers read zero afterwards; totals keep running.
    func clearRegisters() { base.update(from: total, count: Index.count) }

    /// Power-on: everything zero.
    func powerOn() { storage.update(repeating: 0, count: 2 * Index.count) }

    /// Counts a frame of `wireLength` bytes (DA through FCS) in the PRC/PTC size buckets starting at `first`.
    func bucket(_ first: Int, wireLength: Int) {
        let i: Int
        switch wireLength {
        case ..<65: i = 0
        case ..<128: i = 1
        case ..<256: i = 2
        case ..<512: i = 3
        case ..<1024: i = 4
        default: i = 5
        }
        add(first + i)
    }

    /// Counter names of `chip` as the manuals spell them, with their slots (pairs named without L/H).
    static func names(for chip: E1000Chip) -> [(String, Int)] {
        var out: [(String, Int)] = []
        for r in E1000Register.allCases where r.isStatistic && r.availability.includes(chip) {
            let slot = Int((r.rawValue - 0x4000) / 4)
            let name = "\(r)"
            if Index.pairs.contains(slot) { out.append((String(name.dropLast()), slot)) }
            else if Index.pairs.contains(slot - 1) { continue }
            else { out.append((name, slot)) }
        }
        return out
    }
}
