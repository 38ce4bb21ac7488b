import BoxlessPlatform

/// A fault plan: the faults a run injects and when (`--faults PLAN.yaml`), as a Swift value.
///
/// ```yaml
/// faults:
///   - when: { at: 20ms }
///     inject: link-down
///     duration: 5ms
///   - when: { event: mmio-read, nth: 200 }
///     inject: all-ones
/// ```
///
/// Entries fire independently, in file order when several fire on one event; see ``FaultTrigger``
/// for the triggers and ``FaultKind`` for the faults. Same plan and seed ⇒ the same faults at the
/// same events (``TriggerEngine``).
public struct FaultPlan: Sendable, Equatable {
    /// The entries, in file order.
    public var rules: [FaultRule]
    /// The file it came from (for messages), or a name given to ``parse(yaml:file:)``.
    public var file: String
    /// The state every plan starts in (stateful rules: ``FaultTrigger/state``).
    public static let initialState = "initial"

    /// Creates a plan from rules.
    public init(rules: [FaultRule], file: String = "plan") {
        self.rules = rules; self.file = file
    }
}

/// One plan entry: a trigger, a fault and its parameters.
public struct FaultRule: Sendable, Equatable {
    /// When it fires.
    public var trigger: FaultTrigger
    /// What it injects; nil for an entry that only sets a state.
    public var kind: FaultKind?
    /// The fault's parameters, defaults filled in.
    public var parameters: FaultParameters
    /// The state the plan moves to when this entry fires (`set-state:`), like QEMU blkdebug's
    /// `set-state` rules.
    public var setState: String?
    /// How long a correct driver may take to recover (`recover-within:`, else the kind's default).
    public var recoverWithin: VirtualDuration?
    /// Line of the entry in the plan file (1-based; 0 when built in code).
    public var line: Int

    /// Creates an entry.
    public init(trigger: FaultTrigger, kind: FaultKind?, parameters: FaultParameters = FaultParameters(),
                setState: String? = nil, recoverWithin: VirtualDuration? = nil, line: Int = 0) {
        self.trigger = trigger; self.kind = kind; self.parameters = parameters; self.setState = setState
        self.recoverWithin = recoverWithin ?? kind?.defaultRecoverWithin; self.line = line
    }
}

/// Which function a trigger is narrowed to (`device:`).
public enum DeviceSelector: Sendable, Equatable, CustomStringConvertible {
    /// A PCI location, e.g. `0000:00:03.0` or `00:03.0`.
    case address(PCIAddress)
    /// A device model's name, e.g. `e1000` or `exerciser`.
    case model(String)
    /// As written in a plan.
    public var description: String {
        switch self {
        case .address(let a): a.description
        case .model(let n): n
        }
    }
}

/// `after:` — not before a virtual time, or not before this many matching events have passed.
public enum FaultAfter: Sendable, Equatable {
    /// Not before this time.
    case time(VirtualTime)
    /// Only once more than this many matching events have been counted.
    case events(UInt64)
}

/// When an entry fires (`when: {...}`).
///
/// - `event:` the kind of event counted (default: every event the fault fits);
///   `device:`, `offset:`, `bar:` narrow it.
/// - `at:` not before this virtual time, once (with the fault's `duration:`, a window instead).
/// - `nth:` the n-th matching event only.
/// - `interval:`/`times:` Linux fault-injection's knobs: every interval-th matching event, at most
///   `times` firings in all (`times` defaults to unlimited, 1 for `at`/`nth`).
/// - `probability:` each otherwise eligible event fires with this probability, drawn from the
///   entry's stream of the run's seed.
/// - `after:` a time (`5ms`) or an event count (`100`): nothing fires before it.
/// - `state:` fires only while the plan is in this state (another entry's `set-state:`).
public struct FaultTrigger: Sendable, Equatable {
    /// Event kind counted, if narrowed.
    public var event: FaultEvent?
    /// Function narrowing.
    public var device: DeviceSelector?
    /// Register/config offset narrowing.
    public var offset: UInt64?
    /// BAR narrowing (register events).
    public var bar: Int?
    /// Virtual time.
    public var at: VirtualTime?
    /// The one event that fires (1-based).
    public var nth: UInt64?
    /// Every interval-th event.
    public var interval: UInt64?
    /// Most firings (nil: unlimited).
    public var times: UInt64?
    /// Probability per eligible event, 0…1.
    public var probability: Double?
    /// Not before.
    public var after: FaultAfter?
    /// Required plan state.
    public var state: String?

    /// Creates a trigger.
    public init(event: FaultEvent? = nil, device: DeviceSelector? = nil, offset: UInt64? = nil, bar: Int? = nil,
                at: VirtualTime? = nil, nth: UInt64? = nil, interval: UInt64? = nil, times: UInt64? = nil,
                probability: Double? = nil, after: FaultAfter? = nil, state: String? = nil) {
        self.event = event; self.device = device; self.offset = offset; self.bar = bar; self.at = at; self.nth = nth
        self.interval = interval; self.times = times; self.probability = probability; self.after = after; self.state = state
    }

    /// Most firings once the defaults apply: `times`, else 1 for `nth` and `at`, else unlimited.
    public var firingLimit: UInt64? {
        if let times { return times }
        if nth != nil || at != nil { return 1 }
        return nil
    }
}

/// How the link loses frames (`model:`).
public enum LossModel: Sendable, Equatable {
    /// Every fired frame is lost (use the trigger's `probability:` for random loss).
    case random
    /// A two-state Gilbert–Elliott channel, per frame (netem `loss gemodel p r 1-h 1-k`).
    case gilbertElliott(p: Double, r: Double, lossBad: Double, lossGood: Double)
}

/// Which field a bad write-back spoils (`field:`).
public enum WritebackField: String, Sendable, Equatable, CaseIterable {
    /// The length (receive: longer than the buffer).
    case length
    /// The ring index the head moves to.
    case index
    /// The status byte.
    case status
}

/// A plan entry's parameters, each with its documented default.
public struct FaultParameters: Sendable, Equatable {
    /// Window or down time; nil: one event (event faults) or for good (state faults).
    public var duration: VirtualDuration?
    /// Sectors (media-error), inclusive.
    public var lba: ClosedRange<UInt64>?
    /// media-error: a write repairs a bad sector (default false).
    public var healedByWrite = false
    /// irq-delay 100 µs; writeback-delay 100 µs; delay 1 ms; reorder 1 ms; latency-outlier 50 ms.
    public var delay: VirtualDuration = .zero
    /// Uniform ± jitter around `delay` (default 0).
    public var jitter: VirtualDuration = .zero
    /// bit-flip: bits flipped per transfer (default 1).
    public var bits = 1
    /// irq-spurious / msix-stuck-masked: the vector (default: 0 / the triggering vector).
    public var vector: Int?
    /// link-flap: flaps (default 3).
    public var count = 3
    /// link-flap: each down or up state (default 1 ms).
    public var period: VirtualDuration = .milliseconds(1)
    /// loss: the model (default random).
    public var lossModel: LossModel = .random
    /// rate: bits per second (default 10 Mbit/s).
    public var rateBitsPerSecond: UInt64 = 10_000_000
    /// bad-writeback: the field (default length).
    public var field: WritebackField = .length
    /// bad-writeback: the value (default seeded).
    public var value: UInt64?

    /// Default parameters.
    public init() {}

    /// The defaults of `kind` (the delays above).
    public init(defaultsFor kind: FaultKind?) {
        switch kind {
        case .irqDelay?, .writebackDelay?: delay = .microseconds(100)
        case .delay?, .reorder?: delay = .milliseconds(1)
        case .latencyOutlier?: delay = .milliseconds(50)
        case .msixStuckMasked?: duration = .milliseconds(10)
        case .phyNotReady?: duration = .milliseconds(10)
        default: break
        }
    }
}
