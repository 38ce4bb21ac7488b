import BoxlessPlatform
import CVhostUser
import Glibc

/// The Linux host: real Linux drivers, running in a User-Mode Linux guest, on Boxless device models.
///
/// Each PCI function of the machine is served to the guest on its own vhost-user socket
/// (``VirtualPCIDevice``); UML's "PCI over virtio" bus (CONFIG_UML_PCI_OVER_VIRTIO) puts them in
/// slots in the order it probes them. The host runs one loop on the caller's thread: it polls the
/// sockets, the queues' kick descriptors and the guest's console pipes, serves what is ready, and
/// runs the machine's scheduler.
///
/// Time has two modes. Free-running: the machine's virtual clock follows the host's monotonic clock
/// from the moment the guest starts, so device timing happens in real time as the guest sees it;
/// such runs are not deterministic. Time travel (``timeTravel``): UML runs in its external
/// time-travel mode with this host as its calendar (``TimeTravelCalendar``): the guest and the
/// machine share one simulated clock, guest code takes no simulated time, and runs repeat.
public final class LinuxHost: InterruptSink {
    /// The machine whose functions are served.
    public let machine: Machine
    /// The served functions, in socket order.
    public private(set) var devices: [VirtualPCIDevice] = []
    /// The guest, once started.
    public private(set) var guest: UMLProcess?
    /// Every line the guest kernel printed, in order.
    public private(set) var kernelLog: [String] = []
    /// Lines from the guest agent (`/dev/tty1`), in order, not yet taken.
    public private(set) var agentLines: [String] = []
    /// Called for each agent line as it arrives (on the loop's thread).
    public var onAgentLine: ((String) -> Void)?
    private var consoleBuffer: [UInt8] = []
    private var agentBuffer: [UInt8] = []
    private var startWall: UInt64 = 0
    private let directory: String
    /// The time-travel calendar, in time-travel mode.
    public let calendar: TimeTravelCalendar?
    /// Whether the guest and the machine share a simulated clock (deterministic runs).
    public var timeTravel: Bool { calendar != nil }

    /// Prepares a host for `machine`, serving `functions` (default: all), with sockets in `directory`.
    /// With `timeTravel`, the guest runs in UML's external time-travel mode on the machine's clock.
    public init(machine: Machine, functions: [PCIFunction]? = nil, directory: String, timeTravel: Bool = false) throws(LinuxHostError) {
        self.machine = machine
        self.directory = directory
        calendar = timeTravel ? try TimeTravelCalendar(path: "\(directory)/time.sock", machine: machine) : nil
        for (i, f) in (functions ?? machine.functions).enumerated() {
            devices.append(try VirtualPCIDevice(function: f, machine: machine, socketPath: "\(directory)/pci\(i).sock"))
        }
        machine.interruptSink = self
        if let c = calendar {
            let connections = devices.map(\.connection)
            c.notificationsSettled = { connections.allSatisfy { !$0.callsOutstanding } }
            for d in devices { d.afterKick = { [unowned self] () throws(LinuxHostError) in try self.settleNotifications() } }
            c.beforeRun = { [unowned self] in self.drainOutputs() }
        }
    }

    deinit { stop() }

    /// Boots `kernel` with `initramfs`, `memoryMiB` of RAM and `extraArguments` on its command line.
    /// The guest connects to every device socket as it boots. `seedLibrary` (Guest/uml-seed.c),
    /// when given, is preloaded so the guest kernel's random generator starts from `seed`.
    public func boot(kernel: String, initramfs: String, memoryMiB: Int = 256, extraArguments: [String] = [],
                     seedLibrary: String? = nil, seed: UInt64 = 1, outputPipeBytes: Int = 1 << 20) throws(LinuxHostError) {
        guard access(initramfs, R_OK) == 0 else { throw .missing("initramfs \(initramfs) is missing") }
        // Paths relative to the run's folder (UML starts there): the kernel mixes its command line
        // into its random generator, and the folder's name differs from run to run.
        func local(_ path: String) -> String {
            path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
        }
        // UML keeps a pid file and its management console socket in UML_DIR/UMID (default
        // ~/.uml/<random>, left behind when a guest is killed): keep them in the run's folder.
        var args = ["mem=\(memoryMiB)M", "initrd=\(local(initramfs))", "rdinit=/init", "panic=-1", "loglevel=7", "printk.time=1",
                    "uml_dir=.", "umid=uml"]
        args += devices.map { "virtio_uml.device=\(local($0.connection.path)):1234" }
        if let c = calendar { args.append("time-travel=ext:\(local(c.path))") }
        args += extraArguments
        startWall = Self.monotonicNanoseconds()
        var env: [String: String] = ["BOXLESS_UML_DIR": directory]
        if let lib = seedLibrary { env["LD_PRELOAD"] = lib; env["BOXLESS_GUEST_SEED"] = String(seed) }
        guest = try UMLProcess(kernel: kernel, arguments: args, environment: env, outputPipeBytes: outputPipeBytes)
    }

    /// Stops the guest and closes the sockets.
    public func stop() {
        if let g = guest {
            g.stop()
            drainOutputs()
            g.closeOutputs()
            guest = nil
        }
        for d in devices { d.connection.shutdown() }
        calendar?.shutdown()
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Wall time since boot, as the machine's virtual time.
    private var wallNow: VirtualTime { VirtualTime(picoseconds: (Self.monotonicNanoseconds() - startWall) * 1000) }

    /// Free-running: runs the machine's events up to the present. Time travel: lets the calendar
    /// move the shared clock as far as it may now.
    public func catchUp() throws(LinuxHostError) {
        if let c = calendar {
            while try c.step() {}
        } else {
            machine.scheduler.run(until: max(machine.now, wallNow))
        }
    }

    /// Runs the loop until `done()` holds, the guest exits, or `timeoutSeconds` of wall time pass.
    /// Returns whether `done()` held.
    @discardableResult
    public func run(timeoutSeconds: Double, until done: () -> Bool) throws(LinuxHostError) -> Bool {
        let deadline = Self.monotonicNanoseconds() + UInt64(timeoutSeconds * 1e9)
        while !done() {
            guard let g = guest, g.isRunning else { drainOutputs(); return done() }
            let nowNs = Self.monotonicNanoseconds()
            if nowNs >= deadline { return false }
            try pollOnce(maxWaitNanoseconds: min(deadline - nowNs, 50_000_000))
        }
        return true
    }

    /// One loop turn: wait (at most until the machine's next event) for a descriptor, serve it, and
    /// run the machine's events that are due.
    public func pollOnce(maxWaitNanoseconds: UInt64) throws(LinuxHostError) {
        try catchUp()
        var fds: [pollfd] = []
        var actions: [(Int32) throws(LinuxHostError) -> Void] = []
        func watch(_ fd: Int32, _ action: @escaping (Int32) throws(LinuxHostError) -> Void) {
            guard fd >= 0 else { return }
            fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            actions.append(action)
        }
        if let c = calendar {
            if c.descriptor >= 0 {
                watch(c.descriptor) { _ throws(LinuxHostError) in
                    if try !c.handleMessage() { c.shutdown() }
                }
            } else {
                watch(c.listenDescriptor) { _ throws(LinuxHostError) in try c.accept() }
            }
        }
        // Time travel reads the guest's output pipes only while the guest waits, just before it is
        // let run (the calendar's `beforeRun`): a read of a pipe signals its writer (SIGIO to UML,
        // Linux fs/pipe.c), and a signal at an arbitrary point of the guest's execution would make
        // the run depend on the host's timing.
        if let g = guest, calendar == nil {
            watch(g.consoleDescriptor) { [unowned self] _ in self.readConsole() }
            watch(g.agentDescriptor) { [unowned self] _ in self.readAgent() }
        }
        for d in devices {
            let c = d.connection
            if c.socketDescriptor < 0 {
                watch(c.listenDescriptor) { _ throws(LinuxHostError) in try c.acceptFrontEnd() }
            } else {
                watch(c.socketDescriptor) { _ throws(LinuxHostError) in
                    if try !c.handleMessage() { c.shutdown() }
                }
                watch(c.backendRequestDescriptor) { _ throws(LinuxHostError) in try c.handleBackendReply() }
                watch(c.queues[0].kickFD) { _ throws(LinuxHostError) in try d.serveCommands() }
                watch(c.queues[1].kickFD) { _ throws(LinuxHostError) in try d.serveInterruptQueue() }
            }
        }
        var wait = maxWaitNanoseconds
        if calendar == nil, let next = machine.scheduler.nextEventTime {
            let now = wallNow
            wait = next > now ? min(wait, (next - now).rawValue / 1000) : 0
        }
        let n = boxless_ppoll(&fds, UInt(fds.count), wait)
        if n < 0 && -n != EINTR { throw .system("ppoll: \(String(cString: strerror(-n)))") }
        if n > 0 {
            for (i, p) in fds.enumerated() where p.revents != 0 {
                if calendar == nil { try catchUp() }
                try actions[i](p.fd)
            }
        }
        try catchUp()
    }

    /// Time travel: waits until the guest acknowledged every interrupt notification, answering its
    /// time requests meanwhile. Called while the guest waits for a kick's acknowledgement: the
    /// guest then queues the interrupt at a fixed point of its own execution (before the kick
    /// returns) instead of whenever the host's scheduler delivers the signal.
    func settleNotifications() throws(LinuxHostError) {
        guard let c = calendar else { return }
        let connections = devices.map(\.connection)
        var spins = 0
        while connections.contains(where: { $0.callsOutstanding }) {
            var fds: [pollfd] = [pollfd(fd: c.descriptor, events: Int16(POLLIN), revents: 0)]
            for k in connections where k.backendRequestDescriptor >= 0 {
                fds.append(pollfd(fd: k.backendRequestDescriptor, events: Int16(POLLIN), revents: 0))
            }
            let n = boxless_ppoll(&fds, UInt(fds.count), 1_000_000_000)
            if n < 0 && -n != EINTR { throw .system("ppoll: \(String(cString: strerror(-n)))") }
            if n == 0 {
                spins += 1
                guard spins < 30, guest?.isRunning == true else { throw .guest("the guest did not acknowledge an interrupt notification") }
                continue
            }
            if fds[0].revents != 0 { _ = try c.handleMessage() }
            for p in fds.dropFirst() where p.revents != 0 {
                try connections.first { $0.backendRequestDescriptor == p.fd }?.handleBackendReply()
            }
        }
    }

    // MARK: guest output

    private func readConsole() { readLines(guest?.consoleDescriptor ?? -1, &consoleBuffer) { kernelLog.append($0) } }
    private func readAgent() {
        readLines(guest?.agentDescriptor ?? -1, &agentBuffer) { l in agentLines.append(l); onAgentLine?(l) }
    }

    private func drainOutputs() { readConsole(); readAgent() }

    private func readLines(_ fd: Int32, _ buffer: inout [UInt8], _ emit: (String) -> Void) {
        guard fd >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            buffer.append(contentsOf: chunk[0..<n])
        }
        while let nl = buffer.firstIndex(of: 0x0A) {
            var line = Array(buffer[..<nl])
            buffer.removeSubrange(...nl)
            while line.last == 0x0D { line.removeLast() }
            emit(String(decoding: line, as: UTF8.self))
        }
    }

    /// Takes the agent lines received so far.
    public func takeAgentLines() -> [String] { defer { agentLines.removeAll() }; return agentLines }

    // MARK: InterruptSink

    /// An MSI/MSI-X message from a function: forwarded to the guest on that device's interrupt queue.
    public func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) {
        devices.first { $0.function.address == device }?.signalMessage(address: address, data: data)
    }

    /// An INTx line changed: an assertion goes to every served function routed to that line (UML's
    /// INTx is a message per assertion, so a level that stays asserted is not repeated).
    public func lineChanged(_ line: Int, asserted: Bool) {
        guard asserted else { return }
        for d in devices where d.function.intxLine == line { d.signalINTx() }
    }
}
