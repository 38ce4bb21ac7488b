import Foundation
import Testing

/// Runs the built `boxless` binary as a user would, checking exit codes, output and JSON.
@Suite struct CLITests {
    static var binary: URL {
        // The test bundle sits in the build products folder, next to the `boxless` executable.
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

    @Test func devicesListsTheModels() throws {
        let r = try Self.run(["devices", "--json"])
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let devices = obj["devices"] as! [[String: Any]]
        #expect(devices.contains { $0["name"] as? String == "exerciser" && $0["vendor_id"] as? String == "1234" && $0["device_id"] as? String == "b0c5" })
    }

    @Test func lspciVerboseShowsBARsAndCapabilities() throws {
        let r = try Self.run(["lspci", "-v", "--devices", "exerciser"])
        #expect(r.status == 0)
        for line in ["00:03.0 Unclassified device [ff00]:", "Region 0: Memory at 8000000000 (64-bit, prefetchable) [size=16K]",
                     "Region 2: Memory at c0000000 (32-bit, non-prefetchable) [size=4K]", "Region 4: I/O ports at c000 [size=32]",
                     "Capabilities: [40] Power Management version 3", "MSI: Enable- Count=1/4 Maskable+ 64bit+",
                     "MSI-X: Enable+ Count=4 Masked-", "Vector table: BAR=2 offset=00000000", "PBA: BAR=2 offset=00000800",
                     "Express (v2) Endpoint", "Device Serial Number", "Kernel driver in use: exerciser"] {
            #expect(r.out.contains(line), "missing: \(line)")
        }
    }

    @Test func exerciseJSONHasTheContractKeysAndIsDeterministic() throws {
        let a = try Self.run(["exercise", "--ops", "30", "--seed", "7", "--json"])
        let b = try Self.run(["exercise", "--ops", "30", "--seed", "7", "--json"])
        #expect(a.status == 0)
        let oa = try JSONSerialization.jsonObject(with: Data(a.out.utf8)) as! [String: Any]
        let ob = try JSONSerialization.jsonObject(with: Data(b.out.utf8)) as! [String: Any]
        for k in ["host", "device", "driver", "operations", "bytes", "errors", "virtual_ns", "wall_ns", "events", "digest", "passed"] {
            #expect(oa[k] != nil, "missing key \(k)")
        }
        #expect(oa["digest"] as! String == ob["digest"] as! String)
        #expect(oa["passed"] as? Bool == true)
    }

    @Test func badOptionsGetOneClearErrorAndANonZeroExit() throws {
        let r = try Self.run(["exercise", "--interrupts", "bogus"])
        #expect(r.status != 0)
        #expect(r.err.contains("--interrupts must be msix, msi, intx or auto"))
        let u = try Self.run(["lspci", "--devices", "nosuchchip"])
        #expect(u.status != 0)
        #expect(u.err.contains("unknown device model 'nosuchchip'"))
        let w = try Self.run(["exercise", "--ops", "1", "--event-log", "/nonexistent-dir/x.jsonl"])
        #expect(w.status != 0)
        #expect(w.err.contains("/nonexistent-dir/x.jsonl"))
        #expect(w.err.split(separator: "\n").count == 1)
    }
}

/// `boxless replay` as a user meets it: exit codes, one-line errors, JSON, and captures tshark reads.
@Suite struct ReplayCLITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let trace = repo.appendingPathComponent("Traces/mixed-200.pcap").path

    @Test func replayPassesWithTheContractKeys() throws {
        let r = try CLITests.run(["replay", Self.trace, "--nic", "e1000", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        for k in ["host", "device", "driver", "packets_in", "delivered", "dropped", "mismatched", "virtual_ns", "wall_ns", "events", "digest", "passed"] {
            #expect(o[k] != nil, "missing key \(k)")
        }
        #expect(o["passed"] as? Bool == true)
    }

    @Test func malformedTracesGetOneLineAndANonZeroExit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.pcap").path
        FileManager.default.createFile(atPath: bad, contents: Data(repeating: 0x42, count: 100))
        let cut = dir.appendingPathComponent("cut.pcap").path
        FileManager.default.createFile(atPath: cut, contents: try Data(contentsOf: URL(fileURLWithPath: Self.trace)).prefix(3000))
        for path in [bad, cut, dir.appendingPathComponent("missing.pcap").path] {
            let r = try CLITests.run(["replay", path, "--nic", "e1000e"])
            #expect(r.status != 0)
            #expect(r.err.contains(path), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        let opt = try CLITests.run(["replay", Self.trace, "--nic", "e1000", "--timing", "warp"])
        #expect(opt.status != 0 && opt.err.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark")))
    func capturesAreReadByTshark() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rx = dir.appendingPathComponent("rx.pcap").path, tx = dir.appendingPathComponent("tx.pcap").path
        let r = try CLITests.run(["replay", Self.trace, "--nic", "e1000", "--capture-rx", rx, "--json"])
        let t = try CLITests.run(["replay", Self.trace, "--nic", "e1000", "--direction", "tx", "--capture-tx", tx, "--json"])
        #expect(r.status == 0 && t.status == 0)
        for (file, summary) in [(rx, r.out), (tx, t.out)] {
            let o = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as! [String: Any]
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
            p.arguments = ["-r", file, "-T", "fields", "-e", "frame.number"]
            let out = Pipe()
            p.standardOutput = out; p.standardError = Pipe()
            try p.run()
            let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            #expect(lines.count == o["delivered"] as! Int)
        }
    }
}

/// `--faults`, `--trace-out` and annotated pcapng captures through the command line.
@Suite struct FaultCLITests {
    static let plan = ReplayCLITests.repo.appendingPathComponent("Scenarios/faults/issue-14-example.yaml").path

    static func temporary() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A bad plan: one line naming the file, the line and the key; exit 2.
    @Test func badPlanIsOneLineWithFileLineAndKeyAndExitTwo() throws {
        let dir = try Self.temporary()
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "faults:\n  - when: { event: tx-frame, nth: 3 }\n    inject: tx-hang\n    colour: red\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for args in [["replay", ReplayCLITests.trace, "--nic", "e1000"], ["disk", "--size", "4M", "--ops", "10"]] {
            let r = try CLITests.run(args + ["--faults", bad])
            #expect(r.status == 2, "\(r.err)")
            #expect(r.err.contains("\(bad):4: key 'colour'"), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
    }

    /// The plan through the CLI: the Perfetto file has the trace-event structure (a
    /// `traceEvents` array of objects with `ph`, `ts`, `pid`, `tid`; a fault on its own track), and
    /// the pcapng capture carries a comment on frames the faults touched, which tshark shows.
    @Test func traceOutAndAnnotatedPcapng() throws {
        let dir = try Self.temporary()
        let trace = dir.appendingPathComponent("run.json").path, cap = dir.appendingPathComponent("rx.pcapng").path
        let r = try CLITests.run(["replay", ReplayCLITests.trace, "--nic", "e1000", "--faults", Self.plan,
                                  "--trace-out", trace, "--capture-rx", cap, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as! [String: Any]
        let events = try #require(o["traceEvents"] as? [[String: Any]])
        #expect(events.count > 100)
        for e in events { #expect(e["ph"] is String && e["pid"] != nil && (e["ph"] as? String == "M" || e["ts"] != nil)) }
        #expect(events.contains { ($0["name"] as? String)?.contains("link-down") == true })
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark") else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        p.arguments = ["-r", cap, "-T", "fields", "-e", "frame.comment"]
        let out = Pipe()
        p.standardOutput = out; p.standardError = Pipe()
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let comments = text.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!comments.isEmpty && comments.allSatisfy { $0.contains("fault") || $0.contains("rule") }, "\(comments.prefix(3))")
    }
}
