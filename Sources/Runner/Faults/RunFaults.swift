import BoxlessFaults
import BoxlessPlatform

/// A run's fault plan, armed on its machine (DESIGN.md, "Checks: under faults"): the plan loaded
/// with one-line errors, the injector on the machine, the impaired link in front of a NIC, and what
/// the checks and the summary need — which frames the faults lost, and whether the driver recovered
/// from each transient fault within its stated time.
final class RunFaults {
    /// The plan.
    let plan: FaultPlan
    /// The injector (installed as the machine's fault hooks).
    let injector: PlanFaultInjector
    /// The impaired link between the traffic source and the NIC, when there is a NIC.
    private(set) var link: LinkImpairment?
    private unowned(unsafe) let machine: Machine

    /// Loads the plan at `path` (`FILE:LINE: key 'X': problem` on error).
    static func load(path: String) throws(RunnerError) -> FaultPlan {
        do { return try FaultPlan.load(path: path) } catch { throw .cannotRead(path, error.description) }
    }

    /// Arms `plan` on `machine`: from here on, every config, register, DMA and interrupt access and
    /// every device event is offered to the plan.
    init(plan: FaultPlan, machine: Machine) {
        self.plan = plan
        self.machine = machine
        injector = PlanFaultInjector(plan: plan)
        injector.arm(on: machine)
    }

    /// Puts the impaired link between `wire` (the traffic source's end) and `nic` (the NIC's port),
    /// for the plan's link faults (netem's loss, delay, duplicate, reorder, corrupt, rate).
    func insertLink(wire: EthernetPort, nic: EthernetPort, device: PCIAddress) {
        let l = LinkImpairment(machine: machine, device: device, policy: injector)
        EthernetPort.connect(wire, l.outer)
        EthernetPort.connect(l.inner, nic)
        link = l
    }

    /// Frames the link lost on their way to the NIC (never reached it: not expected of the driver).
    var lostTowardDevice: UInt64 { link?.lost.towardDevice ?? 0 }
    /// Frames the link lost on their way from the NIC (sent by the driver: not expected on the wire).
    var lostFromDevice: UInt64 { link?.lost.fromDevice ?? 0 }

    /// Faults that may corrupt or lose a frame's data after the NIC took it (a DMA write dropped,
    /// aborted or bit-flipped): the receive check excuses at most one mismatched frame per fault.
    var dataFaults: Int { dataFaultCount(writesOnly: true) }

    /// DMA faults that can damage data in either direction (a disk's write data, or what it reads back).
    var dataFaultsBothWays: Int { dataFaultCount(writesOnly: false) }

    private func dataFaultCount(writesOnly: Bool) -> Int {
        applied.filter { ["dma-drop", "bit-flip", "master-abort"].contains($0.record.fault) && (!writesOnly || $0.record.target.contains("write")) }.count
    }

    /// Frames a hung transmitter swallowed: the one in the MAC when a `tx-hang` fired on a frame
    /// (its descriptors may already be written back, so the driver reported it sent) — at most one
    /// per such fault; the transmit check excuses them.
    var framesSwallowedByHangs: Int { applied.filter { $0.record.fault == "tx-hang" }.count }

    /// How many power losses the plan has cut so far.
    var powerLosses: Int { applied.filter { $0.record.fault == "power-loss" }.count }

    /// Reads a driver may make of a removed function before it notices (the all-ones read itself
    /// and a few already under way); more means it kept polling a device that is gone.
    static let readsAfterRemovalAllowed = 16

    /// The check of a surprise removal: the driver stopped touching the device (nil) or not.
    var removalFailure: String? {
        let n = injector.readsAfterRemoval
        guard anyFunctionRemoved, n > Self.readsAfterRemovalAllowed else { return nil }
        return "after the surprise removal the driver read the device's registers \(n) times (all ones each time): it did not stop at the first all-ones read"
    }

    /// Whether a surprise removal took a function away (frames reaching a removed NIC are lost to it).
    var anyFunctionRemoved: Bool { !injector.removed.isEmpty }

    /// The faults that acted on something (not those that found nothing to act on).
    var applied: [(time: VirtualTime, record: FaultRecord)] {
        machine.log.faults.filter { !$0.record.target.hasPrefix("not applicable") }
    }

    /// The latest time by which some recovery is due (the run keeps going until then).
    var recoveryHorizon: VirtualTime? {
        applied.compactMap { f -> VirtualTime? in
            guard let r = rule(f.record), let within = r.recoverWithin else { return nil }
            return end(of: f, rule: r) + within
        }.max()
    }

    private func rule(_ r: FaultRecord) -> FaultRule? {
        Int(r.rule) < plan.rules.count ? plan.rules[Int(r.rule)] : nil
    }

    /// When a fault's effect ends: its firing time plus its duration (a flap: every flap).
    private func end(of f: (time: VirtualTime, record: FaultRecord), rule: FaultRule) -> VirtualTime {
        if rule.kind == .linkFlap {
            return f.time + rule.parameters.period * UInt64(2 * max(1, rule.parameters.count))
        }
        return f.time + (rule.parameters.duration ?? .zero)
    }

    /// Whether each transient fault was followed by recovery within its time. `linkUps` are the
    /// times the driver reported the link up; `progress` the times traffic moved (deliveries, or
    /// frames on the wire); `trafficEnd` when the trace's last frame went out.
    func recoveries(linkUps: [VirtualTime], progress: [VirtualTime], trafficEnd: VirtualTime) -> [FaultRecovery] {
        applied.compactMap { f -> FaultRecovery? in
            guard let r = rule(f.record), let kind = r.kind, let within = r.recoverWithin else { return nil }
            let ended = end(of: f, rule: r)
            let isLink = [.linkDown, .linkFlap, .autonegFail].contains(kind)
            let seen = (isLink ? linkUps : progress).first { $0 >= ended }
            let observable = isLink || trafficEnd > ended
            let ok = seen.map { $0 <= ended + within } ?? !observable
            return FaultRecovery(fault: kind.rawValue, rule: Int(f.record.rule), at_ns: f.time.nanoseconds,
                                 ended_ns: ended.nanoseconds, within_ns: within.rawValue / 1000,
                                 recovered_ns: seen?.nanoseconds, observed: observable, recovered: ok,
                                 by: isLink ? "link up" : "traffic")
        }
    }

    /// The `faults` object of the JSON summary.
    var report: FaultReport {
        let s = injector.summary
        return FaultReport(plan: plan.file, total: s.total, counts: s.counts.map { .init(fault: $0.fault, count: $0.count) },
                           not_applicable: s.notApplicable, commands_failed: s.commandsFailed,
                           first: machine.log.faults.prefix(20).map { "t=\($0.time) \($0.record)" })
    }
}

/// Whether the driver got the device working again after one transient fault.
public struct FaultRecovery: Codable, Sendable, Equatable {
    /// The fault's plan name.
    public var fault: String
    /// The plan entry (0-based).
    public var rule: Int
    /// When it fired and when its effect ended (virtual ns).
    public var at_ns: UInt64
    public var ended_ns: UInt64
    /// The stated time (`recover-within:` or the fault's default).
    public var within_ns: UInt64
    /// When the device worked again (link reported up, or traffic moving), if it did.
    public var recovered_ns: UInt64?
    /// Whether there was anything to observe (traffic after the fault, or a link to come back).
    public var observed: Bool
    /// Recovered in time (or nothing to observe).
    public var recovered: Bool
    /// `link up` or `traffic`.
    public var by: String
}

/// The `faults` object of a summary: what the plan injected.
public struct FaultReport: Codable, Sendable, Equatable {
    /// The plan file.
    public var plan: String
    /// Faults injected.
    public var total: UInt64
    /// By kind, in name order.
    public var counts: [Count]
    /// Faults that fired with nothing to act on.
    public var not_applicable: UInt64
    /// Disk commands a fault failed or swallowed.
    public var commands_failed: UInt64
    /// The first injected faults, one line each (time, rule, fault, trigger, target).
    public var first: [String]
    /// One kind's count.
    public struct Count: Codable, Sendable, Equatable {
        public var fault: String
        public var count: UInt64
    }
}
