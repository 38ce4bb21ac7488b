import BoxlessPlatform

/// One event as the trigger engine counts it.
public struct TriggeredEvent: Sendable {
    /// Where the event was seen: the device (its MAC, its bus hooks) or the wire before it.
    public enum Point: Sendable { case device, link }
    /// The kind.
    public var kind: FaultEvent
    /// The function involved, if any.
    public var device: PCIAddress?
    /// Its model's name (for `device: NAME` selectors).
    public var modelName: String?
    /// Config or register offset.
    public var offset: UInt64?
    /// BAR of a register access.
    public var bar: Int?
    /// When.
    public var time: VirtualTime
    /// Device or link.
    public var point: Point

    /// Creates an event.
    public init(kind: FaultEvent, device: PCIAddress?, modelName: String? = nil, offset: UInt64? = nil, bar: Int? = nil,
                time: VirtualTime, point: Point = .device) {
        self.kind = kind; self.device = device; self.modelName = modelName; self.offset = offset; self.bar = bar
        self.time = time; self.point = point
    }
}

/// A rule that fired, and why (the log's `trigger` text).
public struct Firing: Sendable, Equatable {
    /// Index of the rule in the plan.
    public var rule: Int
    /// e.g. `mmio-read #200`, `dma-write #37 p=0.001`, `at 20000000ns`, `rx-frame #12 in window`.
    public var reason: String
}

/// Evaluates a plan's triggers, deterministically: it counts events per rule (each rule's count is
/// the events of its kind on its device and offset), and draws every probability from the rule's own
/// stream, split from the run's seed by the rule's index, so one rule's draws never shift another's.
///
/// Order of the checks for an event a rule matches (Linux `should_fail()` order, then blkdebug's
/// state): the event is counted; an open window (`duration:` after a firing) fires it; otherwise it
/// must be under the firing limit, not before `at`/`after`, in the required state, the `nth`, on an
/// `interval` boundary (of the events that passed the checks so far, as Linux counts), and win the
/// `probability` draw. Firing moves the plan to the rule's `set-state`.
public final class TriggerEngine {
    /// The plan.
    public let plan: FaultPlan
    /// The plan's current state.
    public private(set) var state = FaultPlan.initialState
    /// Matching events counted per rule.
    public private(set) var counts: [UInt64]
    /// Firings per rule.
    public private(set) var firings: [UInt64]
    private var eligible: [UInt64]
    private var windowEnd: [VirtualTime?]
    private var random: [SeededRandom]

    /// Creates an engine; `random` is the fault layer's stream (the run's seed split by `faults`).
    public init(plan: FaultPlan, random: SeededRandom) {
        self.plan = plan
        let n = plan.rules.count
        counts = Array(repeating: 0, count: n)
        firings = Array(repeating: 0, count: n)
        eligible = Array(repeating: 0, count: n)
        windowEnd = Array(repeating: nil, count: n)
        self.random = (0..<n).map { random.split("rule:\($0)") }
    }

    /// Whether rule `i` counts `e` at all (its event kind, layer, device, offset and BAR).
    public func matches(_ i: Int, _ e: TriggeredEvent) -> Bool {
        let r = plan.rules[i], t = r.trigger
        if let kind = r.kind {
            guard (kind.layer == .link) == (e.point == .link) else { return false }
            if let want = t.event { guard want == e.kind else { return false } } else {
                guard kind.events.contains(e.kind) else { return false }
            }
        } else {
            guard e.point == .device, t.event.map({ $0 == e.kind }) ?? true else { return false }
        }
        if let d = t.device {
            switch d {
            case .address(let a): guard e.device == a else { return false }
            case .model(let name): guard e.modelName == name else { return false }
            }
        }
        if let o = t.offset, e.offset != o { return false }
        if let b = t.bar, e.bar != b { return false }
        return true
    }

    /// Counts `e` for every rule that matches it (`filter` picks which rules are asked) and returns
    /// those that fire, in plan order.
    public func evaluate(_ e: TriggeredEvent, where filter: (FaultRule) -> Bool = { _ in true }) -> [Firing] {
        var fired: [Firing] = []
        for i in plan.rules.indices where filter(plan.rules[i]) && matches(i, e) {
            if let f = step(i, e) { fired.append(f) }
        }
        return fired
    }

    private func step(_ i: Int, _ e: TriggeredEvent) -> Firing? {
        let r = plan.rules[i], t = r.trigger
        counts[i] &+= 1
        let n = counts[i]
        let what = "\(e.kind) #\(n)"
        if let end = windowEnd[i] {
            if e.time < end { return Firing(rule: i, reason: "\(what) in window") }
            windowEnd[i] = nil
        }
        if let limit = t.firingLimit, firings[i] >= limit { return nil }
        if let at = t.at {
            guard e.time >= at else { return nil }
            // `at` with a window: only events inside [at, at + duration) fire.
            if let d = r.parameters.duration, let k = r.kind, !k.isStateFault, e.time >= at + d { return nil }
        }
        switch t.after {
        case .time(let after)?: guard e.time >= after else { return nil }
        case .events(let after)?: guard n > after else { return nil }
        case nil: break
        }
        if let s = t.state, s != state { return nil }
        if let nth = t.nth, n != nth { return nil }
        eligible[i] &+= 1
        if let interval = t.interval, interval > 1, eligible[i] % interval != 0 { return nil }
        var reason = what
        if let p = t.probability {
            guard draw(i, p) else { return nil }
            reason += " p=\(p)"
        }
        fire(i, at: e.time)
        return Firing(rule: i, reason: reason)
    }

    /// A time-triggered rule's moment has come (the injector scheduled it at `at`): fires it if it is
    /// in its state and under its limit (and wins its probability draw, if it has one).
    public func fireTimed(_ i: Int, at time: VirtualTime) -> Firing? {
        let r = plan.rules[i], t = r.trigger
        if let limit = t.firingLimit, firings[i] >= limit { return nil }
        if let s = t.state, s != state { return nil }
        if let p = t.probability, !draw(i, p) { return nil }
        fire(i, at: time)
        return Firing(rule: i, reason: "at \(time)")
    }

    private func fire(_ i: Int, at time: VirtualTime) {
        let r = plan.rules[i]
        firings[i] &+= 1
        if let d = r.parameters.duration, let k = r.kind, !k.isStateFault { windowEnd[i] = (r.trigger.at ?? time) + d }
        if let s = r.setState { state = s }
    }

    /// True with probability `p`, from rule `i`'s stream (53 random bits against `p`).
    private func draw(_ i: Int, _ p: Double) -> Bool {
        if p >= 1 { return true }
        if p <= 0 { return false }
        let x = Double(random[i].next() >> 11) * 0x1.0p-53
        return x < p
    }
}
