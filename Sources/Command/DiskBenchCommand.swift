import ArgumentParser
import BoxlessRunner
import Foundation

struct DiskBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk-bench",
        abstract: "Measure the block path through the AHCI model and driver: 4 KiB random-read IOPS and sequential MB/s (use a release build).")
    @Option(help: "4 KiB random reads to time.") var reads = 200_000
    @Option(help: "Sequential requests per round (half writes, a flush, half reads).") var seqOps = 256
    @Option(help: "Sequential rounds (each on a fresh machine; see the note on flush sizes).") var seqRounds = 8
    @Option(name: .customLong("seq-blocks"), help: "Sequential request size in 512-byte blocks.") var seqBlocks = 256
    @Option(name: .customLong("queue-depth"), help: "Requests in flight.") var queueDepth = 32
    @Option(help: "Disk profile: ssd or hdd.") var profile = "ssd"
    @Option(help: "Size of the memory-backed disk.") var size = "1G"
    @Flag(name: .customLong("no-payload-digest"), help: "Leave DMA payload bytes out of the event-log digest.") var noPayloadDigest = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Case: Encodable {
        let workload: String, operations: Int, bytes: Int, queue_depth: Int
        let wall_ns: UInt64, virtual_ns: UInt64, per_second: Double, mb_per_second: Double, virtual_to_wall: Double, passed: Bool
    }
    struct Result: Encodable {
        let controller: String, profile: String, random_read_4k: Case, sequential: Case
        let iops_4k_random_read: Double, sequential_mb_per_second: Double, peak_rss_mib: Double, passed: Bool
    }

    func validate() throws {
        guard DiskOptions.queueDepthRange.contains(queueDepth) else { throw fail("--queue-depth must be 1…32 (got \(queueDepth))") }
        guard reads > 0, seqOps > 1, seqRounds > 0 else { throw fail("--reads, --seq-ops and --seq-rounds must be positive") }
        guard (1...256).contains(seqBlocks) else { throw fail("--seq-blocks must be 1…256") }
        guard DiskOptions.parseSize(size) != nil else { throw fail("--size must be a size such as 64M or 1G (got '\(size)')") }
    }

    func measure(_ kind: WorkloadKind, ops: Int, blocks: Int) throws -> Case {
        var o = DiskOptions()
        o.workload = kind; o.operations = ops; o.maxBlocks = blocks; o.queueDepth = queueDepth
        o.profile = profile; o.size = DiskOptions.parseSize(size); o.strict = false; o.digestPayloads = !noPayloadDigest
        let s: DiskSummary
        do { s = try DiskRun.run(o) } catch { throw fail("\(error)") }
        let wall = Double(max(1, s.workload_wall_ns)) / 1e9
        return Case(workload: kind.rawValue, operations: s.operations, bytes: s.bytes, queue_depth: s.queue_depth,
                    wall_ns: s.workload_wall_ns, virtual_ns: s.workload_virtual_ns, per_second: Double(s.operations) / wall,
                    mb_per_second: Double(s.bytes) / wall / 1e6,
                    virtual_to_wall: Double(s.workload_virtual_ns) / Double(max(1, s.workload_wall_ns)), passed: s.passed)
    }

    func run() throws {
        let rr = try measure(.randread, ops: reads, blocks: 8)
        // Rounds rather than one long run: a FLUSH of more than ~18 MB of dirty cache overflows the
        // SATA disk model's transfer-time arithmetic (SATADisk.transfer), so each round writes ≤ 16 MiB.
        var rounds: [Case] = []
        for _ in 0..<seqRounds { rounds.append(try measure(.seq, ops: seqOps, blocks: seqBlocks)) }
        let wallNS = rounds.reduce(UInt64(0)) { $0 + $1.wall_ns }, virtualNS = rounds.reduce(UInt64(0)) { $0 + $1.virtual_ns }
        let ops = rounds.reduce(0) { $0 + $1.operations }, bytes = rounds.reduce(0) { $0 + $1.bytes }
        let wallS = Double(max(1, wallNS)) / 1e9
        let sq = Case(workload: "seq", operations: ops, bytes: bytes, queue_depth: rounds[0].queue_depth, wall_ns: wallNS, virtual_ns: virtualNS,
                      per_second: Double(ops) / wallS, mb_per_second: Double(bytes) / wallS / 1e6,
                      virtual_to_wall: Double(virtualNS) / Double(max(1, wallNS)), passed: rounds.allSatisfy(\.passed))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let r = Result(controller: "ahci", profile: profile, random_read_4k: rr, sequential: sq,
                       iops_4k_random_read: rr.per_second, sequential_mb_per_second: sq.mb_per_second,
                       peak_rss_mib: Double(usage.ru_maxrss) / 1024, passed: rr.passed && sq.passed)
        if json { try printJSON(r) } else {
            print(String(format: "4 KiB random read, QD %d: %d reads in %.3f s wall (%.3f ms virtual): %.0f IOPS, virtual/wall %.3f%@",
                         rr.queue_depth, rr.operations, Double(rr.wall_ns) / 1e9, Double(rr.virtual_ns) / 1e6, rr.per_second,
                         rr.virtual_to_wall, rr.passed ? "" : " (checks FAILED)"))
            print(String(format: "sequential %d KiB, QD %d: %d requests, %.1f MB in %.3f s wall (%.3f ms virtual): %.1f MB/s, virtual/wall %.3f%@",
                         seqBlocks / 2, sq.queue_depth, sq.operations, Double(sq.bytes) / 1e6, Double(sq.wall_ns) / 1e9,
                         Double(sq.virtual_ns) / 1e6, sq.mb_per_second, sq.virtual_to_wall, sq.passed ? "" : " (checks FAILED)"))
            print(String(format: "peak RSS %.1f MiB", r.peak_rss_mib))
        }
        if !r.passed { throw ExitCode(1) }
    }
}
