import BoxlessPlatform
import Foundation
import NativeDriverKit
import PacketCapture
import QEMUHost

/// The QEMU host's view of the catalog: which entries QEMU models (``CatalogEntry/qemuDevice``).
public enum QEMUModels {
    /// The catalog entry `name` if QEMU has a model of it, or the one-line error saying it has not.
    public static func entry(_ name: String) throws(RunnerError) -> CatalogEntry {
        guard let e = DeviceCatalog.entry(named: name) else { throw .badOption(MachineError.unknownModel(name).description) }
        guard e.qemuDevice != nil else {
            let on = DeviceCatalog.entries.filter { $0.qemuDevice != nil && $0.isNIC == e.isNIC }.map(\.name)
            throw .badOption("--\(e.isNIC ? "nic" : "controller") \(name): QEMU has no model of this chip, so it is not available on the QEMU host (QEMU host: \(on.joined(separator: ", ")))")
        }
        return e
    }

    /// The note every QEMU-host summary carries in its `timing` and `digest` fields.
    public static let nondeterministic = "qemu-wall-clock (not deterministic: this QEMU build has no qtest accelerator)"

    /// Turns a QEMU host error into the runner's one-line error.
    static func runnerError(_ e: QEMUHostError) -> RunnerError {
        if case .binaryMissing = e { return .hostFailed(e.description) }
        return .hostFailed("QEMU host: \(e.description)")
    }
}

/// `boxless replay --host qemu`: the same trace, driver and checks (``ReceiveCheck``,
/// ``TransmitCheck``) as ``ReplayRun``, but the NIC is QEMU's own device model, driven through qtest.
///
/// Frames reach QEMU's NIC through the QEMU host's network peer (QEMU's `-netdev dgram` backend);
/// what the NIC transmits is read from the same peer. QEMU's clock runs in wall time on this QEMU
/// build, so the injection is paced: at most ``window`` frames are on their way (sent, neither
/// delivered nor known dropped) at once — a fraction of the receive ring — so QEMU's NIC is never
/// overrun by a burst no real link could deliver while the driver is not scheduled. The original
/// inter-frame times are not reproduced; runs are not deterministic (timing, interrupt batching),
/// but the delivered frame sequence is.
public final class QEMUReplayRun {
    let options: ReplayOptions
    let feed: ReplayFeed
    /// The QEMU host (started by init).
    public let host: QEMUHost
    let nic: any NetworkInterface
    let peer: QEMUNetworkPeer
    let client = ReplayClient()
    let qemuDevice: String
    let diagnosticRegisters: [DiagnosticRegister]
    var rxCheck = ReceiveCheck()
    var txCheck = TransmitCheck()
    var failures: [String] = []
    private let captures: ReplayCaptures
    private var startTime = Instant(picoseconds: 0)
    /// Frames on their way at most (RX), and frames handed to the driver and not yet seen (TX).
    public var window = 32
    /// TX: frames handed to the driver and not yet read from the peer, at most. The peer's datagram
    /// socket queues only `net.unix.max_dgram_qlen` datagrams (10 by default); what QEMU sends
    /// beyond that may be lost before this process reads it.
    public var transmitWindow = 8
    /// How long (QEMU time) the run waits without progress before it gives the remaining frames up.
    public var stallLimit: Duration = .seconds(3)
    /// Every frame the driver delivered, in order (for differential tests; kept only when asked).
    public var keepDelivered = false
    /// Wall time of the traffic alone (from the first frame to the last check, link-up excluded).
    public private(set) var trafficWall: Duration = .zero
    /// What the driver delivered (with ``keepDelivered``).
    public private(set) var deliveredFrames: [[UInt8]] = []

    /// Starts QEMU with the NIC, probes the driver and opens the interface. `binary` overrides the
    /// QEMU binary. A missing QEMU is one clear error.
    public init(_ o: ReplayOptions, source: (any FrameSource)? = nil, binary: String = QEMUMachineSpec.defaultBinary,
                progress: ((Int) -> Void)? = nil) throws {
        options = o
        let entry = try QEMUModels.entry(o.nic)
        guard entry.isNIC else { throw RunnerError.badOption("--nic \(o.nic) is not a network device") }
        let dev = entry.qemuDevice!
        qemuDevice = dev
        diagnosticRegisters = entry.diagnosticRegisters
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RunnerError.hostFailed(QEMUHostError.binaryMissing(path: binary).description)
        }
        feed = ReplayFeed(source: try source ?? PcapFrameSource(path: o.trace, filter: o.filter, truncated: o.truncated), progress: progress)
        captures = try ReplayCaptures(o)
        let host = QEMUHost(machine: QEMUMachineSpec(device: dev, binary: binary))
        self.host = host
        host.driverParameters = o.driverParameters
        host.register(entry.driver)
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        let slot = host.spec.slot
        guard let bound = host.bound.first(where: { $0.location.device == slot }),
              let nic = bound.instance as? any NetworkInterface, let peer = host.network else {
            let why = host.probeFailures.first.map { "\($0.driverName) probe failed: \($0.error)" } ?? "no driver bound"
            host.stop()
            throw RunnerError.probeFailed("\(o.nic) on QEMU: \(why)")
        }
        self.nic = nic
        self.peer = peer
        client.onReceive = { [unowned self] frame, info in
            if self.keepDelivered { self.deliveredFrames.append(Array(frame)) }
            self.captures.received(frame, at: self.elapsedNanoseconds)
            self.rxCheck.deliveredFrame(frame, vlanTag: info.vlanTag)
        }
        client.onTransmitCompleted = { [unowned self] token, success in
            if !success { self.txCheck.failed(index: Int(token)) }
        }
        let client = self.client
        do {
            try host.onCPU { () throws(DriverError) in
                try nic.open(client: client)
                nic.setReceiveFilter(ReceiveFilter(promiscuous: true))
            }
        } catch {
            host.stop()
            throw RunnerError.probeFailed("\(o.nic) on QEMU: open failed: \(error)")
        }
        startTime = host.now
    }

    deinit { host.stop() }

    private var elapsedNanoseconds: UInt64 { UInt64(max(0, (host.now - startTime) / .nanoseconds(1))) }

    /// Runs the replay and the checks, then stops QEMU.
    public func run() throws -> ReplaySummary {
        let wallStart = ContinuousClock.now   // wall time: QEMU's clock runs in it anyway
        var sourceError: Error?
        do {
            let linkDeadline = host.now + .seconds(5)
            while !client.link.up, host.now < linkDeadline { try host.advance(by: .milliseconds(1)) }
            if !client.link.up { failures.append("link did not come up within 5 s on QEMU") } else {
                let t0 = ContinuousClock.now
                do {
                    switch options.direction {
                    case .rx: try replayReceive()
                    case .tx: try replayTransmit()
                    }
                } catch let e as QEMUHostError { throw e } catch { sourceError = error }
                trafficWall = ContinuousClock.now - t0
            }
        } catch let e as QEMUHostError {
            host.stop()
            throw QEMUModels.runnerError(e)
        }
        let stats = host.onCPU { nic.statistics() }
        let virtualNs = elapsedNanoseconds
        host.onCPU { nic.close() }
        try? host.advance(by: .milliseconds(1))
        drainWire()
        host.detachAll()
        let warnings = host.warnings
        let errors = host.log.filter { $0.level >= .error }
        let driverWarnings = host.log.filter { $0.level >= .warning }.map { "\($0.source): [\($0.level)] \($0.message)" }
        let commands = host.qtestCommands
        host.stop()
        rxCheck.finish()
        txCheck.finish()
        if let e = sourceError { throw e }
        try captures.close()
        return summary(stats: stats, wall: ContinuousClock.now - wallStart, virtualNs: virtualNs, warnings: warnings,
                       errors: errors.count, driverWarnings: driverWarnings, commands: commands)
    }

    private var pending: ReplayFrame?
    /// Largest frame sent into QEMU's network backend (64 KiB: below QEMU's 69,632-byte
    /// NET_BUFSIZE read buffer and the unix datagram limit).
    static let backendFrameLimit = 65_536
    /// Frames larger than ``backendFrameLimit`` that were left out.
    private(set) var hostSkipped = 0

    private func readNext() throws { pending = try feed.next() }

    /// RX: trace → peer → QEMU's NIC → driver → client, paced by the shared ``WindowedInjector``.
    private func replayReceive() throws {
        var injector = WindowedInjector(window: window, quiet: .milliseconds(4), stallLimit: stallLimit)
        let host = self.host, peer = self.peer, nic = self.nic
        let adapter = WindowedInjector.Host(
            send: { bytes in
                // QEMU's socket backends read at most NET_BUFSIZE (69,632 bytes) per frame: a bigger
                // frame cannot reach its NIC. Counted and reported, not sent.
                guard bytes.count <= Self.backendFrameLimit else { return false }
                try peer.send(bytes)
                return true
            },
            advance: { try host.advance(by: .microseconds(300)) },
            now: { host.now - Instant(picoseconds: 0) },
            deviceDrops: { Int(clamping: host.onCPU { nic.statistics() }.rxDroppedTotal) },
            stallReport: { [unowned self] in " (QEMU: \(self.registerSnapshot))" })
        failures += try injector.run(feed: feed, host: adapter, tally: { [unowned self] in self.rxCheck },
                                     sent: { [unowned self] f in self.rxCheck.sentFrame(index: f.index, bytes: f.bytes) })
        hostSkipped = injector.hostSkipped
    }

    /// TX: trace → driver → QEMU's NIC → peer, at most ``window`` frames unseen on the wire.
    private func replayTransmit() throws {
        try readNext()
        var lastProgress = host.now, lastSeen = 0
        while true {
            while let f = pending, txCheck.accepted - txCheck.onWire - txCheck.failed < transmitWindow {
                let nic = self.nic
                let r = host.onCPU { f.bytes.withUnsafeBytes { nic.transmit($0, token: UInt64(f.index), offload: .none) } }
                if case .busy = r { break }
                switch r {
                case .queued: txCheck.accepted(index: f.index, bytes: f.bytes)
                default: txCheck.failed(index: f.index)
                }
                try readNext()
            }
            if pending == nil && txCheck.accepted <= txCheck.onWire + txCheck.failed { return }
            try host.advance(by: .microseconds(300))
            drainWire()
            let seen = txCheck.onWire + txCheck.failed + txCheck.mismatched
            let now = host.now
            if seen != lastSeen { lastSeen = seen; lastProgress = now; continue }
            if now - lastProgress > stallLimit {
                failures.append("QEMU stalled: nothing transmitted for \(stallLimit) (\(registerSnapshot))")
                while pending != nil { try readNext() }
                return
            }
        }
    }

    /// The chip's diagnostic registers (its catalog entry), read outside the driver, for stall reports.
    var registerSnapshot: String {
        diagnosticRegisters.filter { $0.mask == 0xFFFF_FFFF }
            .map { "\($0.name) " + (host.registerRead(bar: $0.bar, offset: $0.offset).map { "0x" + String($0, radix: 16) } ?? "?") }
            .joined(separator: ", ")
    }

    private func drainWire() {
        while let f = peer.receive() {
            f.withUnsafeBytes { captures.transmitted($0, at: elapsedNanoseconds) }
            if options.direction == .tx { f.withUnsafeBytes { txCheck.wireFrame($0) } }
        }
    }

    private func summary(stats: NetworkStatistics, wall: Duration, virtualNs: UInt64, warnings: [String], errors: Int,
                         driverWarnings: [String], commands: Int) -> ReplaySummary {
        var failures = self.failures
        if !warnings.isEmpty { failures.append("\(warnings.count) host warnings (first: \(warnings[0]))") }
        if errors > 0 { failures.append("\(errors) driver errors logged") }
        let report = ReplayHostReport(
            host: "qemu", device: qemuDevice, driver: DeviceCatalog.entry(named: options.nic)?.driver.name ?? "?",
            timing: QEMUModels.nondeterministic, virtualNanoseconds: virtualNs, events: UInt64(commands), digest: "nondeterministic",
            driverWarnings: driverWarnings, failures: failures, dropReasons: stats.dropReasons)
        let verdict = ReplayVerdict(direction: options.direction, rx: rxCheck, tx: txCheck, deviceDrops: stats.rxDroppedTotal)
        var s = ReplaySummary(options: options, feed: feed, verdict: verdict, txFailed: txCheck.failed, report: report,
                              wallNanoseconds: DiskRun.nanoseconds(wall))
        s.host_skipped = hostSkipped
        return s
    }
}
