import BoxlessPlatform
import Foundation
import NativeDriverKit
import PacketCapture
import QEMUHost

/// What QEMU calls the NIC models of the catalog (`--nic` name → `-device` name).
public enum QEMUModels {
    /// QEMU's device model for a catalog NIC, nil if QEMU has none we drive.
    public static func nic(_ catalogName: String) -> String? {
        switch catalogName {
        case "e1000": return "e1000"        // 82540EM
        case "e1000e": return "e1000e"      // 82574L
        default: return nil
        }
    }

    /// The note every QEMU-host summary carries in its `timing` and `digest` fields.
    public static let nondeterministic = "qemu-wall-clock (not deterministic: this QEMU build has no qtest accelerator)"

    /// Turns a QEMU host error into the runner's one-line error.
    static func runnerError(_ e: QEMUHostError) -> RunnerError {
        if case .binaryMissing = e { return .badOption(e.description) }
        return .badOption("QEMU host: \(e.description)")
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
    let source: any FrameSource
    /// The QEMU host (started by init).
    public let host: QEMUHost
    let nic: any NetworkInterface
    let peer: QEMUNetworkPeer
    let client = ReplayClient()
    let qemuDevice: String
    var rxCheck = ReceiveCheck()
    var txCheck = TransmitCheck()
    var taken = 0, paddedTruncated = 0, runts = 0
    var failures: [String] = []
    let progress: ((Int) -> Void)?
    private var rxCapture: PcapWriter?
    private var txCapture: PcapWriter?
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
        self.progress = progress
        guard let entry = DeviceCatalog.entry(named: o.nic), entry.isNIC, let dev = QEMUModels.nic(o.nic) else {
            throw RunnerError.badOption("--nic \(o.nic) is not available on the QEMU host (QEMU NICs: e1000, e1000e)")
        }
        qemuDevice = dev
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RunnerError.badOption(QEMUHostError.binaryMissing(path: binary).description)
        }
        self.source = try source ?? PcapFrameSource(path: o.trace, filter: o.filter, truncated: o.truncated)
        do {
            if let p = o.captureRX { rxCapture = try PcapWriter(path: p) }
            if let p = o.captureTX { txCapture = try PcapWriter(path: p) }
        } catch { throw RunnerError.cannotWrite(error.file ?? "capture", error.description) }
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
            throw RunnerError.badOption("\(o.nic) on QEMU: \(why)")
        }
        self.nic = nic
        self.peer = peer
        client.onReceive = { [unowned self] frame, info in
            if self.keepDelivered { self.deliveredFrames.append(Array(frame)) }
            try? self.rxCapture?.write(timestampNanoseconds: self.elapsedNanoseconds, bytes: Array(frame))
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
            throw RunnerError.badOption("\(o.nic) on QEMU: open failed: \(error)")
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
        try? rxCapture?.close()
        try? txCapture?.close()
        if let e = sourceError { throw e }
        return summary(stats: stats, wall: ContinuousClock.now - wallStart, virtualNs: virtualNs, warnings: warnings,
                       errors: errors.count, driverWarnings: driverWarnings, commands: commands)
    }

    private var pending: ReplayFrame?
    /// Largest frame sent into QEMU's network backend (64 KiB: below QEMU's 69,632-byte
    /// NET_BUFSIZE read buffer and the unix datagram limit).
    static let backendFrameLimit = 65_536
    /// Frames larger than ``backendFrameLimit`` that were left out.
    private(set) var hostSkipped = 0

    private func readNext() throws {
        pending = try source.next()
        guard let f = pending else { return }
        taken += 1
        if f.paddedTruncated { paddedTruncated += 1 }
        if f.paddedRunt { runts += 1 }
        if taken % 1024 == 0 { progress?(taken) }
    }

    /// RX: trace → peer → QEMU's NIC → driver → client, at most ``window`` frames on their way.
    private func replayReceive() throws {
        try readNext()
        var excused = 0                         // counted drops not yet known as missing frames
        var lastProgress = host.now, lastDone = 0
        while true {
            let done = rxCheck.delivered + rxCheck.missing + excused
            while let f = pending, rxCheck.sent - done < window {
                if f.bytes.count > Self.backendFrameLimit {
                    // QEMU's socket backends read at most NET_BUFSIZE (69,632 bytes) per frame: a
                    // bigger frame cannot reach its NIC. Counted and reported, not sent.
                    hostSkipped += 1
                    try readNext()
                    continue
                }
                try peer.send(f.bytes)
                rxCheck.sentFrame(index: f.index, bytes: f.bytes)
                try readNext()
            }
            if pending == nil && rxCheck.sent <= rxCheck.delivered + rxCheck.missing + excused { return }
            try host.advance(by: .microseconds(300))
            let now = host.now
            let d = rxCheck.delivered + rxCheck.missing
            if d != lastDone { lastDone = d; lastProgress = now; continue }
            if now - lastProgress > .milliseconds(4) {
                // Nothing moved: frames the device counted as dropped free their place in the window.
                let dropped = Int(clamping: host.onCPU { nic.statistics() }.rxDroppedTotal)
                let e = max(0, dropped - rxCheck.missing)
                if e != excused { excused = e; lastProgress = now; continue }
                if now - lastProgress > stallLimit {
                    failures.append("QEMU stalled: no frame delivered for \(stallLimit) with \(rxCheck.sent - d - excused) on their way (\(registerSnapshot))")
                    while pending != nil { try readNext() }   // count the rest as taken, not sent
                    return
                }
            }
        }
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

    /// RDH, RDT, TDH, TDT, IMS and STATUS of QEMU's NIC, read outside the driver (for stall reports).
    var registerSnapshot: String {
        [("RDH", 0x2810), ("RDT", 0x2818), ("TDH", 0x3810), ("TDT", 0x3818), ("IMS", 0x00D0), ("STATUS", 0x0008), ("RCTL", 0x0100), ("RDLEN", 0x2808), ("CTRL_EXT", 0x0018), ("IAM", 0x00E0), ("EIAC", 0x00DC)]
            .map { "\($0.0) " + (host.registerRead(bar: 0, offset: $0.1).map { "0x" + String($0, radix: 16) } ?? "?") }
            .joined(separator: ", ")
    }

    private func drainWire() {
        while let f = peer.receive() {
            try? txCapture?.write(timestampNanoseconds: elapsedNanoseconds, bytes: f)
            if options.direction == .tx { f.withUnsafeBytes { txCheck.wireFrame($0) } }
        }
    }

    private func summary(stats: NetworkStatistics, wall: Duration, virtualNs: UInt64, warnings: [String], errors: Int,
                         driverWarnings: [String], commands: Int) -> ReplaySummary {
        let rx = options.direction == .rx
        let verdict = ReplayVerdict(direction: options.direction, rx: rxCheck, tx: txCheck, stats: stats)
        let (delivered, mismatched, unaccounted) = (verdict.delivered, verdict.mismatched, verdict.unaccounted)
        var f = failures + verdict.failures
        if !warnings.isEmpty { f.append("\(warnings.count) host warnings (first: \(warnings[0]))") }
        if errors > 0 { f.append("\(errors) driver errors logged") }
        let mm = verdict.firstMismatch
        return ReplaySummary(
            host: "qemu", device: qemuDevice, driver: DeviceCatalog.entry(named: options.nic)?.driver.name ?? "?",
            direction: options.direction.rawValue, trace: source.name, seed: options.seed, timing: QEMUModels.nondeterministic,
            packets_in: taken, delivered: delivered,
            dropped: .init(total: rx ? stats.rxDroppedTotal : UInt64(txCheck.failed),
                           reasons: rx ? stats.rxDropped.map { .init(counter: $0.0, count: $0.1) } : [.init(counter: "tx-failed", count: UInt64(txCheck.failed))]),
            mismatched: mismatched, unaccounted: unaccounted, failed: txCheck.failed,
            truncated_padded: paddedTruncated, truncated_skipped: source.skippedTruncated, runts_padded: runts,
            first_mismatch: mm.map { .init(packet: $0.index, offset: $0.offset) },
            virtual_ns: virtualNs, wall_ns: DiskRun.nanoseconds(wall),
            events: UInt64(commands), digest: "nondeterministic", findings: [], driver_warnings: Array(driverWarnings.prefix(100)),
            passed: f.isEmpty, failures: f, host_skipped: hostSkipped)
    }
}
