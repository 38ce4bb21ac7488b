import AHCIModel
import BoxlessPlatform
import NativeDriverKit

/// Cuts power in the middle of a workload and checks durability (DESIGN.md, "Block"): every write
/// acknowledged before a completed FLUSH must be on the medium afterwards; later writes (acknowledged
/// or still in flight) may be lost, and the check reports which acknowledged ones were.
///
/// Per block it knows the value made durable by the last completed flush (or the block's original
/// content) and every value written since. After the cut the medium must hold one of those; a block
/// that lost its last acknowledged value must be among the disk's own report of what it lost
/// (``SATADisk/lastPowerLoss``). Finally a fresh machine over the same medium (a power cycle) reads
/// every checked block back through controller and driver.
public enum PowerLossCheck {
    /// What the check found.
    public struct Result: Sendable {
        /// Blocks whose durable (flushed) content was checked and survived.
        public var durableBlocksChecked = 0
        /// Blocks with an acknowledged but unflushed write when power was cut.
        public var unflushedBlocksAtCut = 0
        /// Of those, blocks whose last acknowledged write did not survive (allowed).
        public var unflushedWritesLost = 0
        /// Example LBAs of allowed losses.
        public var lostSample: [UInt64] = []
        /// Acknowledged writes the disk says it discarded (``PowerLossReport/lostWrites``).
        public var lostWritesReported = 0
        /// The first of those, described.
        public var lostWritesSample: [String] = []
        /// Blocks where flushed data was lost or the medium holds data nobody wrote (must be 0).
        public var violations = 0
        /// Example LBAs of violations.
        public var violationSample: [UInt64] = []
        /// Blocks that lost their acknowledged data without the disk's loss report naming them (must be 0).
        public var unreportedLosses = 0
        /// Blocks that read back differently through a freshly started machine (must be 0).
        public var readBackMismatches = 0
        /// Requests completed before the cut.
        public var operationsBeforeCut = 0
        /// Whether the cut came during the workload (false: the workload ended first; power was cut after).
        public var cutDuringWorkload = false
        /// Failed requests and read mismatches of the workload before the cut (must be 0).
        public var workloadErrors = 0
        public var workloadMismatches = 0
        /// Whether every durability rule held.
        public var passed: Bool {
            violations == 0 && unreportedLosses == 0 && readBackMismatches == 0 && workloadErrors == 0 && workloadMismatches == 0
        }
    }

    /// Runs `randrw` (at `o.queueDepth`, requests of up to 16 blocks) with a flush after every
    /// `flushEvery` writes, and cuts power at the first write acknowledgement after `cutAfter`
    /// completions. `tamper` may change the medium after the cut (to test the check itself).
    public static func run(options o: DiskOptions, cutAfter: Int, flushEvery: Int = 16,
                           tamper: ((DiskMachine) -> Void)? = nil) throws -> Result {
        let dm = try DiskMachine(o)
        let g = dm.device.geometry
        let bs = g.blockSize
        var original: [UInt64: [UInt8]] = [:]       // content before the run's first write to the block
        var durable: [UInt64: [UInt8]] = [:]        // value as of the last completed flush
        var acked: [UInt64: [UInt8]] = [:]          // last value acknowledged since that flush
        var written: [UInt64: [[UInt8]]] = [:]      // every value issued since that flush
        var completions = 0
        var cut = false
        var s = BlockWorkload.Settings()
        s.kind = .randrw; s.operations = o.operations
        s.queueDepth = min(max(1, o.queueDepth), g.maximumQueueDepth); s.maxBlocks = min(o.maxBlocks, 16)
        let w = dm.workload(s)
        w.flushEvery = flushEvery
        w.onSubmit = { req in
            guard req.operation == .write else { return }
            for b in 0..<req.blockCount {
                let lba = req.lba + UInt64(b)
                if original[lba] == nil && durable[lba] == nil && written[lba] == nil { original[lba] = dm.baseBlock(lba) }
                written[lba, default: []].append(Array(req.data[b * bs..<(b + 1) * bs]))
            }
        }
        var r = Result()
        w.onCompletion = { req, c in
            guard !cut else { return }
            completions += 1
            guard c.status == .success else { return }
            switch req.operation {
            case .write:
                for b in 0..<req.blockCount { acked[req.lba + UInt64(b)] = Array(req.data[b * bs..<(b + 1) * bs]) }
                if completions >= cutAfter {
                    cut = true
                    r.cutDuringWorkload = true
                    dm.disk.powerLoss()
                    w.stop()
                }
            case .flush:
                // The workload issues a flush only with nothing in flight: it covers every earlier ack.
                for (lba, v) in acked { durable[lba] = v }
                acked.removeAll()
                written.removeAll()
            case .read: break
            }
        }
        let wr = w.run()
        if !cut { dm.disk.powerLoss(); cut = true }
        r.operationsBeforeCut = completions
        r.workloadErrors = wr.errors
        r.workloadMismatches = wr.mismatches
        r.unflushedBlocksAtCut = acked.count
        let report = dm.disk.lastPowerLoss
        r.lostWritesReported = report?.lostWrites.count ?? 0
        r.lostWritesSample = (report?.lostWrites.prefix(8).map(\.description)) ?? []
        tamper?(dm)

        // What is on the medium now is what survived.
        var survived: [UInt64: [UInt8]] = [:]
        for lba in Set(durable.keys).union(written.keys).sorted() {
            var got = [UInt8](repeating: 0, count: bs)
            got.withUnsafeMutableBytes { try? dm.medium.read(lba: lba, count: 1, into: $0) }
            survived[lba] = got
            let want = durable[lba] ?? original[lba] ?? dm.baseBlock(lba)
            let later = written[lba] ?? []
            guard got == want || later.contains(got) else {
                r.violations += 1
                if r.violationSample.count < 16 { r.violationSample.append(lba) }
                continue
            }
            if durable[lba] != nil && later.isEmpty { r.durableBlocksChecked += 1 }
            if let last = acked[lba], got != last {
                r.unflushedWritesLost += 1
                if r.lostSample.count < 16 { r.lostSample.append(lba) }
                if !(report?.lostRanges.contains { $0.contains(lba) } ?? false) { r.unreportedLosses += 1 }
            }
        }

        // Power comes back: a new controller, disk and driver over the same medium read it all back.
        let again = try DiskMachine(o, medium: dm.medium)
        let lbas = survived.keys.sorted()
        var i = 0
        while i < lbas.count {
            var j = i + 1
            while j < lbas.count && lbas[j] == lbas[j - 1] + 1 && j - i < g.maximumBlocksPerRequest { j += 1 }
            let c = again.read(lba: lbas[i], count: j - i)
            for k in i..<j {
                let off = (k - i) * bs
                if c.status != .success || c.data.count < off + bs || !c.data[off..<off + bs].elementsEqual(survived[lbas[k]]!) {
                    r.readBackMismatches += 1
                }
            }
            i = j
        }
        try again.finish()
        try dm.finish()
        return r
    }
}
