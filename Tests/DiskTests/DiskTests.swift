import AHCIModel
import BoxlessPlatform
import BoxlessRunner
import Foundation
import NativeDriverKit
import Testing

/// A scratch file path, unique per test.
func scratchPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-disktests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("\(name)-\(UUID().uuidString)").path
}

/// A file of `bytes` bytes with a seeded pattern.
func patternImage(_ name: String, bytes: Int, seed: UInt64 = 9) throws -> String {
    var rng = SeededRandom(seed: seed)
    var data = Data(count: bytes)
    data.withUnsafeMutableBytes { b in for i in stride(from: 0, to: bytes, by: 8) { b.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self) } }
    let path = scratchPath(name)
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

func options(_ kind: WorkloadKind = .verify, qd: Int = 32, profile: String = "ssd", ops: Int = 200, seed: UInt64 = 1) -> DiskOptions {
    var o = DiskOptions()
    o.workload = kind; o.queueDepth = qd; o.profile = profile; o.operations = ops; o.seed = seed
    o.size = 8 << 20; o.maxBlocks = 32
    return o
}

@Suite struct DiskWorkloadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let kind: WorkloadKind, qd: Int, profile: String
        var testDescription: String { "\(kind.rawValue) QD \(qd) \(profile)" }
    }
    static let cases = [WorkloadKind.verify, .randrw, .seq].flatMap { k in [1, 32].flatMap { q in ["ssd", "hdd"].map { Case(kind: k, qd: q, profile: $0) } } }

    @Test(arguments: cases)
    func workloadPasses(_ c: Case) throws {
        let s = try DiskRun.run(options(c.kind, qd: c.qd, profile: c.profile))
        #expect(s.passed, "\(s.failures) \(s.error_samples) \(s.findings)")
        #expect(s.errors == 0 && s.mismatches == 0)
        #expect(s.operations >= 200 && s.reads > 0 && s.writes > 0 && s.bytes > 0)
        #expect(s.queue_depth == c.qd)
        #expect(s.virtual_ns > 0 && s.digest.count == 64)
    }

    @Test func digestIsDeterministicAndSeedDependent() throws {
        let a = try DiskRun.run(options(.randrw, seed: 5))
        let b = try DiskRun.run(options(.randrw, seed: 5))
        let c = try DiskRun.run(options(.randrw, seed: 6))
        #expect(a.passed && b.passed && c.passed)
        #expect(a.digest == b.digest && a.virtual_ns == b.virtual_ns && a.events == b.events && a.bytes == b.bytes)
        #expect(a.digest != c.digest)
        let h1 = try DiskRun.run(options(.verify, qd: 1, profile: "hdd", seed: 5))
        let h2 = try DiskRun.run(options(.verify, qd: 1, profile: "hdd", seed: 5))
        #expect(h1.digest == h2.digest && h1.virtual_ns == h2.virtual_ns)
    }

    @Test func sizesParse() {
        #expect(DiskOptions.parseSize("64M") == 64 << 20)
        #expect(DiskOptions.parseSize("1g") == 1 << 30)
        #expect(DiskOptions.parseSize("8MiB") == 8 << 20)
        #expect(DiskOptions.parseSize("4096") == 4096)
        for bad in ["", "M", "12Q", "-1", "0", "1.5G", "99999999999T"] { #expect(DiskOptions.parseSize(bad) == nil, "\(bad)") }
    }
}

@Suite struct DiskImageTests {
    @Test func imageIsUntouchedWithoutWritableAndWrittenWithIt() throws {
        let path = try patternImage("base", bytes: 2 << 20)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var o = options(.randrw)
        o.image = path; o.size = nil
        let s = try DiskRun.run(o)
        #expect(s.passed, "\(s.failures)")
        #expect(s.writes > 0 && (s.overlay_sectors ?? 0) > 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the image changed without --writable")

        o.writable = true
        let w = try DiskRun.run(o)
        #expect(w.passed, "\(w.failures) \(w.error_samples)")
        #expect(w.overlay_sectors == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before, "--writable did not reach the image")
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func imageErrorsNameTheFile() throws {
        func message(_ o: DiskOptions) -> String {
            do { _ = try DiskRun.run(o); return "no error" } catch { return "\(error)" }
        }
        var o = options()
        o.size = nil
        o.image = "/nonexistent/boxless.img"
        #expect(message(o) == "/nonexistent/boxless.img: no such file")
        let dir = scratchPath("dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        o.image = dir
        #expect(message(o) == "\(dir): not a regular file (it is a directory)")
        let odd = scratchPath("odd")
        try Data(count: 1000).write(to: URL(fileURLWithPath: odd))
        o.image = odd
        #expect(message(o).hasPrefix("\(odd): size 1000 bytes is not a multiple of the 512-byte sector size"))
        let tiny = scratchPath("tiny")
        try Data(count: 4096).write(to: URL(fileURLWithPath: tiny))
        o.image = tiny
        let m = message(o)
        #expect(m.hasPrefix("\(tiny): the disk has 8 sectors") && m.contains("too small"), "\(m)")
        o.size = 8192
        #expect(message(o).hasPrefix("\(tiny): the image is 4096 bytes but --size asks for 8192 bytes"))
    }

    @Test func ext4SuperblockReadsThroughControllerAndDriver() throws {
        let mkfs = ["/sbin/mkfs.ext4", "/usr/sbin/mkfs.ext4"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mkfs else {
            print("skipped: mkfs.ext4 not found (install e2fsprogs)")
            return
        }
        let path = scratchPath("ext4")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mkfs)
        p.arguments = ["-q", "-F", path, "8M"]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "mkfs.ext4 failed")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var o = DiskOptions()
        o.image = path
        let dm = try DiskMachine(o)
        #expect(dm.device.geometry.blockCount == 16384)
        let c = dm.read(lba: 2, count: 2)     // ext4 block... the superblock: bytes 1024–2047
        #expect(c.status == .success)
        try #require(c.data.count == 1024)
        // s_magic is at offset 0x38 of the superblock, byte 1080 of the disk: 0xEF53 little-endian.
        #expect(c.data[1080 - 1024] == 0x53 && c.data[1081 - 1024] == 0xEF)
        let whole = dm.read(lba: 0, count: 4)
        #expect(whole.status == .success && whole.data[1080] == 0x53 && whole.data[1081] == 0xEF)
        #expect(Array(whole.data) == Array(before[0..<2048]))
        try dm.finish()
        #expect(dm.machine.machine.log.findingCount == 0)
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite struct DiskFaultTests {
    @Test(arguments: ["ssd", "hdd"])
    func powerLossKeepsEveryFlushedWrite(profile: String) throws {
        var o = options(.randrw, qd: 8, profile: profile, ops: 400)
        o.size = 4 << 20
        let r = try PowerLossCheck.run(options: o, cutAfter: 250, flushEvery: 16)
        #expect(r.cutDuringWorkload)
        #expect(r.violations == 0, "flushed data lost at \(r.violationSample)")
        #expect(r.unreportedLosses == 0 && r.readBackMismatches == 0)
        #expect(r.workloadErrors == 0 && r.workloadMismatches == 0)
        #expect(r.durableBlocksChecked > 0)
        #expect(r.unflushedBlocksAtCut > 0)
        #expect(r.unflushedWritesLost > 0, "a cut right after a cached write must lose something")
        #expect(r.lostWritesReported > 0)
        #expect(r.passed)
    }

    @Test func powerLossCheckCatchesLostFlushedData() throws {
        var o = options(.randrw, qd: 8, ops: 300)
        o.size = 1 << 20
        let r = try PowerLossCheck.run(options: o, cutAfter: 200, flushEvery: 8) { dm in
            // A "disk" that lost everything: scribble over the whole medium.
            let junk = [UInt8](repeating: 0xE5, count: 512 * 64)
            junk.withUnsafeBytes { b in
                for lba in stride(from: UInt64(0), to: dm.medium.sectorCount, by: 64) { try? dm.medium.write(lba: lba, count: 64, from: b) }
            }
        }
        #expect(r.violations > 0)
        #expect(!r.passed)
    }

    /// Each disk fault through `boxless disk --faults`: the driver's answer (retry, port reset,
    /// reported error) keeps the check whole; a power cut may lose only unflushed writes.
    @Test(arguments: [
        "{ when: { event: disk-command, nth: 50 }, inject: media-error }",
        "{ when: { event: disk-command, nth: 50 }, inject: command-timeout }",
        "{ when: { event: disk-command, nth: 50 }, inject: interface-crc }",
        "{ when: { event: disk-command, nth: 100 }, inject: latency-outlier, delay: 50ms }",
        "{ when: { event: disk-command, nth: 100 }, inject: power-loss }",
        "{ when: { event: disk-command, nth: 100 }, inject: phy-not-ready, duration: 5ms }",
        "{ when: { event: dma-write, nth: 100 }, inject: surprise-removal }",
    ])
    func diskFaultIsAnsweredByTheDriver(rule: String) throws {
        let path = scratchPath("plan.yaml")
        try "faults:\n  - \(rule)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        var o = options(.randrw, qd: 8, ops: 300)
        o.size = 8 << 20
        try o.loadFaults(path)
        let s = try DiskRun.run(o)
        #expect(s.passed, "\(s.failures) \(s.error_samples.prefix(3))")
        #expect(s.faults?.total == 1)
        #expect(s.recoveries?.allSatisfy(\.recovered) ?? true, "\(s.recoveries ?? [])")
    }

    @Test func mediaErrorsReachTheCallerAndOtherBlocksAreServed() throws {
        var o = DiskOptions()
        o.size = 4 << 20
        let dm = try DiskMachine(o)
        let bad: Range<UInt64> = 1000..<1008
        dm.disk.markBad(lbaRange: bad)
        let reqs = [
            BlockRequest(id: 1, operation: .read, lba: 1000, blockCount: 4),
            BlockRequest(id: 2, operation: .read, lba: 0, blockCount: 8),
            BlockRequest(id: 3, operation: .read, lba: 996, blockCount: 8),
            BlockRequest(id: 4, operation: .read, lba: 2000, blockCount: 8),
            BlockRequest(id: 5, operation: .write, lba: 3000, blockCount: 1, data: [UInt8](repeating: 7, count: 512)),
            BlockRequest(id: 6, operation: .read, lba: 3000, blockCount: 1),
        ]
        for depth in [1, 32] {
            let cs = dm.perform(reqs, queueDepth: depth)
            #expect(cs[0].status == .mediaError(lba: 1000), "QD \(depth): \(cs[0].status)")
            #expect(cs[1].status == .success && cs[1].data == [UInt8](repeating: 0, count: 4096))
            if case .mediaError(let lba) = cs[2].status { #expect(bad.contains(lba)) } else { Issue.record("QD \(depth): \(cs[2].status)") }
            #expect(cs[3].status == .success && cs[3].data.count == 4096)
            #expect(cs[4].status == .success)
            #expect(cs[5].status == .success && cs[5].data == [UInt8](repeating: 7, count: 512))
        }

        // A random-read workload over the region: exactly the requests touching bad blocks fail.
        var s = BlockWorkload.Settings()
        s.kind = .randread; s.operations = 200; s.queueDepth = 32; s.maxBlocks = 8; s.span = 1200
        let w = dm.workload(s)
        var wrong: [String] = []
        w.onCompletion = { req, c in
            let touchesBad = (req.lba..<req.lba + UInt64(req.blockCount)).overlaps(bad)
            switch c.status {
            case .success: if touchesBad { wrong.append("read at \(req.lba) succeeded over bad blocks") }
            case .mediaError(let lba): if !touchesBad || !bad.contains(lba) { wrong.append("read at \(req.lba): media error at \(lba)") }
            default: wrong.append("read at \(req.lba): \(c.status)")
            }
        }
        let r = w.run()
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(r.operations == 200 && r.mediaErrors > 0 && r.mediaErrors == r.errors && r.reads > 0 && r.mismatches == 0)
        // And the disk keeps working after them.
        #expect(dm.read(lba: 100, count: 8).status == .success)
        try dm.finish()
    }
}

@Suite struct DiskCLITests {
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("boxless").path),
           let b = Bundle.main.executableURL?.deletingLastPathComponent() { dir = b }
        return dir.appendingPathComponent("boxless")
    }

    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func oneLine(_ args: [String], mentions: String) throws {
        let r = try Self.run(args)
        #expect(r.status != 0, "\(args)")
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1, "\(args): \(r.err)")
        #expect(r.err.contains(mentions), "\(args): \(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func badInputGetsOneLineAndANonZeroExit() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the boxless product first (swift build)")
        try oneLine(["disk", "--controller", "ahci", "--image", "/nonexistent/disk.img"], mentions: "/nonexistent/disk.img: no such file")
        let dir = scratchPath("cli-dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try oneLine(["disk", "--image", dir], mentions: "\(dir): not a regular file")
        let odd = scratchPath("cli-1000")
        try Data(count: 1000).write(to: URL(fileURLWithPath: odd))
        try oneLine(["disk", "--image", odd], mentions: "\(odd): size 1000 bytes is not a multiple of the 512-byte sector size")
        let tiny = scratchPath("cli-tiny")
        try Data(count: 4096).write(to: URL(fileURLWithPath: tiny))
        try oneLine(["disk", "--image", tiny, "--ops", "10"], mentions: "\(tiny): the disk has 8 sectors")
        try oneLine(["disk", "--size", "12Q"], mentions: "--size must be")
        try oneLine(["disk", "--size", "1000"], mentions: "not a multiple of the 512-byte sector size")
        try oneLine(["disk", "--queue-depth", "0"], mentions: "--queue-depth must be 1…32")
        try oneLine(["disk", "--queue-depth", "64"], mentions: "--queue-depth must be 1…32")
    }

    @Test func jsonHasTheContractKeys() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the boxless product first (swift build)")
        let r = try Self.run(["disk", "--controller", "ahci", "--size", "8M", "--workload", "randrw", "--ops", "100", "--seed", "3", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        for k in ["operations", "bytes", "errors", "virtual_ns", "wall_ns", "digest", "passed"] { #expect(obj[k] != nil, "missing \(k)") }
        #expect(obj["passed"] as? Bool == true)
        #expect(r.err.isEmpty)
    }
}
