import BoxlessPlatform

/// Carries out a ``FaultPlan`` on a machine: the platform's ``FaultInjector`` hooks, the models'
/// ``DeviceFaultHooks``, and the ``LinkImpairmentPolicy`` of impaired links.
///
/// ```swift
/// let injector = PlanFaultInjector(plan: try FaultPlan.load(path: "plan.yaml"))
/// injector.arm(on: machine)            // installs the hooks, schedules the `at:` faults
/// ... run ...
/// injector.summary.json                // `faults` of the JSON summary
/// ```
///
/// Every injected fault is a ``FaultRecord`` in the machine's event log (so in its digest) and is
/// counted in ``summary``. Randomness comes from the machine's stream split by `faults` (and per
/// rule), so the same plan and seed give the same faults at the same events.
public final class PlanFaultInjector: FaultInjector, DeviceFaultHooks, LinkImpairmentPolicy {
    /// The plan.
    public let plan: FaultPlan
    /// The trigger engine (nil until armed).
    public private(set) var engine: TriggerEngine?
    /// What was injected so far.
    public private(set) var summary: FaultSummary
    /// Functions that were surprise-removed.
    public private(set) var removed: Set<PCIAddress> = []
    /// Config and register reads software made of removed functions (each returned all ones; a
    /// driver should stop at the first one it notices — writes are posted and tell it nothing).
    public private(set) var readsAfterRemoval = 0
    private unowned(unsafe) var machine: Machine?
    private var effects: [SeededRandom] = []
    private var names: [PCIAddress: String] = [:]
    private var goodState: [Bool]

    /// Creates an injector for `plan` (inactive until ``arm(on:)``).
    public init(plan: FaultPlan) {
        self.plan = plan
        summary = FaultSummary(rules: plan.rules.count)
        goodState = Array(repeating: true, count: plan.rules.count)
    }

    /// Installs the injector as `machine.faults` (the machine holds it; it refers back to the
    /// machine without retaining it, so the machine must outlive every use of the injector), seeds it from the machine's random stream, and
    /// schedules every time-triggered state fault (`when: { at: T }` without an `event:`) at its time.
    public func arm(on machine: Machine) {
        self.machine = machine
        let stream = machine.random.split("faults")
        engine = TriggerEngine(plan: plan, random: stream)
        effects = plan.rules.indices.map { stream.split("effect:\($0)") }
        machine.faults = self
        for (i, r) in plan.rules.enumerated() {
            guard let at = r.trigger.at, r.trigger.event == nil, Self.isTimed(r) else { continue }
            machine.scheduler.schedule(at: at) { [unowned self] in self.timedFire(i) }
        }
    }

    /// Rules applied at their `at:` time rather than to the next fitting event.
    static func isTimed(_ r: FaultRule) -> Bool {
        guard let k = r.kind else { return true }
        return k.isStateFault || k == .txHang || (k == .mediaError && r.parameters.lba != nil)
    }

    // MARK: platform hooks

    public func configAccess(_ site: AccessSite) -> AccessFault {
        if removed.contains(site.device) { if !site.isWrite { readsAfterRemoval += 1 }; return site.isWrite ? .dropWrite : .allOnesRead }
        return access(site, event: site.isWrite ? .configWrite : .configRead,
                      target: "config \(site.isWrite ? "write" : "read")\(site.width) at 0x\(hexString(site.offset))")
    }

    public func registerAccess(_ site: AccessSite) -> AccessFault {
        if removed.contains(site.device) { if !site.isWrite { readsAfterRemoval += 1 }; return site.isWrite ? .dropWrite : .allOnesRead }
        let event: FaultEvent = site.space == .io ? (site.isWrite ? .ioWrite : .ioRead) : (site.isWrite ? .mmioWrite : .mmioRead)
        return access(site, event: event, target: "BAR\(site.bar)+0x\(hexString(site.offset)) \(site.isWrite ? "write" : "read")\(site.width)")
    }

    private func access(_ site: AccessSite, event: FaultEvent, target: String) -> AccessFault {
        let fired = evaluate(event, site.device, offset: site.offset, bar: site.space == .config ? nil : site.bar)
        guard !fired.isEmpty else { return .none }
        var out = AccessFault.none
        for f in fired {
            let r = plan.rules[f.rule]
            switch r.kind {
            case .allOnes?:
                if out == .none { out = .allOnesRead }
                record(f, site.device, target)
            case .randomRead?:
                let v = effects[f.rule].next() & site.width.mask
                if out == .none { out = .replaceRead(v) }
                record(f, site.device, "\(target) = 0x\(hexString(v))")
            default:
                stateFault(f, site.device, target)
                if removed.contains(site.device) { out = site.isWrite ? .dropWrite : .allOnesRead }
            }
        }
        return out
    }

    public func dmaTransfer(_ site: DMASite, data: UnsafeMutableRawBufferPointer) -> DMAFault {
        if removed.contains(site.device) { return .masterAbort }
        let fired = evaluate(site.isWrite ? .dmaWrite : .dmaRead, site.device)
        guard !fired.isEmpty else { return .none }
        let target = "DMA \(site.isWrite ? "write" : "read") of \(site.length) bytes at \(site.address)"
        var out = DMAFault.none
        for f in fired {
            let r = plan.rules[f.rule]
            switch r.kind {
            case .masterAbort?: out = .masterAbort; record(f, site.device, target)
            case .dmaDrop?: if out == .none { out = .drop }; record(f, site.device, target)
            case .bitFlip?:
                var flipped: [String] = []
                for _ in 0..<r.parameters.bits where data.count > 0 {
                    let bit = Int(effects[f.rule].next() % UInt64(data.count * 8))
                    data[bit / 8] ^= UInt8(1 << (bit % 8))
                    flipped.append("byte \(bit / 8) bit \(bit % 8)")
                }
                record(f, site.device, "\(target): \(flipped.joined(separator: ", "))")
            default:
                stateFault(f, site.device, target)
                if removed.contains(site.device) || r.kind == .busMasterOff { out = .masterAbort }
            }
        }
        return out
    }

    public func interrupt(_ site: InterruptSite) -> InterruptFault {
        if removed.contains(site.device) { return .drop }
        let fired = evaluate(.interrupt, site.device)
        guard !fired.isEmpty else { return .none }
        let target = "\(site.kind) vector \(site.vector)"
        var out = InterruptFault.none
        for f in fired {
            let r = plan.rules[f.rule], p = r.parameters
            switch r.kind {
            case .irqDrop?: out = .drop; record(f, site.device, target)
            case .irqDelay?:
                let d = jittered(p.delay, p.jitter, f.rule)
                if out == .none { out = .delay(d) }
                record(f, site.device, "\(target) +\(d)")
            case .irqDuplicate?: if out == .none { out = .duplicate }; record(f, site.device, target)
            case .msixStuckMasked?:
                if let v = p.vector, v != site.vector { continue }
                out = .holdPending
                record(f, site.device, target)
                if !f.reason.hasSuffix("in window"), let end = windowEnd(f.rule, from: site.time),
                   let fn = machine?.function(at: site.device) {
                    machine?.scheduler.schedule(at: end) { fn.releasePendingMSIX() }
                }
            default:
                stateFault(f, site.device, target)
                if removed.contains(site.device) { out = .drop }
            }
        }
        return out
    }

    // MARK: device hooks (NIC and disk models)

    public func rxFrame(_ site: FrameSite) -> RxFrameFault {
        var out = RxFrameFault.none
        for f in evaluate(.rxFrame, site.device) {
            let target = "received frame of \(site.length) bytes"
            switch plan.rules[f.rule].kind {
            case .fcsError?: out = .fcsError
            case .runt?: out = .runt
            case .jabber?: out = .jabber
            case .rxFifoOverflow?: out = .fifoOverflow
            default: stateFault(f, site.device, target); continue
            }
            summary.framesLost += 1
            record(f, site.device, target)
        }
        return out
    }

    public func txFrame(_ site: FrameSite) -> TxFrameFault {
        var out = TxFrameFault.none
        for f in evaluate(.txFrame, site.device) {
            let target = "transmitted frame of \(site.length) bytes"
            if plan.rules[f.rule].kind == .txHang { out = .hang; record(f, site.device, target) }
            else { stateFault(f, site.device, target) }
        }
        return out
    }

    public func descriptorWriteback(_ site: WritebackSite) -> WritebackFault {
        var out = WritebackFault.none
        for f in evaluate(.writeback, site.device) {
            let r = plan.rules[f.rule], p = r.parameters
            let target = "\(site.receive ? "receive" : "transmit") descriptor \(site.index) write-back"
            switch r.kind {
            case .writebackDelay?:
                let d = jittered(p.delay, p.jitter, f.rule)
                out = .delay(d)
                record(f, site.device, "\(target) +\(d)")
            case .badWriteback?:
                let seeded = effects[f.rule].next()
                switch p.field {
                case .length: out = .badLength(UInt16(truncatingIfNeeded: p.value ?? (0x4000 | seeded & 0xBFFF)))
                case .index: out = .badIndex(Int(truncatingIfNeeded: p.value ?? (seeded & 0xFFFF)))
                case .status: out = .badStatus(UInt8(truncatingIfNeeded: p.value ?? (0x01 | seeded & 0xFE)))
                }
                record(f, site.device, "\(target): \(out)")
            default: stateFault(f, site.device, target)
            }
        }
        return out
    }

    public func diskCommand(_ site: DiskCommandSite) -> DiskCommandFault {
        var out = DiskCommandFault.none
        for f in evaluate(.diskCommand, site.device) {
            let r = plan.rules[f.rule], p = r.parameters
            let target = "port \(site.port) command 0x\(hexString(UInt64(site.command), digits: 2))"
                + (site.sectors > 0 ? " LBA \(site.lba)+\(site.sectors)" : "")
            switch r.kind {
            case .mediaError?:
                if let range = p.lba {
                    guard site.sectors > 0, site.lba <= range.upperBound, range.lowerBound < site.lba + UInt64(site.sectors) else { continue }
                }
                out = .mediaError
            case .commandTimeout?: out = .timeout
            case .interfaceCRC?: out = .interfaceCRC
            case .latencyOutlier?: if out == .none { out = .latency(p.delay) }
            default: stateFault(f, site.device, target); continue
            }
            if out != .none, r.kind != .latencyOutlier { summary.commandsFailed += 1 }
            record(f, site.device, target)
        }
        return out
    }

    // MARK: link

    public func impair(_ frame: LinkFrame) -> LinkVerdict {
        guard let engine else { return .pass }
        let e = TriggeredEvent(kind: frame.direction == .towardDevice ? .rxFrame : .txFrame, device: frame.device,
                               modelName: frame.device.flatMap(modelName), time: frame.time, point: .link)
        let fired = engine.evaluate(e, where: { $0.kind?.layer == .link })
        guard !fired.isEmpty else { return .pass }
        var v = LinkVerdict()
        let target = "frame of \(frame.length) bytes \(frame.direction == .towardDevice ? "towards" : "from") the device"
        for f in fired {
            let r = plan.rules[f.rule], p = r.parameters
            switch r.kind {
            case .loss?:
                if case let .gilbertElliott(gp, gr, bad, good) = p.lossModel {
                    // netem's loss_gilb_ell: the state's loss decision, after its transition draw.
                    let wasGood = goodState[f.rule]
                    if wasGood { if unit(f.rule) < gp { goodState[f.rule] = false } }
                    else if unit(f.rule) < gr { goodState[f.rule] = true }
                    guard unit(f.rule) < (wasGood ? good : bad) else { continue }
                }
                v.drop = true
                summary.framesLost += 1
            case .delay?: v.delay = v.delay + jittered(p.delay, p.jitter, f.rule)
            case .duplicate?: v.copies = 2
            case .reorder?: v.holdBack = p.delay
            case .corrupt?: v.corruptBit = Int(effects[f.rule].next() % UInt64(max(1, frame.length * 8)))
            case .rate?: v.rateBitsPerSecond = min(v.rateBitsPerSecond ?? .max, p.rateBitsPerSecond)
            default: continue
            }
            record(f, frame.device, target)
        }
        return v
    }

    // MARK: firing

    private func evaluate(_ kind: FaultEvent, _ device: PCIAddress, offset: UInt64? = nil, bar: Int? = nil) -> [Firing] {
        guard let engine, let machine else { return [] }
        let e = TriggeredEvent(kind: kind, device: device, modelName: modelName(device), offset: offset, bar: bar, time: machine.now)
        return engine.evaluate(e, where: { $0.kind?.layer != .link })
    }

    private func modelName(_ a: PCIAddress) -> String? {
        if let n = names[a] { return n }
        guard let n = machine?.function(at: a)?.model.name else { return nil }
        names[a] = n
        return n
    }

    private func timedFire(_ i: Int) {
        guard let machine, let engine, let f = engine.fireTimed(i, at: machine.now) else { return }
        let targets = machine.functions.filter { fn in
            switch plan.rules[i].trigger.device {
            case .address(let a)?: fn.address == a
            case .model(let n)?: fn.model.name == n
            case nil: true
            }
        }
        if plan.rules[i].kind == nil || targets.isEmpty { record(f, nil, targets.isEmpty ? "no function" : "state"); return }
        for fn in targets { stateFault(f, fn.address, "at \(machine.now)", immediate: true) }
    }

    /// Applies a state fault (or a state-only entry) that fired at an event or at its time.
    private func stateFault(_ f: Firing, _ device: PCIAddress, _ target: String, immediate: Bool = false) {
        guard let machine else { return }
        let r = plan.rules[f.rule], p = r.parameters
        let device_: DeviceStateFault
        switch r.kind {
        case nil: record(f, device, "state \(r.setState ?? "")"); return
        case .surpriseRemoval?:
            removed.insert(device)
            record(f, device, target)
            return
        case .busMasterOff?:
            machine.function(at: device)?.dropBusMaster()
            record(f, device, target)
            return
        case .irqSpurious?:
            let fn = machine.function(at: device)
            machine.scheduler.schedule(after: .zero) { fn?.signalSpuriousInterrupt(vector: p.vector ?? 0) }
            record(f, device, target)
            return
        case .linkDown?: device_ = .linkDown(duration: p.duration)
        case .linkFlap?: device_ = .linkFlap(count: p.count, period: p.period)
        case .autonegFail?: device_ = .autonegFail(duration: p.duration)
        case .txHang?: device_ = .txHang
        case .mediaError?:
            guard let lba = p.lba else { return }
            device_ = .mediaError(lba: lba, healedByWrite: p.healedByWrite)
        case .powerLoss?: device_ = .powerLoss
        case .phyNotReady?: device_ = .phyNotReady(duration: p.duration)
        default: return
        }
        guard let model = machine.function(at: device)?.model as? any DeviceStateFaultTarget else {
            notApplicable(f, device)
            return
        }
        // A model is not re-entered from inside its own hook call: the fault lands right after it.
        let apply = { [unowned self] in
            if model.applyStateFault(device_) { self.record(f, device, target) } else { self.notApplicable(f, device) }
        }
        if immediate { apply() } else { machine.scheduler.schedule(after: .zero, apply) }
    }

    private func notApplicable(_ f: Firing, _ device: PCIAddress) {
        summary.notApplicable += 1
        let name = plan.rules[f.rule].kind?.rawValue ?? "set-state"
        machine?.log.record(.fault(FaultRecord(device: device, rule: UInt32(f.rule), fault: name, trigger: f.reason,
                                               target: "not applicable to \(modelName(device) ?? "this function")")))
    }

    private func record(_ f: Firing, _ device: PCIAddress?, _ target: String) {
        let kind = plan.rules[f.rule].kind
        summary.add(kind, rule: f.rule)
        machine?.log.record(.fault(FaultRecord(device: device, rule: UInt32(f.rule), fault: kind?.rawValue ?? "set-state",
                                               trigger: f.reason, target: target)))
    }

    private func windowEnd(_ i: Int, from t: VirtualTime) -> VirtualTime? {
        plan.rules[i].parameters.duration.map { (plan.rules[i].trigger.at ?? t) + $0 }
    }

    /// `delay` ± `jitter`, uniform, from rule `i`'s effect stream.
    private func jittered(_ delay: VirtualDuration, _ jitter: VirtualDuration, _ i: Int) -> VirtualDuration {
        guard jitter > .zero else { return delay }
        let span = jitter.rawValue * 2 + 1
        let x = effects[i].next() % span
        let low = delay.rawValue >= jitter.rawValue ? delay.rawValue - jitter.rawValue : 0
        return .picoseconds(low + x)
    }

    private func unit(_ i: Int) -> Double { Double(effects[i].next() >> 11) * 0x1.0p-53 }
}
