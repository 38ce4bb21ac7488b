import Foundation
import NativeDriverKit
#if canImport(Glibc)
import Glibc
#endif

/// One QEMU process and its sockets, in a private temporary directory.
///
/// QEMU is started by a small `/bin/sh` script that leaves behind a watchdog holding the read end of
/// a pipe whose write end only this process has, then `exec`s QEMU (so the child we spawned is QEMU
/// itself): when we stop — or die, however we die — the pipe closes and the watchdog kills QEMU, so
/// QEMU never outlives a run.
///
/// The Debian QEMU 7.2 build has no `qtest` accelerator (`-accel qtest` reports "invalid
/// accelerator", so `clock_step` is refused), so the machine runs under TCG with a 64 KiB firmware
/// whose reset vector is `cli; hlt`: no guest code touches the devices, and QEMU's virtual clock runs
/// with the host's clock while only qtest drives the machine.
final class QEMUProcess {
    let spec: QEMUMachineSpec
    let directory: String
    let arguments: [String]
    private let process = Process()
    private var watchdogWriteEnd: Int32 = -1
    private(set) var connection: QTestConnection!
    /// The datagram socket QEMU's network backend talks to (nil without a network).
    private(set) var networkSocket: Int32 = -1
    /// Where QEMU's network backend listens.
    let qemuNetworkPath: String
    private var stopped = false

    /// The firmware: 64 KiB of zeros whose last 16 bytes (the reset vector at 0xFFFF_FFF0) are
    /// `FA` (cli), `F4` (hlt), `EB FC` (jmp back to the cli).
    static func haltFirmware() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 65536)
        b.replaceSubrange(65536 - 16 ..< 65536 - 12, with: [0xFA, 0xF4, 0xEB, 0xFC])
        return b
    }

    /// The shell watchdog (see the type's documentation).
    static let watchdogScript = """
        exec 3<&0
        ( read -r _ <&3; kill -KILL $$ 2>/dev/null ) </dev/null &
        exec "$@" </dev/null 3<&-
        """

    /// QEMU's arguments for `spec` with its sockets in `dir`.
    static func commandLine(_ spec: QEMUMachineSpec, directory dir: String) -> [String] {
        var device = "\(spec.device),addr=\(String(spec.slot, radix: 16)).0,romfile="
        for p in spec.deviceProperties { device += "," + p }
        var args = ["-machine", "q35", "-accel", "tcg", "-bios", dir + "/halt.bin",
                    "-qtest", "unix:" + dir + "/qtest.sock", "-qtest-log", "/dev/null",
                    "-display", "none", "-nodefaults", "-nographic", "-serial", "none", "-monitor", "none",
                    "-m", "\(spec.memoryMiB)M"]
        if spec.hasNetwork {
            device += ",netdev=n0"
            args += ["-netdev", "dgram,id=n0,local.type=unix,local.path=\(dir)/qemu-net.sock,remote.type=unix,remote.path=\(dir)/peer-net.sock"]
        }
        args += ["-device", device]
        return args + spec.extraArguments
    }

    init(spec: QEMUMachineSpec) throws(QEMUHostError) {
        self.spec = spec
        guard access(spec.binary, X_OK) == 0 else { throw .binaryMissing(path: spec.binary) }
        var template = Array("/tmp/boxless-qemu-XXXXXX".utf8CString)
        guard let d = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw UnixSocket.errnoText("mkdtemp")
        }
        directory = String(cString: d)
        qemuNetworkPath = directory + "/qemu-net.sock"
        arguments = Self.commandLine(spec, directory: directory)
        do throws(QEMUHostError) { try launch() } catch { stop(); throw error }
    }

    deinit { stop() }

    var stderrText: String {
        (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
    }

    private func launch() throws(QEMUHostError) {
        guard FileManager.default.createFile(atPath: directory + "/halt.bin", contents: Data(Self.haltFirmware())),
              FileManager.default.createFile(atPath: directory + "/stderr", contents: nil),
              let errHandle = FileHandle(forWritingAtPath: directory + "/stderr") else {
            throw .system("cannot write into \(directory)")
        }
        let listener = try UnixSocket.listen(at: directory + "/qtest.sock")
        defer { close(listener) }
        if spec.hasNetwork { networkSocket = try UnixSocket.datagram(at: directory + "/peer-net.sock") }

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw UnixSocket.errnoText("pipe") }
        for f in fds { _ = fcntl(f, F_SETFD, FD_CLOEXEC) }
        watchdogWriteEnd = fds[1]
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", Self.watchdogScript, "qemu-watchdog", spec.binary] + arguments
        let readEnd = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        process.standardInput = readEnd
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errHandle
        do { try process.run() } catch {
            throw .startFailed(binary: spec.binary, status: nil, stderr: "cannot spawn /bin/sh: \(error)")
        }
        try? readEnd.close()
        try? errHandle.close()

        let timeout = Int(Instant.picoseconds(of: spec.startTimeout) / 1_000_000_000)
        guard let fd = try UnixSocket.accept(listener, timeoutMilliseconds: timeout, stillWaiting: { alive }) else {
            let status = exitStatus(within: 1000) ?? nil
            throw .startFailed(binary: spec.binary, status: status, stderr: stderrText)
        }
        let c = QTestConnection(fileDescriptor: fd)
        c.diagnostics = { [weak self] in self?.exitDiagnostics ?? "" }
        connection = c
    }

    private var exitDiagnostics: String {
        var s = stderrText.trimmingTrailingNewlines
        if !alive, !process.isRunning { s += (s.isEmpty ? "" : "; ") + "exit status \(process.terminationStatus)" }
        return s
    }

    /// QEMU's exit status if it exits within `milliseconds`, else nil.
    func exitStatus(within milliseconds: Int) -> Int32?? {
        var waited = 0
        while alive && waited < milliseconds { usleep(5000); waited += 5 }
        if alive { return nil }
        return .some(process.isRunning ? nil : process.terminationStatus)
    }

    /// Whether QEMU runs: Foundation's `isRunning` may lag (it learns of the exit through SIGCHLD,
    /// which some threads block), so a zombie in /proc counts as exited.
    private var alive: Bool {
        guard process.isRunning else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].dropFirst().first
        return state != "Z" && state != "X"
    }

    /// Whether QEMU is still running.
    var isRunning: Bool { !stopped && alive }

    /// Stops QEMU (closing the watchdog pipe kills it) and removes the directory.
    func stop() {
        guard !stopped else { return }
        stopped = true
        connection = nil
        if watchdogWriteEnd >= 0 { close(watchdogWriteEnd); watchdogWriteEnd = -1 }
        if networkSocket >= 0 { close(networkSocket); networkSocket = -1 }
        if process.processIdentifier != 0 {
            var waited = 0
            while alive && waited < 5000 { usleep(5000); waited += 5 }
            if alive { kill(process.processIdentifier, SIGKILL) }
        }
        for f in ["qtest.sock", "qemu-net.sock", "peer-net.sock", "halt.bin", "stderr"] { unlink(directory + "/" + f) }
        rmdir(directory)
    }
}
