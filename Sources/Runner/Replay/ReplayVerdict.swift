import NativeDriverKit

/// What the replay checks conclude, computed the same way on every host (DESIGN.md, "Checks"):
/// RX — every missing frame must be a drop the device counted; TX — every accepted frame must reach
/// the wire or be reported failed; both — nothing may differ from what was sent.
struct ReplayVerdict {
    /// Frames delivered (RX) or seen on the wire (TX), byte-identical and in order.
    let delivered: Int
    /// Frames that matched nothing sent.
    let mismatched: Int
    /// Frames lost without a counted reason.
    let unaccounted: Int
    /// The first mismatch, if any.
    let firstMismatch: (index: Int, offset: Int)?
    /// One line per broken rule.
    let failures: [String]

    init(direction: ReplayDirection, rx: ReceiveCheck, tx: TransmitCheck, stats: NetworkStatistics) {
        var f: [String] = []
        if direction == .rx {
            delivered = rx.delivered
            mismatched = rx.mismatched
            unaccounted = max(0, rx.missing - Int(stats.rxDroppedTotal))
            firstMismatch = rx.firstMismatch
            if UInt64(rx.missing) != stats.rxDroppedTotal {
                f.append("\(rx.missing) frames missing but the device counted \(stats.rxDroppedTotal) drops"
                         + (rx.missingSample.isEmpty ? "" : " (first missing packets: \(rx.missingSample.prefix(8).map(String.init).joined(separator: ", ")))"))
            }
        } else {
            delivered = tx.onWire
            mismatched = tx.mismatched
            unaccounted = tx.lost
            firstMismatch = tx.firstMismatch
            if tx.lost > 0 { f.append("\(tx.lost) frames accepted by the driver never reached the wire and were not reported failed") }
        }
        if mismatched > 0 { f.append("\(mismatched) frames differ from what was sent") }
        failures = f
    }
}
