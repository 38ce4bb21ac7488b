/// What every run of the testing library concludes, for `#expect`: whether its checks passed,
/// why not, its findings and its event-log digest.
///
/// A conforming value's `description` is a readable verdict: `PASSED …` or `FAILED …` with the
/// first finding and each failed check, so `#expect(run.passed)` explains itself when it fails
/// (Swift Testing prints the value of `run`).
public protocol RunVerdict: CustomStringConvertible, Sendable {
    /// Whether every check passed (DESIGN.md, "Checks").
    var passed: Bool { get }
    /// One line per failed check (empty when ``passed``).
    var failures: [String] { get }
    /// Findings, one line each: time, device, code, strict rule id in brackets, message, reference.
    var findings: [String] { get }
    /// SHA-256 of the canonical event log: the same inputs and seed give the same digest.
    var digest: String { get }
    /// What ran, in a few words (`replay of t.pcap through WBX-100 + whitebox`).
    var what: String { get }
}

extension RunVerdict {
    /// The first finding, if any.
    public var firstFinding: String? { findings.first }

    /// The findings that breach `rule` (strict mode), matched by the rule's ``StrictRule/id``.
    public func findings(breaking rule: some StrictRule) -> [String] {
        findings.filter { $0.contains("[\(rule.id)]") }
    }

    /// Whether some finding breaches `rule`.
    public func breaks(_ rule: some StrictRule) -> Bool { !findings(breaking: rule).isEmpty }

    /// `PASSED <what>, digest …` or `FAILED <what>: first finding: …; <each failure>`.
    public var description: String {
        if passed { return "PASSED \(what), digest \(digest)" }
        var parts: [String] = []
        if let f = firstFinding { parts.append("first finding: \(f)") }
        parts += failures
        return "FAILED \(what): " + (parts.isEmpty ? "no reason given" : parts.joined(separator: "; "))
    }
}
