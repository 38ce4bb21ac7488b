/// A rule a device model checks in strict mode (DESIGN.md, "Strict mode"): what real silicon
/// punishes and lenient emulators forgive. Each model family declares its rules as an enum
/// conforming to this, so a finding names its rule by ``id`` and tests assert by rule, not by text.
public protocol StrictRule: Sendable {
    /// Stable identifier, `family.rule` (`e1000.ring-misaligned`, `ahci.clb-misaligned`); it
    /// appears in findings, JSON and the event log.
    var id: String { get }
    /// What the driver did wrong, in a few words; a finding's message starts with it.
    var summary: String { get }
    /// The datasheet or specification section that states the rule.
    var reference: String { get }
}

extension PCIFunction {
    /// Reports a breach of `rule` (only when strict mode is on), with the values involved in
    /// `detail`: the finding's message is the rule's summary, then the detail.
    public func strictFinding(_ rule: some StrictRule, _ detail: String = "") {
        guard strict else { return }
        machine.log.record(.finding(Finding(time: now, device: address, code: .strict,
                                            message: detail.isEmpty ? rule.summary : rule.summary + ": " + detail,
                                            reference: rule.reference, rule: rule.id)))
    }
}
