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
