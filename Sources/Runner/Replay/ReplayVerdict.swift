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

    /// Frames accounted to injected faults rather than to the driver.
    let lostToFaults: Int

    /// What injected faults may excuse: frames that reached the NIC while a fault held its link
    /// down (missing, not counted by a register), and frames whose data a DMA fault or the link
    /// damaged after the NIC took them (mismatched) — each at most as many as the faults fired.
    struct Excused {
        var missing = 0
        var mismatched = 0
        static let none = Excused()
    }

    /// `deviceDrops` is every frame the device counted as dropped (its counters, as the driver
    /// reports them or, on the Linux host, as the model keeps them).
    init(direction: ReplayDirection, rx: some ReceiveTally, tx: TransmitCheck, deviceDrops: UInt64, excused: Excused = .none) {
        var f: [String] = []
        var lost = 0
        if direction == .rx {
            delivered = rx.delivered
            let excusedMismatch = min(rx.mismatched, excused.mismatched)
            mismatched = rx.mismatched - excusedMismatch
            let toFaults = min(max(0, rx.missing - Int(deviceDrops)), excused.missing)
            lost = toFaults + excusedMismatch
            unaccounted = max(0, rx.missing - Int(deviceDrops) - toFaults)
            firstMismatch = rx.firstMismatchLocation
            if UInt64(rx.missing - toFaults) != deviceDrops {
                f.append("\(rx.missing - toFaults) frames missing but the device counted \(deviceDrops) drops"
                         + (rx.missingSample.isEmpty ? "" : " (first missing packets: \(rx.missingSample.prefix(8).map(String.init).joined(separator: ", ")))"))
            }
        } else {
            delivered = tx.onWire
            let excusedMismatch = min(tx.mismatched, excused.mismatched)
            mismatched = tx.mismatched - excusedMismatch
            let toFaults = min(tx.lost, excused.missing)
            lost = toFaults + excusedMismatch
            unaccounted = tx.lost - toFaults
            firstMismatch = tx.firstMismatch
            if unaccounted > 0 { f.append("\(unaccounted) frames accepted by the driver never reached the wire and were not reported failed") }
        }
        if mismatched > 0 { f.append("\(mismatched) frames differ from what was sent") }
        lostToFaults = lost
        failures = f
    }
}

/// What a host adds to a replay's summary: who ran it, on which clock, and what it saw go wrong.
struct ReplayHostReport {
    /// `emulator`, `qemu`, `linux`.
    var host: String
    /// The device as the host names it.
    var device: String
    /// The driver that served it.
    var driver: String
    /// The timing mode, with the host's note.
    var timing: String
    /// Virtual time of the run.
    var virtualNanoseconds: UInt64
    /// Event-log records (QEMU: qtest commands).
    var events: UInt64
    /// Event-log digest, or `nondeterministic`.
    var digest: String
    /// Findings (one line each).
    var findings: [String] = []
    /// Driver or kernel log lines at warning level and above.
    var driverWarnings: [String] = []
    /// Failures the host itself saw (link never up, stall, findings, driver errors, guest problems).
    var failures: [String] = []
    /// RX drops by counter name, in the driver's (or device's) order.
    var dropReasons: [ReplaySummary.Reason] = []
    /// The name TX refusals are counted under.
    var txFailedName = "tx-failed"
}

extension ReplaySummary {
    /// The summary of a replay, the same for every host: the feed's counts, the verdict, the host's report.
    init(options: ReplayOptions, feed: ReplayFeed, verdict: ReplayVerdict, txFailed: Int, report r: ReplayHostReport,
         wallNanoseconds: UInt64) {
        let rx = options.direction == .rx
        let f = r.failures + verdict.failures
        self.init(
            host: r.host, device: r.device, driver: r.driver, direction: options.direction.rawValue, trace: feed.source.name,
            seed: options.seed, timing: r.timing, packets_in: feed.taken, delivered: verdict.delivered,
            dropped: .init(total: rx ? r.dropReasons.reduce(0) { $0 + $1.count } : UInt64(txFailed),
                           reasons: rx ? r.dropReasons : [.init(counter: r.txFailedName, count: UInt64(txFailed))]),
            mismatched: verdict.mismatched, unaccounted: verdict.unaccounted, failed: txFailed,
            truncated_padded: feed.paddedTruncated, truncated_skipped: feed.source.skippedTruncated, runts_padded: feed.runts,
            first_mismatch: verdict.firstMismatch.map { .init(packet: $0.index, offset: $0.offset) },
            virtual_ns: r.virtualNanoseconds, wall_ns: wallNanoseconds, events: r.events, digest: r.digest,
            findings: Array(r.findings.prefix(100)), driver_warnings: Array(r.driverWarnings.prefix(100)),
            passed: f.isEmpty, failures: f)
    }
}

extension NativeDriverKit.NetworkStatistics {
    /// The driver's drop counters as summary reasons.
    var dropReasons: [ReplaySummary.Reason] { rxDropped.map { .init(counter: $0.0, count: $0.1) } }
}
