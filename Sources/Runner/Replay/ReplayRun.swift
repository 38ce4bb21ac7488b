import BoxlessPlatform
import DequeModule
import NICCore
import EmulatorHost
import NativeDriverKit
import PacketCapture

/// Replays a trace through a NIC model and its driver and checks the driver's path
/// (DESIGN.md, "Checks"; `boxless replay`).
public final class ReplayRun {
    let options: ReplayOptions
    let feed: ReplayFeed
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
    var failures: [String] = []
    private let captures: ReplayCaptures
    /// The fault plan, armed (nil without `--faults`).
    let faults: RunFaults?
    /// With faults: frames sent, waiting to reach the NIC through the impaired link (hash, index).
    private var inTransit = Deque<(hash: UInt64, index: Int)>()
    /// With faults: when the driver reported the link up, and when traffic moved (recovery checks).
    private var linkUps: [VirtualTime] = []
    private var progressTimes: [VirtualTime] = []
    private var arrivals: ArrivalTap?
    private var trafficEnd = VirtualTime.zero
    private var lastArrivalIndex = -1
    /// Frames that reached the NIC after a surprise removal took it away (lost to that fault).
    var arrivedAfterRemoval = 0
    /// Frames at the NIC and not yet delivered when the removal was first seen.
    var inFlightAtRemoval: Int?
    var framesAtNIC = 0
    /// A settle ran out of its event budget (reported once).
    var livelocked = false
    /// With faults and a pcapng receive capture: comments for frames on their way, by hash.
    private var rxComments: [UInt64: String] = [:]
    private var faultMark = 0

    /// Where a stuck run was: the driver's last log lines and the last events.
    private var stuckDetail: String {
        let log = machine.host.driverLog.suffix(2).map { "\($0.source): \($0.message)" }
        return (log.isEmpty ? "no driver log" : "driver: " + log.joined(separator: " | ")) + ", \(machine.machine.log.count) events"
    }
    private var eventFile: EventLogFile?
    /// The trace-event file (`--trace-out`), if any.
    private var trace: TraceEventFile?

    /// Builds the machine, probes the driver and opens the interface. `source` overrides the trace.
    public init(_ o: ReplayOptions, source: (any FrameSource)? = nil, progress: ((Int) -> Void)? = nil) throws {
        options = o
        guard let entry = DeviceCatalog.entry(named: o.nic) else { throw MachineError.unknownModel(o.nic) }
        guard entry.isNIC else {
            throw RunnerError.badOption("--nic \(o.nic) is not a network device (NICs: \(DeviceCatalog.entries.filter(\.isNIC).map(\.name).joined(separator: ", ")))")
        }
        feed = ReplayFeed(source: try source ?? PcapFrameSource(path: o.trace, filter: o.filter, truncated: o.truncated), progress: progress)
        machine = try BoxlessMachine(MachineSpec(slots: [.init(model: o.nic, device: 3)], seed: o.seed, strict: o.strict,
                                                 driverParameters: o.driverParameters))
        let recording = try RunRecording(machine: machine.machine, eventLog: o.eventLog, traceOut: o.traceOut,
                                         process: "boxless replay: \(o.nic) \(o.direction.rawValue)")
        eventFile = recording.eventFile; trace = recording.trace
        let platform = machine.machine
        faults = o.faults.map { RunFaults(plan: $0, machine: platform) }
        guard let m = machine.machine.function(at: PCIAddress(device: 3))?.model as? any NICModel else {
            throw RunnerError.badOption("--nic \(o.nic): model has no Ethernet port")
        }
        model = m
        wire = EthernetPort(name: "wire", machine: machine.machine, timing: m.port.timing)
        if let faults {
            // Frames cross an impaired link; the receive check learns of each one as it reaches the NIC.
            faults.insertLink(wire: wire, nic: m.port, device: PCIAddress(device: 3))
        } else {
            EthernetPort.connect(m.port, wire)
        }
        tap = WireTap()
        wire.receiver = tap
        if faults != nil, o.direction == .rx, let nicReceiver = m.port.receiver {
            let a = ArrivalTap(next: nicReceiver)
            arrivals = a
            m.port.receiver = a
        }
        client = ReplayClient()
        captures = try ReplayCaptures(o)
        try machine.start()
        guard let bound = machine.host.bound.first, let nic = bound.instance as? any NetworkInterface else {
            let why = machine.host.probeFailures.first.map { "\($0.driverName) probe failed: \($0.error)" } ?? "no driver bound"
            throw RunnerError.probeFailed("\(o.nic): \(why)")
        }
        self.nic = nic
        arrivals?.run = self
        tap.onFrame = { [unowned self] frame in
            let t = self.machine.machine.now.nanoseconds
            if let trace = self.trace { trace.instant("on the wire \(frame.count) B", track: .frames, at: self.machine.machine.now) }
            self.captures.transmitted(frame, at: t, comment: self.faults != nil && self.captures.capturesTX ? self.newFaultsComment() : nil)
            if self.options.direction == .tx {
                self.txCheck.wireFrame(frame)
                if self.faults != nil { self.progressTimes.append(self.machine.machine.now) }
            }
        }
        // The run owns the client and outlives every delivery.
        client.run = .passUnretained(self)
        if faults != nil {
            client.onLinkChanged = { [unowned self] st in if st.up { self.linkUps.append(self.machine.machine.now) } }
        }
        let client = self.client
        do {
            try machine.host.onCPU { () throws(DriverError) in
                try nic.open(client: client)
                nic.setReceiveFilter(ReceiveFilter(promiscuous: true))
            }
        } catch { throw RunnerError.probeFailed("\(o.nic): open failed: \(error)") }
    }

    /// The driver delivered a frame: capture it if asked, and check it.
    func frameDelivered(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) {
        if let trace { trace.instant("delivered \(frame.count) B", track: .frames, at: machine.machine.now) }
        if captures.capturesRX {
            let comment = rxComments.isEmpty ? nil : rxComments.removeValue(forKey: ArrivalTap.hash(frame))
            captures.received(frame, at: machine.machine.now.nanoseconds, comment: comment)
        }
        if faults != nil { progressTimes.append(machine.machine.now) }
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
            let injector = Injector(target: self)
            do { try injector.start() } catch { sourceError = error }
            var watch = Watchdog(options: options, scheduler: s, wallStart: wallStart)
            while !injector.done, sourceError == nil, s.eventsRun < events, s.step(notAfter: VirtualTime(rawValue: .max)) {
                if let e = injector.error { sourceError = e }
                if watch.tick(), let stuck = watch.check(progress: feed.taken &+ rxCheck.delivered &+ txCheck.onWire &+ txCheck.failed) {
                    failures.append(stuck + " (at trace packet \(feed.taken); \(stuckDetail))")
                    break
                }
            }
            if let e = injector.error { sourceError = e }
            if s.eventsRun >= events { failures.append("event limit of \(events) reached") }
            // Let the last frames cross the wire, then through interrupt moderation and the driver's poll.
            let trafficEnd = s.now
            settle(until: max(s.now, wire.busyUntil, model.port.busyUntil) + .milliseconds(50))
            // Under faults, keep going until every transient fault's recovery is due.
            if let due = faults?.recoveryHorizon, due > s.now { settle(until: due + .milliseconds(1)) }
            self.trafficEnd = trafficEnd
        }
        let stats = machine.host.onCPU { nic.statistics() }
        machine.host.onCPU { nic.close() }
        settle(until: s.now + .milliseconds(1))
        machine.host.detachAll()
        settle(until: s.now + .milliseconds(1))
        rxCheck.finish()
        txCheck.finish()
        if let e = sourceError { try? eventFile?.close(); try? trace?.close(); throw e }
        try eventFile?.close()
        try trace?.close()
        try captures.close()
        return summary(stats: stats, wall: ContinuousClock.now - wallStart)
    }

    private func summary(stats: NetworkStatistics, wall: Duration) -> ReplaySummary {
        let log = machine.machine.log
        let findings = log.findings.map(\.description)
        var failures = self.failures
        if !findings.isEmpty { failures.append("\(findings.count) findings") }
        if machine.host.driverErrors > 0 { failures.append("\(machine.host.driverErrors) driver errors logged") }
        var report = ReplayHostReport(
            host: "emulator", device: model.name,
            driver: machine.spec.slots.first.flatMap { DeviceCatalog.entry(named: $0.model)?.driver.name } ?? "?",
            timing: options.timing.description, virtualNanoseconds: machine.machine.now.nanoseconds, events: log.count,
            digest: log.digest, findings: findings,
            driverWarnings: machine.host.driverLog.filter { $0.level >= .warning }.map { "\($0.source): [\($0.level)] \($0.message)" },
            failures: failures, dropReasons: stats.dropReasons)
        var excused = ReplayVerdict.Excused.none
        var recoveries: [FaultRecovery] = []
        if let faults {
            let linkFaults = machine.machine.log.faults.contains { ["link-down", "link-flap", "autoneg-fail"].contains($0.record.fault) }
            let linkDamage = machine.machine.log.faults.filter { ["duplicate", "corrupt", "reorder"].contains($0.record.fault) }.count
            excused.missing = (linkFaults ? Int(model.framesIgnoredWhileDisabled) : 0) + Int(faults.lostFromDevice)
                + (options.direction == .tx ? faults.framesSwallowedByHangs : removalLosses(faults))
            excused.mismatched = faults.dataFaults + (options.direction == .tx ? linkDamage : 0)
            recoveries = faults.recoveries(linkUps: linkUps, progress: progressTimes, trafficEnd: trafficEnd)
            if let why = faults.removalFailure { report.failures.append(why) }
            for r in recoveries where !r.recovered {
                report.failures.append("no recovery from \(r.fault) (plan entry \(r.rule + 1)) at \(r.at_ns / 1_000_000) ms within \(r.within_ns / 1_000_000) ms of its end"
                                       + (r.recovered_ns.map { " (\(r.by) only at \($0 / 1_000_000) ms)" } ?? " (never)"))
            }
        }
        // A removed NIC's counters cannot be read any more: what the device counted is the model's own.
        let deviceDrops = faults?.anyFunctionRemoved == true ? model.droppedTotal : stats.rxDroppedTotal
        let verdict = ReplayVerdict(direction: options.direction, rx: rxCheck, tx: txCheck, deviceDrops: deviceDrops, excused: excused)
        var summary = ReplaySummary(options: options, feed: feed, verdict: verdict, txFailed: txCheck.failed, report: report,
                                    wallNanoseconds: DiskRun.nanoseconds(wall))
        if let faults {
            summary.faults = faults.report
            summary.lost_to_faults = verdict.lostToFaults + Int(faults.lostTowardDevice)
            summary.recoveries = recoveries
        }
        return summary
    }
}

extension ReplayRun {
    /// Runs the machine up to `t`, but for at most the watchdog's event budget: a driver that
    /// livelocks (reschedules its work at one instant forever) fails the run instead of hanging it.
    func settle(until t: VirtualTime) {
        let s = machine.machine.scheduler
        var n = 0
        while n < Watchdog.eventBudget, s.step(notAfter: t) { n += 1 }
        if n >= Watchdog.eventBudget {
            if !livelocked { failures.append("watchdog: \(Watchdog.eventBudget) events without reaching \(t.nanoseconds / 1_000_000) ms of virtual time (a livelock)") }
            livelocked = true
            return
        }
        s.run(until: t)
    }

    /// Frames a surprise removal may have taken: those at the NIC but not delivered when it was
    /// first seen, and every frame that reached the NIC after it.
    func removalLosses(_ faults: RunFaults) -> Int {
        guard faults.anyFunctionRemoved else { return 0 }
        return (inFlightAtRemoval ?? max(0, framesAtNIC - rxCheck.delivered)) + arrivedAfterRemoval
    }
}

extension ReplayRun: ReplayTarget {
    var scheduler: Scheduler { machine.machine.scheduler }

    @inline(__always)
    func frameSent(index: Int, bytes: UnsafeRawBufferPointer) {
        if let trace { trace.instant("packet \(index) → wire, \(bytes.count) B", track: .frames, at: machine.machine.now) }
        // Under faults the frame may be lost, delayed, duplicated or reordered on its way: the check
        // learns of it when (and as often as) it reaches the NIC (``ArrivalTap``).
        if arrivals != nil { inTransit.append((ArrivalTap.hash(bytes), index)) } else { rxCheck.sentFrame(index: index, bytes: bytes) }
    }

    /// The faults logged since the last frame that reached the NIC or the wire, as a capture comment.
    func newFaultsComment() -> String? {
        let log = machine.machine.log
        guard log.faultCount > faultMark else { return nil }
        let new = log.faults.suffix(from: min(faultMark, log.faults.count))
        faultMark = log.faultCount
        return new.isEmpty ? nil : "boxless faults: " + new.map { "t=\($0.time) \($0.record)" }.joined(separator: "; ")
    }

    /// After a frame reached the NIC: the faults around it, kept for its line in the receive capture.
    func frameHandedToNIC(_ bytes: UnsafeRawBufferPointer) {
        guard captures.capturesRX, let c = newFaultsComment() else { return }
        rxComments[ArrivalTap.hash(bytes)] = c
    }

    /// A frame reached the NIC through the impaired link: the check expects it now.
    func frameReachedNIC(_ bytes: UnsafeRawBufferPointer) {
        let h = ArrivalTap.hash(bytes)
        var index = lastArrivalIndex
        if let k = inTransit.prefix(64).firstIndex(where: { $0.hash == h }) {
            index = inTransit[k].index
            inTransit.remove(at: k)
        }
        lastArrivalIndex = index
        framesAtNIC += 1
        if let faults, faults.anyFunctionRemoved {
            if inFlightAtRemoval == nil { inFlightAtRemoval = framesAtNIC - 1 - rxCheck.delivered }
            arrivedAfterRemoval += 1
        }
        rxCheck.sentFrame(index: index, bytes: bytes)
    }

    func transmit(_ f: ReplayFrame) -> TransmitResult {
        let nic = self.nic
        let r = machine.host.onCPU { f.bytes.withUnsafeBytes { nic.transmit($0, token: UInt64(f.index), offload: .none) } }
        switch r {
        case .queued: txCheck.accepted(index: f.index, bytes: f.bytes)
        case .rejected: txCheck.failed(index: f.index)
        case .busy: break
        }
        return r
    }

    func onTransmitCompleted(_ body: @escaping (_ success: Bool, _ token: UInt64) -> Void) {
        client.onTransmitCompleted = { [unowned self] token, success in
            if !success { self.txCheck.failed(index: Int(token)) }
            body(success, token)
        }
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
    var onLinkChanged: ((LinkState) -> Void)?
    func linkChanged(_ state: LinkState) { link = state; onLinkChanged?(state) }
}

/// In front of a NIC's receiver under faults: tells the run of each frame that reached the NIC
/// (after the impaired link), then hands it on.
final class ArrivalTap: EthernetReceiver {
    unowned(unsafe) let next: any EthernetReceiver
    unowned(unsafe) var run: ReplayRun?
    init(next: any EthernetReceiver) { self.next = next }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        run?.frameReachedNIC(frame)
        next.frameArrived(frame, fcsValid: fcsValid)
        run?.frameHandedToNIC(frame)
    }
    func carrierChanged(_ up: Bool) { next.carrierChanged(up) }
    /// FNV-1a of the frame's bytes.
    static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return h
    }
}

/// The far end of the wire: sees what the NIC transmits.
final class WireTap: EthernetReceiver {
    var onFrame: (UnsafeRawBufferPointer) -> Void = { _ in }
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) { onFrame(frame) }
    func carrierChanged(_ up: Bool) {}
}
