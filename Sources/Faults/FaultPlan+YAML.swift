import BoxlessPlatform
import Foundation
import Yams

extension FaultPlan {
    /// Reads a plan file (`--faults PLAN.yaml`). Every mistake is one ``FaultPlanError`` naming the
    /// file, the line and the key.
    public static func load(path: String) throws(FaultPlanError) -> FaultPlan {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FaultPlanError(file: path, line: 0, key: nil, problem: .unreadable("\(error.localizedDescription)"))
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses a plan from YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String = "plan.yaml") throws(FaultPlanError) -> FaultPlan {
        try PlanParser(file: file).plan(yaml)
    }
}

/// Walks a Yams node tree (for its line marks) into a ``FaultPlan``.
struct PlanParser {
    let file: String

    func fail(_ node: Node?, _ key: String?, _ problem: FaultPlanError.Problem) -> FaultPlanError {
        FaultPlanError(file: file, line: node?.mark?.line ?? 1, key: key, problem: problem)
    }

    func plan(_ yaml: String) throws(FaultPlanError) -> FaultPlan {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw FaultPlanError(file: file, line: 1, key: nil, problem: .malformed("not YAML: \(error)"))
        }
        guard let root else { throw fail(nil, "faults", .missing) }
        let top = try mapping(root, "faults", context: "the plan must be a mapping with a 'faults' list")
        var list: Node?
        for (k, v) in top {
            guard k == "faults" else { throw fail(v.key, k, .unknownKey) }
            list = v.value
        }
        guard let list else { throw fail(root, "faults", .missing) }
        var rules: [FaultRule] = []
        if case .scalar(let s) = list, s.string.isEmpty || s.string == "~" || s.string == "null" {
            return FaultPlan(rules: [], file: file)
        }
        guard case .sequence(let seq) = list else {
            throw fail(list, "faults", .malformed("must be a list of entries"))
        }
        for entry in seq { rules.append(try rule(entry)) }
        try checkStates(rules, seq)
        return FaultPlan(rules: rules, file: file)
    }

    private func yamlError(_ e: YamlError) -> FaultPlanError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            FaultPlanError(file: file, line: mark.line, key: nil, problem: .malformed("not YAML: \(problem)"))
        default:
            FaultPlanError(file: file, line: 1, key: nil, problem: .malformed("not YAML: \(e)"))
        }
    }

    /// A mapping's entries as (key string, key node, value node), in order, duplicates rejected.
    private func mapping(_ node: Node, _ key: String, context: String) throws(FaultPlanError)
        -> [(String, (key: Node, value: Node))] {
        guard case .mapping(let m) = node else { throw fail(node, key, .malformed(context)) }
        var out: [(String, (key: Node, value: Node))] = []
        for (k, v) in m {
            guard let name = k.scalar?.string else { throw fail(k, key, .malformed("keys must be plain names")) }
            if out.contains(where: { $0.0 == name }) { throw fail(k, name, .duplicate) }
            out.append((name, (k, v)))
        }
        return out
    }

    private func scalar(_ node: Node, _ key: String) throws(FaultPlanError) -> String {
        guard let s = node.scalar?.string else { throw fail(node, key, .badValue("must be a single value")) }
        return s
    }

    private func duration(_ node: Node, _ key: String) throws(FaultPlanError) -> VirtualDuration {
        let s = try scalar(node, key)
        guard let d = PlanValues.duration(s) else { throw fail(node, key, .badDuration(s)) }
        return d
    }

    private func count(_ node: Node, _ key: String, min: UInt64 = 1) throws(FaultPlanError) -> UInt64 {
        let s = try scalar(node, key)
        guard let v = PlanValues.integer(s) else { throw fail(node, key, .badValue("'\(s)' is not a whole number")) }
        guard v >= min else { throw fail(node, key, .badValue("must be at least \(min)")) }
        return v
    }

    private func fraction(_ node: Node, _ key: String) throws(FaultPlanError) -> Double {
        let s = try scalar(node, key)
        guard let p = PlanValues.probability(s) else {
            throw fail(node, key, .badValue("'\(s)' is not a probability between 0 and 1 (or 0%-100%)"))
        }
        return p
    }

    // MARK: entries

    private func rule(_ node: Node) throws(FaultPlanError) -> FaultRule {
        let entry = try mapping(node, "faults", context: "each entry must be a mapping with 'when' and 'inject'")
        var kind: FaultKind?, kindNode: Node?, whenNode: Node?, setState: String?, recover: VirtualDuration?
        var params: [(String, (key: Node, value: Node))] = []
        for (k, kv) in entry {
            switch k {
            case "when": whenNode = kv.value
            case "inject":
                let s = try scalar(kv.value, k)
                guard let f = FaultKind(rawValue: s) else { throw fail(kv.value, k, .unknownFault(s)) }
                kind = f; kindNode = kv.key
            case "set-state": setState = try scalar(kv.value, k)
            case "recover-within": recover = try duration(kv.value, k)
            default:
                guard FaultParameterKey(rawValue: k) != nil else { throw fail(kv.key, k, .unknownKey) }
                params.append((k, kv))
            }
        }
        guard let whenNode else { throw fail(node, "when", .missing) }
        guard kind != nil || setState != nil else { throw fail(node, "inject", .missing) }
        let trigger = try self.trigger(whenNode)
        if let kind {
            if let e = trigger.event, !kind.events.contains(e) { throw fail(kindNode, "inject", .notFitting(kind, e)) }
        } else if let (k, kv) = params.first {
            throw fail(kv.key, k, .conflict("an entry without 'inject' only sets a state; it takes no parameters"))
        }
        var p = FaultParameters(defaultsFor: kind)
        for (k, kv) in params {
            let key = FaultParameterKey(rawValue: k)!
            guard let kind, kind.parameters.contains(key) else {
                throw fail(kv.key, k, .notAParameter(kind!, takes: kind!.parameters))
            }
            try parameter(key, kv.value, into: &p, kind: kind)
        }
        if let kind { try checkKind(kind, trigger, p, node, whenNode) }
        return FaultRule(trigger: trigger, kind: kind, parameters: p, setState: setState, recoverWithin: recover,
                         line: node.mark?.line ?? 0)
    }

    private func parameter(_ key: FaultParameterKey, _ v: Node, into p: inout FaultParameters, kind: FaultKind) throws(FaultPlanError) {
        let k = key.rawValue
        switch key {
        case .duration: p.duration = try duration(v, k)
        case .delay: p.delay = try duration(v, k)
        case .jitter: p.jitter = try duration(v, k)
        case .period:
            p.period = try duration(v, k)
            guard p.period > .zero else { throw fail(v, k, .badValue("must be longer than 0")) }
        case .lba:
            let s = try scalar(v, k)
            guard let r = PlanValues.range(s) else { throw fail(v, k, .badRange(s)) }
            p.lba = r
        case .healedByWrite:
            let s = try scalar(v, k)
            guard let b = PlanValues.boolean(s) else { throw fail(v, k, .badValue("'\(s)' is not true or false")) }
            p.healedByWrite = b
        case .bits: p.bits = Int(try count(v, k))
        case .count: p.count = Int(try count(v, k))
        case .vector: p.vector = Int(try count(v, k, min: 0))
        case .value: p.value = try count(v, k, min: 0)
        case .rate:
            let s = try scalar(v, k)
            guard let r = PlanValues.rate(s) else { throw fail(v, k, .badValue("'\(s)' is not a rate (e.g. 10Mbit)")) }
            p.rateBitsPerSecond = r
        case .field:
            let s = try scalar(v, k)
            guard let f = WritebackField(rawValue: s) else { throw fail(v, k, .badValue("'\(s)' is not length, index or status")) }
            p.field = f
        case .model:
            let s = try scalar(v, k)
            switch s {
            case "random": p.lossModel = .random
            case "gilbert-elliott": if case .random = p.lossModel { p.lossModel = .gilbertElliott(p: 0, r: 1, lossBad: 1, lossGood: 0) }
            default: throw fail(v, k, .badValue("'\(s)' is not random or gilbert-elliott"))
            }
        case .p, .r, .lossBad, .lossGood:
            let x = try fraction(v, k)
            var (gp, gr, bad, good) = (0.0, 1.0, 1.0, 0.0)
            if case let .gilbertElliott(a, b, c, d) = p.lossModel { (gp, gr, bad, good) = (a, b, c, d) }
            switch key {
            case .p: gp = x
            case .r: gr = x
            case .lossBad: bad = x
            default: good = x
            }
            p.lossModel = .gilbertElliott(p: gp, r: gr, lossBad: bad, lossGood: good)
        }
    }

    /// Checks that need the whole entry.
    private func checkKind(_ kind: FaultKind, _ t: FaultTrigger, _ p: FaultParameters, _ node: Node, _ when: Node) throws(FaultPlanError) {
        if kind == .mediaError, t.event == nil, p.lba == nil {
            throw fail(node, "lba", .conflict("missing: a media-error without an event needs the sectors it spoils"))
        }
        if kind.isStateFault, t.probability == nil, t.nth == nil, t.interval == nil, t.at == nil, t.event == nil, t.after == nil, t.state == nil {
            throw fail(when, "when", .conflict("\(kind) needs a trigger: 'at', or an 'event' with 'nth', 'interval' or 'probability'"))
        }
    }

    private func trigger(_ node: Node) throws(FaultPlanError) -> FaultTrigger {
        let m = try mapping(node, "when", context: "must be a mapping, e.g. { at: 20ms } or { event: mmio-read, nth: 200 }")
        var t = FaultTrigger()
        var offsetNode: Node?
        for (k, kv) in m {
            let v = kv.value
            switch k {
            case "event":
                let s = try scalar(v, k)
                guard let e = FaultEvent(rawValue: s) else { throw fail(v, k, .unknownEvent(s)) }
                t.event = e
            case "at":
                t.at = VirtualTime.zero + (try duration(v, k))
            case "nth": t.nth = try count(v, k)
            case "interval": t.interval = try count(v, k)
            case "times": t.times = try count(v, k)
            case "probability": t.probability = try fraction(v, k)
            case "after":
                let s = try scalar(v, k)
                if let n = PlanValues.integer(s) { t.after = .events(n) }
                else if let d = PlanValues.duration(s) { t.after = .time(.zero + d) }
                else { throw fail(v, k, .badValue("'\(s)' is neither a time (5ms) nor an event count")) }
            case "state": t.state = try scalar(v, k)
            case "device":
                let s = try scalar(v, k)
                guard !s.isEmpty else { throw fail(v, k, .badValue("must name a PCI address or a device model")) }
                if let a = PlanValues.pciAddress(s) { t.device = .address(a) }
                else if s.contains(":") { throw fail(v, k, .badValue("'\(s)' is not a PCI address (0000:00:03.0)")) }
                else { t.device = .model(s) }
            case "offset":
                let s = try scalar(v, k)
                guard let o = PlanValues.integer(s) else { throw fail(v, k, .badValue("'\(s)' is not an offset (0x10 or 16)")) }
                t.offset = o; offsetNode = kv.key
            case "bar":
                let b = try count(v, k, min: 0)
                guard b < 6 else { throw fail(v, k, .badValue("BARs are numbered 0 to 5")) }
                t.bar = Int(b); offsetNode = offsetNode ?? kv.key
            default: throw fail(kv.key, k, .unknownKey)
            }
        }
        if t.offset != nil || t.bar != nil, !(t.event?.hasOffset ?? false) {
            throw fail(offsetNode, t.offset != nil ? "offset" : "bar",
                       .conflict("only config and register events (config-*, mmio-*, io-*) can be narrowed by offset or BAR"))
        }
        if t.nth != nil, t.interval != nil { throw fail(node, "nth", .conflict("'nth' and 'interval' cannot be combined")) }
        if t.nth != nil, t.probability != nil { throw fail(node, "nth", .conflict("'nth' and 'probability' cannot be combined")) }
        if t.times != nil, t.nth != nil { throw fail(node, "times", .conflict("'nth' fires once; 'times' does not apply")) }
        return t
    }

    /// Every `state:` must be the initial state or one some entry sets.
    private func checkStates(_ rules: [FaultRule], _ seq: Node.Sequence) throws(FaultPlanError) {
        let set = Set(rules.compactMap(\.setState))
        for (i, r) in rules.enumerated() {
            guard let s = r.trigger.state, s != FaultPlan.initialState, !set.contains(s) else { continue }
            throw fail(seq[i], "state", .badValue("no entry sets state '\(s)' (plans start in '\(FaultPlan.initialState)')"))
        }
    }
}
