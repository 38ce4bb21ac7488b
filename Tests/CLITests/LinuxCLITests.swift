import Foundation
import Testing

/// `--host linux` bad inputs: one line on stderr, exit status 2, no guest started.
@Suite struct LinuxCLITests {
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, err: String) {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    static let trace = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Traces/mixed-200.pcap").path

    func expectOneLine(_ r: (status: Int32, err: String), _ fragment: String) {
        #expect(r.status == 2)
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.err.contains(fragment), "\(r.err)")
    }

    @Test func nicWithoutALinuxDriverInTheGuest() throws {
        expectOneLine(try Self.run(["replay", Self.trace, "--nic", "exerciser", "--host", "linux"]), "not available on the Linux host")
    }

    @Test func missingGuestFiles() throws {
        expectOneLine(try Self.run(["replay", Self.trace, "--nic", "e1000", "--host", "linux"], environment: ["BOXLESS_LINUX_DIR": "/nonexistent"]),
                      "scripts/build-uml.sh")
        expectOneLine(try Self.run(["disk", "--host", "linux"], environment: ["BOXLESS_LINUX_DIR": "/nonexistent"]), "scripts/build-uml.sh")
    }

    @Test func linuxOnlyOptionsNeedTheLinuxHost() throws {
        expectOneLine(try Self.run(["replay", Self.trace, "--nic", "e1000", "--free-running"]), "--free-running needs --host linux")
        expectOneLine(try Self.run(["disk", "--kernel-log", "/tmp/k"]), "--kernel-log needs --host linux")
        expectOneLine(try Self.run(["replay", Self.trace, "--nic", "e1000", "--host", "linux", "--param", "itr_ns=1"]), "guest's own driver")
    }

    @Test func diskImageThatIsNotExt4() throws {
        let image = NSTemporaryDirectory() + "boxless-cli-notext4-\(getpid()).img"
        FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20))
        defer { try? FileManager.default.removeItem(atPath: image) }
        expectOneLine(try Self.run(["disk", "--host", "linux", "--image", image]), "not an ext4 image")
    }
}
