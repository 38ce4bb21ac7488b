import BoxlessPlatform
import Foundation
import LinuxHost

/// One boot of a UML guest on a Boxless machine: a private temporary folder with the device sockets
/// and the initramfs, the machine (models only: the guest brings its own drivers), the Linux host's
/// loop, and the guest's reports.
public final class LinuxSession {
    /// The machine.
    public let machine: Machine
    /// The host serving the machine to the guest.
    public let host: LinuxHost
    /// The private folder (removed by ``close()``).
    public let directory: String
    /// Agent lines that were not consumed by a job (every `say` of the init script).
    public private(set) var reports: [String] = []
    /// Capacity of the guest's output pipes (see ``UMLProcess``); tests make it small.
    public var outputPipeBytes = 1 << 20
    private let files: LinuxGuestFiles
    private let seed: UInt64
    private var closed = false

    /// The catalog entry `name` if the guest kernel has a driver for it (``CatalogEntry/linuxDrivers``),
    /// or the one-line error saying it has not.
    static func entry(_ name: String, nic: Bool) throws(RunnerError) -> CatalogEntry {
        guard let e = DeviceCatalog.entry(named: name) else { throw .badOption(MachineError.unknownModel(name).description) }
        guard !e.linuxDrivers.isEmpty, e.isNIC == nic else {
            let on = DeviceCatalog.entries.filter { !$0.linuxDrivers.isEmpty && $0.isNIC == nic }.map(\.name)
            throw .badOption("--\(nic ? "nic" : "controller") \(name) is not available on the Linux host (Linux host \(nic ? "NICs" : "controllers"): \(on.joined(separator: ", ")))")
        }
        return e
    }

    /// Builds the machine `spec` describes (its slots' models from the catalog, or from `make`) and
    /// a host for it. With `timeTravel`, the guest runs on the machine's simulated clock.
    public convenience init(spec: MachineSpec, make: ((MachineSpec.Slot) -> (any PCIDeviceModel)?)? = nil, timeTravel: Bool = false,
                            files: LinuxGuestFiles) throws {
        let models = try spec.models(make: make)
        try self.init(models: models.map(\.model), slots: models.map(\.slot.device), seed: spec.seed, strict: spec.strict,
                      timeTravel: timeTravel, files: files)
    }

    /// Builds a machine with `models` in `slots` (default 1, 2, …) and a host for it.
    /// With `timeTravel`, the guest runs on the machine's simulated clock (deterministic runs).
    public init(models: [any PCIDeviceModel], slots: [UInt8]? = nil, seed: UInt64 = 1, strict: Bool = true, timeTravel: Bool = false,
                files: LinuxGuestFiles) throws(LinuxHostError) {
        self.files = files
        self.seed = seed
        var template = Array("/tmp/boxless-linux-XXXXXX".utf8CString)
        guard let d = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .system("mkdtemp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: d)
        machine = Machine(configuration: MachineConfiguration(seed: seed, strict: strict))
        for (i, m) in models.enumerated() { machine.plug(m, at: PCIAddress(device: slots?[i] ?? UInt8(i + 1))) }
        do { host = try LinuxHost(machine: machine, directory: directory, timeTravel: timeTravel) } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit { close() }

    /// Boots the guest with `image` (plus the `extraFiles`).
    public func boot(_ image: LinuxGuestImage, memoryMiB: Int = 256) throws(LinuxHostError) {
        let initrd = directory + "/initramfs.cpio"
        try image.write(to: initrd, files: files)
        try host.boot(kernel: files.kernel, initramfs: initrd, memoryMiB: memoryMiB, seedLibrary: files.seedLibrary, seed: seed,
                      outputPipeBytes: outputPipeBytes)
    }

    /// Runs until the agent reports a line for which `match` is true; returns it (nil on timeout or
    /// when the guest stopped first). Lines before it are kept in ``reports``.
    public func waitFor(timeoutSeconds: Double, _ match: (String) -> Bool) throws(LinuxHostError) -> String? {
        var found: String?
        _ = try host.run(timeoutSeconds: timeoutSeconds) {
            for l in host.takeAgentLines() {
                if found == nil && match(l) { found = l } else { reports.append(l) }
            }
            return found != nil
        }
        for l in host.takeAgentLines() { reports.append(l) }
        return found
    }

    /// Runs until the init script says DONE (or the guest stops, or the timeout passes).
    @discardableResult
    public func waitForDone(timeoutSeconds: Double) throws(LinuxHostError) -> Bool {
        try waitFor(timeoutSeconds: timeoutSeconds) { $0 == "DONE" } != nil
    }

    /// Takes every report so far (including those still in the host's buffer).
    public func takeReports() -> [String] {
        reports += host.takeAgentLines()
        defer { reports.removeAll() }
        return reports
    }

    /// Puts reports back (after a caller took the ones it consumes).
    public func keepReports(_ lines: [String]) { reports = lines + reports }

    /// The agent reports whose first word is `key`, without it.
    public func reports(_ key: String) -> [String] {
        reports.compactMap { l in l.hasPrefix(key + " ") ? String(l.dropFirst(key.count + 1)) : (l == key ? "" : nil) }
    }

    /// The guest kernel's log.
    public var kernelLog: [String] { host.kernelLog }

    /// Kernel-log lines that fail the run.
    public var kernelProblems: [String] { KernelLogCheck(host.kernelLog).problems }

    /// Findings the machine logged.
    public var findings: [String] { machine.log.findings.map { "\($0)" } }

    /// Stops the guest and removes the folder.
    public func close() {
        guard !closed else { return }
        closed = true
        host.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
