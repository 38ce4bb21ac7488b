import BoxlessPlatform
import NICCore
import EmulatorHost
import NativeDriverKit
import PacketCapture

/// Replays a trace through a NIC model and its driver and checks the driver's path
/// (DESIGN.md, "Checks"; `boxless replay`).
public final class ReplayRun {
    let options: ReplayOptions
    let source: any FrameSource
    let machine: BoxlessMachine
    let model: any NICModel
    let nic: any NetworkInterface
    let wire: EthernetPort
    let client: ReplayClient
    let tap: WireTap
    // Updated per frame from the injector and the client on the machine's one thread, never with
    // overlapping accesses: no dynamic exclusivity checks.
    @exclusivity(unchecked) var rxCheck = ReceiveCheck()
    @exclusivity(unchecked) var txCheck = TransmitCheck()
    @exclusivity(unchecked) var taken = 0
    var paddedTruncated = 0, runts = 0
    var failures: [String] = []
    var progress: ((Int) -> Void)?
    private var rxCapture: PcapWriter?
    private var txCapture: PcapWriter?
    private var eventFile: EventLogFile?

    /// Builds the machine, probes the driver and opens the interface. `source` overrides the trace.
    public init(_ o: ReplayOptions, source: (any FrameSource)? = nil, progress: ((Int) -> Void)? = nil) throws {
        options = o
        self.progress = progress
        guard let entry = DeviceCatalog.entry(named: o.nic) else { throw MachineError.unknownModel(o.nic) }
        guard entry.isNIC else {
            throw RunnerError.badOption("--nic \(o.nic) is not a network device (NICs: \(DeviceCatalog.entries.filter(\.isNIC).map(\.name).joined(separator: ", ")))")
        }
        self.source = try source ?? PcapFrameSource(path: o.trace, filter: o.filter, truncated: o.truncated)
        machine = try BoxlessMachine(MachineSpec(slots: [.init(model: o.nic, device: 3)], seed: o.seed, strict: o.strict,
                                                 driverParameters: o.driverParameters))
        if let p = o.eventLog { eventFile = try EventLogFile(path: p); machine.machine.log.sink = eventFile }
        guard let m = machine.machine.function(at: PCIAddress(device: 3))?.model as? any NICModel else {
            throw RunnerError.badOption("--nic \(o.nic): model has no Ethernet port")
        }
        model = m
        wire = EthernetPort(name: "wire", machine: machine.machine)
        EthernetPort.connect(m.port, wire)
        tap = WireTap()
        wire.receiver = tap
        client = ReplayClient()
        do {
            if let p = o.captureRX { rxCapture = try PcapWriter(path: p) }
            if let p = o.captureTX { txCapture = try PcapWriter(path: p) }
        } catch { throw RunnerError.badOption(error.description) }   // PcapError's line names the file
        try machine.start()
        guard let bound = machine.host.bound.first, let nic = bound.instance as? any NetworkInterface else {
            let why = machine.host.probeFailures.first.map { "\($0.driverName) probe failed: \($0.error)" } ?? "no driver bound"
            throw RunnerError.badOption("\(o.nic): \(why)")
        }
        self.nic = nic
        tap.onFrame = { [unowned self] frame in
            let t = self.machine.machine.now.nanoseconds
            try? self.txCapture?.write(timestampNanoseconds: t, bytes: Array(frame))
            if self.options.direction == .tx { self.txCheck.wireFrame(frame) }
        }
        // The run owns the client and outlives every delivery.
        client.run = .passUnretained(self)
        let client = self.client
        do {
            try machine.host.onCPU { () throws(DriverError) in
                try nic.open(client: client)
                nic.setReceiveFilter(ReceiveFilter(promiscuous: true))
            }
        } catch { throw RunnerError.badOption("\(o.nic): open failed: \(error)") }
    }

    /// The driver delivered a frame: capture it if asked, and check it.
    func frameDelivered(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) {
        if let capture = rxCapture {
            try? capture.write(timestampNanoseconds: machine.machine.now.nanoseconds, bytes: Array(frame))
        }
        rxCheck.deliveredFrame(frame, vlanTag: info.vlanTag)
    }

    /// Runs the replay and the checks.
    public func run() throws -> ReplaySummary {
        let wallStart = ContinuousClock.now   // wall time only for reporting speed
        let s = machine.machine.scheduler
        let events = machine.machine.configuration.eventLimit
        // Link first: auto-negotiation takes virtual time, which costs no wall time.
        let linkDeadline = s.now + .seconds(10)
        while !client.link.up, s.step(notAfter: linkDeadline) {}
        if !client.link.up { failures.append("link did not come up within 10 s of virtual time") }
        var sourceError: Error?
        if client.link.up {
            let injector = Injector(run: self)
            do { try injector.start() } catch { sourceError = error }
            while !injector.done, sourceError == nil, s.eventsRun < events, s.step(notAfter: VirtualTime(rawValue: .max)) {
                if let e = injector.error { sourceError = e }
            }
            if let e = injector.error { sourceError = e }
            if s.eventsRun >= events { failures.append("event limit of \(events) reached") }
            // Let the last frames cross the wire, then through interrupt moderation and the driver's poll.
            s.run(until: max(s.now, wire.busyUntil, model.port.busyUntil) + .milliseconds(50))
        }
        let stats = machine.host.onCPU { nic.statistics() }
        machine.host.onCPU { nic.close() }
        s.run(until: s.now + .milliseconds(1))
        machine.host.detachAll()
        s.run(until: s.now + .milliseconds(1))
        rxCheck.finish()
        txCheck.finish()
        try? rxCapture?.close()
        try? txCapture?.close()
        eventFile?.close()
        if let e = sourceError { throw e }
        return summary(stats: stats, wall: ContinuousClock.now - wallStart)
    }

    private func summary(stats: NetworkStatistics, wall: Duration) -> ReplaySummary {
        let log = machine.machine.log
        let findings = log.findings.map(\.description)
        let warnings = machine.host.driverLog.filter { $0.level >= .warning }.map { "\($0.source): [\($0.level)] \($0.message)" }
        let rx = options.direction == .rx
        let verdict = ReplayVerdict(direction: options.direction, rx: rxCheck, tx: txCheck, stats: stats)
        let (delivered, mismatched, unaccounted) = (verdict.delivered, verdict.mismatched, verdict.unaccounted)
        var f = failures + verdict.failures
        if !findings.isEmpty { f.append("\(findings.count) findings") }
        if machine.host.driverErrors > 0 { f.append("\(machine.host.driverErrors) driver errors logged") }
        let mm = verdict.firstMismatch
        let driverName = machine.spec.slots.first.flatMap { DeviceCatalog.entry(named: $0.model)?.driver.name } ?? "?"
        return ReplaySummary(
            host: "emulator", device: model.name, driver: driverName,
            direction: options.direction.rawValue, trace: source.name, seed: options.seed, timing: options.timing.description,
            packets_in: taken, delivered: delivered,
            dropped: .init(total: rx ? stats.rxDroppedTotal : UInt64(txCheck.failed),
                           reasons: rx ? stats.rxDropped.map { .init(counter: $0.0, count: $0.1) } : [.init(counter: "tx-failed", count: UInt64(txCheck.failed))]),
            mismatched: mismatched, unaccounted: unaccounted, failed: txCheck.failed,
            truncated_padded: paddedTruncated, truncated_skipped: source.skippedTruncated, runts_padded: runts,
            first_mismatch: mm.map { .init(packet: $0.index, offset: $0.offset) },
            virtual_ns: machine.machine.now.nanoseconds,
            wall_ns: UInt64(wall.components.seconds) * 1_000_000_000 + UInt64(wall.components.attoseconds / 1_000_000_000),
            events: log.count, digest: log.digest, findings: Array(findings.prefix(100)), driver_warnings: Array(warnings.prefix(100)),
            passed: f.isEmpty, failures: f)
    }
}

/// Feeds the source's frames to the wire (RX) or the driver (TX) at their times, one frame ahead.
final class Injector {
    // Held strongly (the run does not hold the injector): per-frame accesses borrow them.
    let run: ReplayRun
    private let source: any FrameSource
    private let direction: ReplayDirection
    private let scheduler: Scheduler
    private let wire: EthernetPort
    private var pending: ReplayFrame?
    private var clock: ReplayClock
    /// Gaps longer than the maximum that were shortened.
    var gapsShortened: Int { clock.gapsShortened }
    private(set) var done = false
    private(set) var error: Error?
    private var waitingForCompletion = false

    /// Built once: scheduling a frame allocates no closure.
    private lazy var fireAction: () -> Void = { [unowned(unsafe) self] in self.fire() }

    init(run: ReplayRun) {
        self.run = run
        source = run.source
        direction = run.options.direction
        clock = ReplayClock(timing: run.options.timing, maximumGap: run.options.maximumGap)
        scheduler = run.machine.machine.scheduler
        wire = run.wire
    }

    func start() throws {
        clock.lastTime = wire.nextStart
        run.client.onTransmitCompleted = { [unowned self] token, success in
            if !success { self.run.txCheck.failed(index: Int(token)) }
            if self.waitingForCompletion { self.waitingForCompletion = false; self.fire() }
        }
        try readNext()
        if let t = pendingTime { scheduler.schedule(at: t, fireAction) }
    }

    /// Reads the next frame and works out its time. The previous frame is let go first, so a
    /// source that reuses its buffer (``RepeatingFrameSource``) can rewrite it in place.
    private func readNext() throws {
        pending = nil
        guard let f = try source.next() else { pendingTime = nil; done = true; return }
        pendingTime = when(timestampNanoseconds: f.timestampNanoseconds)
        run.taken += 1
        if f.paddedTruncated { run.paddedTruncated += 1 }
        if f.paddedRunt { run.runts += 1 }
        pending = consume f
        if run.taken % 4096 == 0 { run.progress?(run.taken) }
    }

    /// When a frame captured at `ts` goes out (``ReplayClock``); at line rate, RX frames follow
    /// the wire and TX frames the previous frame.
    private func when(timestampNanoseconds ts: UInt64) -> VirtualTime {
        clock.time(forTimestamp: ts, lineRate: direction == .rx ? wire.nextStart : clock.lastTime)
    }

    /// How far ahead of the clock RX frames are handed to the wire in one event (they still start
    /// at their own times: ``EthernetPort/send(_:fcsValid:notBefore:)``).
    static let horizon = VirtualDuration.microseconds(20)
    /// Most frames handed over in one event.
    static let batch = 64

    private var pendingTime: VirtualTime?

    private func fire() {
        switch direction {
        case .rx: fireReceive()
        case .tx: fireTransmit()
        }
    }

    /// RX: sends the pending frame and the following ones that are due within the horizon.
    private func fireReceive() {
        var n = 0
        while let t = pendingTime, t <= scheduler.now + Self.horizon, n < Self.batch {
            sendPending(at: t)
            n += 1
            do { try readNext() } catch { self.error = error; done = true; return }
        }
        if let t = pendingTime {
            // Come back when the next frame is within the horizon (or when the wire frees up, at line rate).
            let wake = t > scheduler.now + Self.horizon ? VirtualTime(rawValue: t.rawValue - Self.horizon.rawValue) : scheduler.now
            scheduler.schedule(at: max(wake, min(wire.busyUntil, t)), fireAction)
        }
    }

    /// Puts the pending frame on the wire, starting no earlier than `t`, and tells the check. The
    /// frame is moved out (no copy), and let go when sent.
    private func sendPending(at t: VirtualTime) {
        guard let f = pending.take() else { return }
        f.bytes.withUnsafeBytes { b in
            _ = wire.send(b, notBefore: t)
            run.rxCheck.sentFrame(index: f.index, bytes: b)
        }
    }

    private func fireTransmit() {
        guard let f = pending else { return }
        let nic = run.nic
        let r = run.machine.host.onCPU { f.bytes.withUnsafeBytes { nic.transmit($0, token: UInt64(f.index), offload: .none) } }
        switch r {
        case .queued: run.txCheck.accepted(index: f.index, bytes: f.bytes)
        case .rejected: run.txCheck.failed(index: f.index)
        case .busy:
            // Ring full: retry after the next completion (or shortly, if none comes).
            waitingForCompletion = true
            scheduler.schedule(after: .microseconds(50)) { [unowned(unsafe) self] in
                if self.waitingForCompletion { self.waitingForCompletion = false; self.fire() }
            }
            return
        }
        do { try readNext() } catch { self.error = error; done = true; return }
        if let t = pendingTime { scheduler.schedule(at: t, fireAction) }
    }
}

/// The runner's client of the driver: deliveries, completions and link changes.
final class ReplayClient: NetworkClient {
    var link = LinkState.down
    var onReceive: (UnsafeRawBufferPointer, ReceiveInfo) -> Void = { _, _ in }
    var onTransmitCompleted: (UInt64, Bool) -> Void = { _, _ in }
    /// The emulator replay that checks deliveries, if any: called directly, borrowed (no closure and
    /// no reference counting per frame); otherwise ``onReceive``.
    var run: Unmanaged<ReplayRun>?
    func received(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) {
        if let run { run._withUnsafeGuaranteedRef { $0.frameDelivered(frame, info: info) } } else { onReceive(frame, info) }
    }
    func transmitCompleted(token: UInt64, success: Bool) { onTransmitCompleted(token, success) }
    func linkChanged(_ state: LinkState) { link = state }
}

/// The far end of the wire: sees what the NIC transmits.
final class WireTap: EthernetReceiver {
    var onFrame: (UnsafeRawBufferPointer) -> Void = { _ in }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { onFrame(frame) }
    func carrierChanged(_ up: Bool) {}
}
