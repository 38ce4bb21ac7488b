import BoxlessPlatform

/// Parsers for the scalar values of a plan (times, counts, ranges, rates, addresses). Each returns
/// nil for a malformed value; the plan parser turns that into a ``FaultPlanError``.
enum PlanValues {
    /// `20ms`, `5us` (or `5µs`), `100ns`, `1s`, `250ps`, `1.5ms`; `0` alone. Exact in picoseconds or nil.
    static func duration(_ s: String) -> VirtualDuration? {
        let text = s.trimmingSpaces
        if text == "0" { return .zero }
        let units: [(String, UInt64)] = [("ps", 1), ("ns", 1_000), ("us", 1_000_000), ("µs", 1_000_000),
                                         ("ms", 1_000_000_000), ("s", 1_000_000_000_000)]
        guard let (unit, scale) = units.first(where: { text.hasSuffix($0.0) }) else { return nil }
        let number = String(text.dropLast(unit.count))
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), let w = UInt64(whole) else { return nil }
        var ps = w.multipliedReportingOverflow(by: scale)
        guard !ps.overflow else { return nil }
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.allSatisfy(\.isASCIIDigit) else { return nil }
            var unitScale = scale, add: UInt64 = 0
            for d in frac {
                guard unitScale % 10 == 0 else { return nil }   // finer than a picosecond
                unitScale /= 10
                add += UInt64(d.asciiValue! - 48) * unitScale
            }
            ps = ps.partialValue.addingReportingOverflow(add)
            guard !ps.overflow else { return nil }
        }
        return .picoseconds(ps.partialValue)
    }

    /// A decimal or `0x` hexadecimal unsigned integer.
    static func integer(_ s: String) -> UInt64? {
        let t = s.trimmingSpaces
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return UInt64(t.dropFirst(2), radix: 16) }
        guard !t.isEmpty, t.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt64(t)
    }

    /// A probability: `0.001`, `1e-3` or `0.1%`; nil outside 0…1.
    static func probability(_ s: String) -> Double? {
        var t = s.trimmingSpaces, scale = 1.0
        if t.hasSuffix("%") { t.removeLast(); scale = 100 }
        guard let v = Double(t), v.isFinite else { return nil }
        let p = v / scale
        return p >= 0 && p <= 1 ? p : nil
    }

    /// `A-B` (inclusive, A ≤ B) or one number.
    static func range(_ s: String) -> ClosedRange<UInt64>? {
        let t = s.trimmingSpaces
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let v = integer(t) { return v...v }
        guard parts.count == 2, let a = integer(String(parts[0])), let b = integer(String(parts[1])), a <= b else { return nil }
        return a...b
    }

    /// A rate in bits per second: `10Mbit`, `1gbit`, `500kbit`, `64bit` or a plain number.
    static func rate(_ s: String) -> UInt64? {
        let t = s.trimmingSpaces.lowercased()
        let units: [(String, UInt64)] = [("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1_000), ("bit", 1)]
        for (u, scale) in units where t.hasSuffix(u) {
            guard let v = integer(String(t.dropLast(u.count))), v > 0 else { return nil }
            let (r, o) = v.multipliedReportingOverflow(by: scale)
            return o ? nil : r
        }
        guard let v = integer(t), v > 0 else { return nil }
        return v
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`).
    static func boolean(_ s: String) -> Bool? {
        switch s.trimmingSpaces.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    /// `SSSS:BB:DD.F` or `BB:DD.F` (hexadecimal, as lspci prints them).
    static func pciAddress(_ s: String) -> PCIAddress? {
        let t = s.trimmingSpaces
        let dot = t.split(separator: ".", omittingEmptySubsequences: false)
        guard dot.count == 2, let fn = UInt8(dot[1], radix: 8), fn < 8 else { return nil }
        let colon = dot[0].split(separator: ":", omittingEmptySubsequences: false)
        guard colon.count == 2 || colon.count == 3 else { return nil }
        let seg = colon.count == 3 ? UInt16(colon[0], radix: 16) : 0
        guard let seg, let bus = UInt8(colon[colon.count - 2], radix: 16),
              let dev = UInt8(colon[colon.count - 1], radix: 16), dev < 32 else { return nil }
        return PCIAddress(segment: seg, bus: bus, device: dev, function: fn)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
