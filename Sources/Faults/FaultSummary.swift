import BoxlessPlatform

/// What a run's fault plan did, for the JSON summary (`faults` with counts).
public struct FaultSummary: Sendable, Equatable {
    /// Faults injected, per kind (plan name), in name order.
    public var counts: [(fault: String, count: UInt64)] {
        byKind.keys.sorted().map { ($0, byKind[$0]!) }
    }
    /// Firings per plan entry, in plan order.
    public var perRule: [UInt64]
    /// Faults that fired but found nothing to act on (no model accepted a state fault).
    public var notApplicable: UInt64 = 0
    /// Frames the link or a NIC fault lost (the checks account them to the faults: `lost_to_faults`).
    public var framesLost: UInt64 = 0
    /// Disk commands a fault failed or swallowed.
    public var commandsFailed: UInt64 = 0
    private var byKind: [String: UInt64] = [:]

    /// An empty summary for a plan of `rules` entries.
    public init(rules: Int) { perRule = Array(repeating: 0, count: rules) }

    /// Total faults injected.
    public var total: UInt64 { byKind.values.reduce(0, +) }

    /// How many faults of `kind` were injected.
    public func count(_ kind: FaultKind) -> UInt64 { byKind[kind.rawValue] ?? 0 }

    mutating func add(_ kind: FaultKind?, rule: Int) {
        perRule[rule] += 1
        if let kind { byKind[kind.rawValue, default: 0] += 1 }
    }

    /// `{"total":N,"counts":{"all-ones":1,...},"not_applicable":0,"lost_to_faults":0,"commands_failed":0}`
    /// (keys in a fixed order, counts by name).
    public var json: String {
        "{\"total\":\(total),\"counts\":{" + counts.map { "\(jsonString($0.fault)):\($0.count)" }.joined(separator: ",")
            + "},\"not_applicable\":\(notApplicable),\"lost_to_faults\":\(framesLost),\"commands_failed\":\(commandsFailed)}"
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.byKind == b.byKind && a.perRule == b.perRule && a.notApplicable == b.notApplicable
            && a.framesLost == b.framesLost && a.commandsFailed == b.commandsFailed
    }
}
