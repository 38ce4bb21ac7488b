/// A bad fault plan: one line naming the file, the line and the key (DESIGN.md: bad input gets one
/// clear error line), e.g. `plan.yaml:4: key 'inject': unknown fault 'all-one'`.
public struct FaultPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// The file could not be read.
        case unreadable(String)
        /// Not YAML, or not the plan's shape (a list where a mapping belongs, ...).
        case malformed(String)
        /// A key the plan does not know here.
        case unknownKey
        /// A parameter the fault does not take.
        case notAParameter(FaultKind, takes: [FaultParameterKey])
        /// A key that must be given.
        case missing
        /// A key given twice in one mapping.
        case duplicate
        /// An `inject:` value that names no fault.
        case unknownFault(String)
        /// An `event:` value that names no event.
        case unknownEvent(String)
        /// A time that is not a number with a unit (`20ms`, `5us`, `100ns`, `1s`).
        case badDuration(String)
        /// A range that is not `A-B` with A ≤ B, or one number.
        case badRange(String)
        /// A value out of its domain (a probability above 1, an nth of 0, ...).
        case badValue(String)
        /// The fault cannot act on the trigger's event (all-ones on a dma-write).
        case notFitting(FaultKind, FaultEvent)
        /// Keys that contradict each other.
        case conflict(String)
    }

    /// The plan file as named.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// The key concerned, if any.
    public var key: String?
    /// What is wrong.
    public var problem: Problem

    /// Creates an error.
    public init(file: String, line: Int, key: String?, problem: Problem) {
        self.file = file; self.line = line; self.key = key; self.problem = problem
    }

    /// `FILE:LINE: key 'KEY': PROBLEM`.
    public var description: String {
        "\(file):\(line): " + (key.map { "key '\($0)': " } ?? "") + message
    }

    /// The problem in words.
    public var message: String {
        switch problem {
        case .unreadable(let why): "cannot read the plan: \(why)"
        case .malformed(let why): why
        case .unknownKey: "unknown key"
        case let .notAParameter(kind, takes):
            "not a parameter of \(kind) (it takes " + (takes.isEmpty ? "none" : takes.map(\.rawValue).joined(separator: ", ")) + ")"
        case .missing: "missing"
        case .duplicate: "given twice"
        case .unknownFault(let v): "unknown fault '\(v)'"
        case .unknownEvent(let v): "unknown event '\(v)'"
        case .badDuration(let v): "bad duration '\(v)' (a number and one of ps, ns, us, ms, s, e.g. 20ms)"
        case .badRange(let v): "bad range '\(v)' (A-B with A <= B, or one number)"
        case .badValue(let why): why
        case let .notFitting(kind, event):
            "\(kind) does not fit event \(event) (it acts on \(kind.events.map(\.rawValue).joined(separator: ", ")))"
        case .conflict(let why): why
        }
    }
}
