import BoxlessPlatform
import Foundation
import LinuxHost
import NativeDriverKit
import NICCore
import PacketCapture

/// `boxless replay --host linux`: the trace goes onto the wire of a Boxless NIC model, and the NIC is
/// driven by the Linux kernel's own driver in a User-Mode Linux guest (``LinuxSession``). The guest
/// agent (Guest/boxless-agent.c) reports every frame the guest received through a packet socket
/// (RX), or sends the trace's frames through one (TX); the checks are the DESIGN.md ones.
///
/// Time travel (the default): the guest runs on the machine's simulated clock (``LinuxHost``), the
/// agent's "ready" frame on the wire anchors the replay, and frames go onto the wire at the trace's
/// times (``ReplayTiming``) as scheduled events — runs repeat, digest included. Free-running
/// (`timeTravel: false`): the guest runs in real time and RX injection is paced like the QEMU
/// host's, at most ``window`` frames on their way (sent, neither reported by the guest nor counted
/// as dropped by the device); such runs are not deterministic, though the frame sequence is.
public final class LinuxReplayRun {
    let options: ReplayOptions
    let feed: ReplayFeed
    /// The guest session (its settings may be changed before ``run()``).
    public let session: LinuxSession
    let model: any NICModel
    /// The Linux drivers that should bind the model (its catalog entry).
    let linuxDrivers: [String]
    let wire: EthernetPort
    private let collector = WireCollector()
    fileprivate var rxCheck = GuestReceiveCheck()
    private var txCheck = TransmitCheck()
    private var failures: [String] = []
    private var txFrames: [ReplayFrame] = []
    private let captures: ReplayCaptures
    private var stackCheck = GuestStackCheck()
    /// Index in the collected wire frames where the guest's stack traffic starts (TX).
    private var stackStart: Int?
    /// Frames on their way at most (RX).
    public var window = 32
    /// How long (wall time) the run waits without progress before it gives the remaining frames up.
    public var stallSeconds = 5.0
    /// How long the guest may take to boot and bring the link up.
    public var bootSeconds = 60.0
    /// Whether the guest runs on the machine's simulated clock.
    public let timeTravel: Bool
    /// Digest, event count and virtual time when the agent's done frame reached the wire.
    private var doneSnapshot: (digest: String, events: UInt64, virtualNs: UInt64)?
    private var readyFrameSeen: (() -> Void)?
    private var eventFile: EventLogFile?

    /// Prepares the guest (it boots in ``run()``). Only the NIC models with a Linux driver in the
    /// guest kernel are accepted.
    public init(_ o: ReplayOptions, files: LinuxGuestFiles, source: (any FrameSource)? = nil, timeTravel: Bool = true,
                progress: ((Int) -> Void)? = nil) throws {
        options = o
        self.timeTravel = timeTravel
        let entry = try LinuxSession.entry(o.nic, nic: true)
        guard let nicModel = entry.makeModel() as? any NICModel else { throw RunnerError.badOption("--nic \(o.nic) is not a network device") }
        feed = ReplayFeed(source: try source ?? PcapFrameSource(path: o.trace, filter: o.filter, truncated: o.truncated), progress: progress)
        captures = try ReplayCaptures(o)
        model = nicModel
        linuxDrivers = entry.linuxDrivers
        let spec = MachineSpec(slots: [.init(model: o.nic, device: 1)], seed: o.seed, strict: o.strict)
        do { session = try LinuxSession(spec: spec, make: { _ in nicModel }, timeTravel: timeTravel, files: files) }
        catch let e as LinuxHostError { throw RunnerError.hostFailed("Linux host: \(e.description)") }
        if let p = o.eventLog { eventFile = try EventLogFile(path: p); session.machine.log.sink = eventFile }
        wire = EthernetPort(name: "wire", machine: session.machine, timing: model.port.timing)
        EthernetPort.connect(model.port, wire)
        wire.receiver = collector
        let machine = session.machine
        collector.clock = { machine.now }
    }

    deinit { session.close() }

    private var elapsedNanoseconds: UInt64 { session.machine.now.nanoseconds }

    /// Boots the guest, replays, checks, and stops the guest.
    public func run() throws -> ReplaySummary {
        let wallStart = ContinuousClock.now
        var sourceError: Error?
        var script = LinuxJobScripts.networkUp + LinuxJobScripts.reportPCI
        var image = LinuxGuestImage(script: "")
        // The agent's "done" frame marks the end of the traffic on the machine's clock: the digest,
        // event count and virtual time are taken there (what the guest does after it — printing its
        // reports, statistics, powering off — waits on this process reading its console).
        collector.onFrame = { [unowned self] frame in
            if Self.isMilestone(frame, "BOXLESS-DONE") {
                if self.doneSnapshot == nil {
                    let m = self.session.machine
                    self.doneSnapshot = (m.log.digest, m.log.count, m.now.nanoseconds)
                }
                return false
            }
            if Self.isMilestone(frame, "BOXLESS-READY") {
                self.readyFrameSeen?()
                return false
            }
            if Self.isMilestone(frame, "BOXLESS-STACK") {
                if self.stackStart == nil { self.stackStart = self.collector.frames.count }
                return false
            }
            return true
        }
        switch options.direction {
        case .rx:
            script += "boxless-agent rx $IF\(timeTravel ? " batch" : "") > /dev/tty1\n"
        case .tx:
            do { while let f = try feed.next() { txFrames.append(f) } } catch { sourceError = error }
            var blob: [UInt8] = []
            for f in txFrames {
                withUnsafeBytes(of: UInt32(f.bytes.count).littleEndian) { blob.append(contentsOf: $0) }
                blob.append(contentsOf: f.bytes)
            }
            image.files.append((path: "frames.bin", contents: blob))
            // The trace's frames, then the guest's own stack (UDP through the agent, ICMP echo
            // through busybox ping, to a static neighbour), each phase opened by a milestone frame;
            // the done frame follows them all. The last frames may still be in the NIC's ring
            // then: a second (of the guest's time) before the script ends and the guest powers off.
            let g = GuestStackCheck.self
            func dotted(_ a: [UInt8]) -> String { a.map(String.init).joined(separator: ".") }
            script += """
                say MAC $(cat /sys/class/net/$IF/address)
                boxless-agent tx $IF /frames.bin > /dev/tty1
                boxless-agent mark $IF BOXLESS-STACK
                ip addr add \(dotted(g.guestAddress))/24 dev $IF || say ERROR ip addr add failed
                arp -s \(dotted(g.peerAddress)) \(GuestStackCheck.mac(g.peerMAC[...])) || say ERROR arp -s failed
                boxless-agent udp \(dotted(g.peerAddress)) \(g.destinationPort) \(g.udpSizes.map(String.init).joined(separator: " ")) > /dev/tty1
                ping -c \(g.pings) -W 1 \(dotted(g.peerAddress)) > /dev/null 2>&1
                boxless-agent mark $IF BOXLESS-DONE
                sleep 1

                """
        }
        image.script = script + LinuxJobScripts.networkStatistics
        do {
            try session.boot(image)
            if sourceError == nil {
                switch options.direction {
                case .rx: sourceError = timeTravel ? try replayReceiveScheduled() : try replayReceive()
                case .tx: try replayTransmit()
                }
            }
            if try !session.waitForDone(timeoutSeconds: 30) { failures.append("the guest did not finish its script") }
        } catch let e as LinuxHostError {
            session.close()
            throw RunnerError.hostFailed("Linux host: \(e.description)")
        }
        session.close()
        rxCheck.finish()
        txCheck.finish()
        if let e = sourceError { try? eventFile?.close(); throw e }
        try eventFile?.close()
        try captures.close()
        return summary(wall: ContinuousClock.now - wallStart)
    }

    /// Waits for the agent's READY (or an ERROR).
    private func waitForAgent(_ key: String) throws -> Bool {
        let line = try session.waitFor(timeoutSeconds: bootSeconds) { $0 == key || $0.hasPrefix("ERROR") }
        guard let line, line == key else {
            failures.append(line.map { "guest: \($0)" } ?? "the guest agent did not start within \(Int(bootSeconds)) s")
            return false
        }
        return true
    }

    /// RX: trace → wire → model → Linux driver → packet socket → agent, paced by the shared
    /// ``WindowedInjector`` (free-running guest: the wall clock is its clock).
    private func replayReceive() throws -> Error? {
        guard try waitForAgent("READY") else { return nil }
        let wire = self.wire, session = self.session, model = self.model
        var injector = WindowedInjector(window: window, quiet: .milliseconds(20), stallLimit: .seconds(stallSeconds))
        let start = ContinuousClock.now
        let host = WindowedInjector.Host(
            send: { bytes in _ = bytes.withUnsafeBytes { wire.send($0) }; return true },
            advance: { [unowned self] in
                try session.host.pollOnce(maxWaitNanoseconds: 2_000_000)
                self.consumeReports()
            },
            now: { ContinuousClock.now - start },
            deviceDrops: { Int(clamping: model.droppedTotal) },
            stopped: { session.host.guest?.isRunning == true ? nil : "the guest stopped during the replay" },
            stallReport: { " (reported by the guest)" })
        var sourceError: Error?
        do {
            failures += try injector.run(feed: feed, host: host, tally: { [unowned self] in self.rxCheck },
                                         sent: { [unowned self] f in self.rxCheck.sentFrame(index: f.index, bytes: f.bytes) })
        } catch let e as LinuxHostError { throw e } catch { sourceError = error }
        // The end marker: the agent stops at it and reports its own drops.
        let marker = Self.endMarker
        var end: String?
        for _ in 0..<5 where end == nil {
            _ = marker.withUnsafeBytes { wire.send($0) }
            end = try session.waitFor(timeoutSeconds: 2) { $0.hasPrefix("END ") }
            consumeReports()
        }
        checkEnd(end, why: "the guest agent never saw the end-of-replay marker")
        return sourceError
    }

    /// The agent's `END <frames> <socket-drops>` line: drops in the guest's socket fail the run
    /// (they are not the device's); no line fails it with `why`.
    private func checkEnd(_ end: String?, why: String) {
        guard let end else { failures.append(why); return }
        let parts = end.split(separator: " ")
        if parts.count >= 3, let drops = Int(parts[2]), drops > 0 {
            failures.append("the guest's packet socket dropped \(drops) frames (not the device)")
        }
    }

    /// How long (guest time) the agent may take to report after the end-of-replay marker.
    static let reportGrace = VirtualDuration.seconds(30)

    /// RX in time-travel mode: the agent's ready frame starts a scheduled injection at the trace's
    /// times; after the last frame (and 50 ms) the end marker follows. Nothing depends on when the
    /// guest's reports reach this process, so the run repeats.
    private func replayReceiveScheduled() throws -> Error? {
        let injector = Injector(target: self)
        var markerSentAt: VirtualTime?
        var started = false
        var startError: Error?
        let machine = session.machine, wire = self.wire
        injector.finished = {
            // After the last frame has crossed (and 50 ms), the end marker.
            machine.scheduler.schedule(at: max(machine.now, wire.busyUntil) + .milliseconds(50)) {
                _ = Self.endMarker.withUnsafeBytes { wire.send($0) }
                markerSentAt = machine.now
            }
        }
        readyFrameSeen = {
            guard !started else { return }
            started = true
            do { try injector.start(notBefore: machine.now + .milliseconds(1)) } catch { startError = error }
        }
        guard try waitForAgent("READY") else { return nil }
        var end: String?
        let deadline = ContinuousClock.now + .seconds(bootSeconds + 600)
        let readyDeadline = ContinuousClock.now + .seconds(30)
        while end == nil && ContinuousClock.now < deadline {
            end = try session.waitFor(timeoutSeconds: 1) { $0.hasPrefix("END ") }
            consumeReports()
            guard session.host.guest?.isRunning == true else { break }
            if !started && ContinuousClock.now > readyDeadline { break }
            // The guest's time runs on while it idles: a guest that has not reported 30 s (of its
            // time) after the marker is stuck, however fast its clock runs.
            if let m = markerSentAt, session.machine.now > m + Self.reportGrace { break }
        }
        consumeReports()
        var why = started ? "the guest agent never saw the end-of-replay marker" : "the agent's ready frame never reached the wire"
        if let m = markerSentAt, end == nil {
            why = "the guest agent did not report within \(Self.reportGrace.rawValue / 1_000_000_000_000) s of guest time after the end-of-replay marker"
                + " (at \(m.nanoseconds / 1_000_000) ms)"
        }
        checkEnd(end, why: why)
        return startError ?? injector.error
    }

    /// Whether `frame` is the agent's milestone frame carrying `word` (EtherType 0x88B5).
    static func isMilestone(_ frame: [UInt8], _ word: String) -> Bool {
        let n = word.utf8.count
        return frame.count >= 14 + n && frame[12] == 0x88 && frame[13] == 0xB5 && frame[14..<(14 + n)].elementsEqual(word.utf8)
    }

    /// A broadcast frame of the IEEE 802 local experimental EtherType 0x88B5 carrying "BOXLESS-END".
    static let endMarker: [UInt8] = {
        var f = [UInt8](repeating: 0xFF, count: 6) + [0x02, 0, 0, 0, 0, 1] + [0x88, 0xB5] + Array("BOXLESS-END".utf8)
        while f.count < 60 { f.append(0) }
        return f
    }()

    /// Takes the agent's RX lines.
    private func consumeReports() {
        var rest: [String] = []
        for l in session.takeReports() {
            let p = l.split(separator: " ")
            if ProcessInfo.processInfo.environment["BOXLESS_DEBUG"] != nil { print("agent: \(l)") }
            if p.count == 3, p[0] == "RX", let n = Int(p[1]), let h = UInt64(p[2], radix: 16) {
                if let bytes = rxCheck.reported(length: n, hash: h), captures.capturesRX {
                    bytes.withUnsafeBytes { captures.received($0, at: elapsedNanoseconds) }
                }
            } else {
                rest.append(l)
            }
        }
        session.keepReports(rest)
    }

    /// TX: the agent sends every frame; the wire shows what the model transmitted.
    private func replayTransmit() throws {
        guard let end = try session.waitFor(timeoutSeconds: bootSeconds + Double(txFrames.count) * 0.01, { $0.hasPrefix("TXEND") || $0.hasPrefix("ERROR") }),
              end.hasPrefix("TXEND") else {
            failures.append("the guest agent did not finish sending")
            return
        }
        var ok: [Int] = []
        for l in session.reports("TX") {
            let p = l.split(separator: " ")
            guard p.count >= 2, let i = Int(p[0]), i < txFrames.count else { continue }
            if p[1] == "ok" { ok.append(i) } else { txCheck.failed(index: txFrames[i].index) }
        }
        // The guest's stack traffic follows, then the done frame: run until it is on the wire (or
        // the guest stops, or nothing reaches the wire for 10 s of wall time).
        var last = -1, lastMove = ContinuousClock.now
        while doneSnapshot == nil && ContinuousClock.now - lastMove < .seconds(10) && session.host.guest?.isRunning == true {
            try session.host.pollOnce(maxWaitNanoseconds: 2_000_000)
            if collector.frames.count != last { last = collector.frames.count; lastMove = .now }
        }
        for i in ok { txCheck.accepted(index: txFrames[i].index, bytes: txFrames[i].bytes) }
        stackCheck.nicMAC = session.reports("MAC").first.flatMap(Self.parseMAC)
        for (k, (t, f)) in collector.frames.enumerated() {
            f.withUnsafeBytes { captures.transmitted($0, at: t.nanoseconds) }
            if k < stackStart ?? collector.frames.count { f.withUnsafeBytes { txCheck.wireFrame($0) } } else { stackCheck.wireFrame(f) }
        }
    }

    static func parseMAC(_ s: String) -> [UInt8]? {
        let b = s.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        return b.count == 6 ? b : nil
    }

    /// The guest-stack part of a TX summary (nil when the run never reached it).
    private func guestStackSummary() -> ReplaySummary.GuestStack? {
        guard options.direction == .tx else { return nil }
        var c = stackCheck
        c.finish()
        var problems = c.problems
        if stackStart == nil { problems.insert("the agent's stack-phase frame never reached the wire", at: 0) }
        for l in session.reports("UDP") where !l.hasSuffix(" ok") { problems.append("guest could not send UDP: \(l)") }
        return .init(udp_sent: session.reports("UDP").filter { $0.hasSuffix(" ok") }.count, udp_on_wire: c.udpReceived.count,
                     icmp_echo_expected: GuestStackCheck.pings, icmp_echo_on_wire: c.echoSequences.count, frames: c.frames,
                     problems: problems)
    }

    private func summary(wall: Duration) -> ReplaySummary {
        var f = failures
        let stack = guestStackSummary()
        if let p = stack?.problems, !p.isEmpty { f.append("guest stack traffic: \(p.count) problems (first: \(p[0]))") }
        if doneSnapshot == nil { f.append("the agent's done frame never reached the wire") }
        let problems = session.kernelProblems
        if !problems.isEmpty { f.append("guest kernel log: \(problems.count) problems (first: \(problems[0]))") }
        let bound = session.reports("IFACE").first?.split(separator: " ").last.map(String.init)
        if let bound, !linuxDrivers.contains(bound) {
            f.append("Linux bound \(bound) to the \(options.nic) model, not \(linuxDrivers.joined(separator: " or "))")
        }
        // The device's own counters (the guest's driver reports to Linux, not to us).
        var reasons = model.drops.map { ReplaySummary.Reason(counter: $0.counter, count: $0.count) }
        if model.framesIgnoredWhileDisabled > 0 {
            reasons.append(.init(counter: "ignored-while-disabled", count: model.framesIgnoredWhileDisabled))
        }
        let report = ReplayHostReport(
            host: "linux", device: model.name, driver: bound.map { "linux " + $0 } ?? "linux (none bound)",
            timing: timeTravel ? options.timing.description + " (UML time travel)" : LinuxReplayRun.nondeterministic,
            virtualNanoseconds: doneSnapshot?.virtualNs ?? elapsedNanoseconds,
            events: doneSnapshot?.events ?? session.machine.log.count,
            digest: timeTravel ? (doneSnapshot?.digest ?? session.machine.log.digest) : "nondeterministic",
            findings: session.findings, driverWarnings: problems, failures: f, dropReasons: reasons,
            txFailedName: "tx-refused-by-guest")
        let verdict = ReplayVerdict(direction: options.direction, rx: rxCheck, tx: txCheck, deviceDrops: model.droppedTotal)
        var s = ReplaySummary(options: options, feed: feed, verdict: verdict, txFailed: txCheck.failed, report: report,
                              wallNanoseconds: DiskRun.nanoseconds(wall))
        s.kernel_log = session.kernelLog
        s.guest_stack = stack
        return s
    }

    /// The note Linux-host summaries carry in `timing`.
    public static let nondeterministic = "linux-wall-clock (not deterministic: the guest runs in real time)"
}

/// Keeps what the NIC put on the wire, with its virtual time.
final class WireCollector: EthernetReceiver {
    var frames: [(VirtualTime, [UInt8])] = []
    var clock: (() -> VirtualTime)?
    /// Sees each frame first; returns whether to keep it.
    var onFrame: (([UInt8]) -> Bool)?
    func frameArrived(_ frame: UnsafeRawBufferPointer, fcsValid: Bool) {
        let bytes = Array(frame)
        if onFrame?(bytes) ?? true { frames.append((clock?() ?? .zero, bytes)) }
    }
    func carrierChanged(_ up: Bool) {}
}

extension LinuxReplayRun: ReplayTarget {
    var scheduler: Scheduler { session.machine.scheduler }
    func frameSent(index: Int, bytes: UnsafeRawBufferPointer) { rxCheck.sentFrame(index: index, bytes: Array(bytes)) }
}
