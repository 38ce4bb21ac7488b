/// A point in virtual time: picoseconds since the machine was powered on.
///
/// All time in a machine is virtual and advanced only by the ``Scheduler`` (DESIGN.md, "Determinism").
/// Picoseconds keep 1 GbE byte times (8 ns), PCIe symbol times (400 ps at 2.5 GT/s) and bus clocks
/// (30 ns at 33 MHz) exact integers. `UInt64` picoseconds cover about 213 days.
public struct VirtualTime: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Picoseconds since power-on.
    public var rawValue: UInt64
    /// Creates a time from picoseconds since power-on.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Creates a time from picoseconds since power-on.
    @inlinable public init(picoseconds: UInt64) { self.rawValue = picoseconds }
    /// Power-on.
    public static let zero = VirtualTime(rawValue: 0)
    /// Picoseconds since power-on.
    @inlinable public var picoseconds: UInt64 { rawValue }
    /// Whole nanoseconds since power-on (truncated).
    @inlinable public var nanoseconds: UInt64 { rawValue / 1_000 }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// `self` moved forward by `d`.
    @inlinable public static func + (a: Self, d: VirtualDuration) -> Self { Self(rawValue: a.rawValue &+ d.rawValue) }
    /// The span from `b` to `a` (`a` must not be earlier than `b`).
    @inlinable public static func - (a: Self, b: Self) -> VirtualDuration {
        precondition(a >= b, "virtual time difference would be negative")
        return VirtualDuration(rawValue: a.rawValue - b.rawValue)
    }
    /// Renders as nanoseconds with picosecond fraction when needed, e.g. `1234.5ns`.
    public var description: String { VirtualDuration(rawValue: rawValue).description }
}

/// A span of virtual time in picoseconds.
public struct VirtualDuration: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Picoseconds.
    public var rawValue: UInt64
    /// Creates a span from picoseconds.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// No time at all.
    public static let zero = VirtualDuration(rawValue: 0)
    /// A span of `n` picoseconds.
    @inlinable public static func picoseconds(_ n: UInt64) -> Self { Self(rawValue: n) }
    /// A span of `n` nanoseconds.
    @inlinable public static func nanoseconds(_ n: UInt64) -> Self { Self(rawValue: n &* 1_000) }
    /// A span of `n` microseconds.
    @inlinable public static func microseconds(_ n: UInt64) -> Self { Self(rawValue: n &* 1_000_000) }
    /// A span of `n` milliseconds.
    @inlinable public static func milliseconds(_ n: UInt64) -> Self { Self(rawValue: n &* 1_000_000_000) }
    /// A span of `n` seconds.
    @inlinable public static func seconds(_ n: UInt64) -> Self { Self(rawValue: n &* 1_000_000_000_000) }
    /// The time to move `bytes` at `bytesPerSecond`, rounded up to a picosecond (full-width
    /// arithmetic: no overflow for any byte count; saturates past ~213 days).
    public static func transfer(bytes: Int, bytesPerSecond: UInt64) -> Self {
        precondition(bytesPerSecond > 0 && bytes >= 0)
        // Common case (under ~18 MB): the same value in 64-bit arithmetic.
        let (small, over) = UInt64(bytes).multipliedReportingOverflow(by: 1_000_000_000_000)
        if !over, case let (sum, false) = small.addingReportingOverflow(bytesPerSecond - 1) {
            return Self(rawValue: sum / bytesPerSecond)
        }
        let product = UInt64(bytes).multipliedFullWidth(by: 1_000_000_000_000)
        let rounded = product.low.addingReportingOverflow(bytesPerSecond - 1)
        let high = product.high + (rounded.overflow ? 1 : 0)
        guard high < bytesPerSecond else { return Self(rawValue: .max) }
        return Self(rawValue: bytesPerSecond.dividingFullWidth((high, rounded.partialValue)).quotient)
    }
    /// Converts a standard-library `Duration` (negative spans become zero; sub-picosecond parts are dropped).
    public init(_ d: Duration) {
        let (s, atto) = d.components
        if s < 0 || (s == 0 && atto < 0) { self.rawValue = 0; return }
        self.rawValue = UInt64(s) &* 1_000_000_000_000 &+ UInt64(atto / 1_000_000)
    }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// Sum of two spans.
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(rawValue: a.rawValue &+ b.rawValue) }
    /// A span `n` times as long.
    @inlinable public static func * (a: Self, n: UInt64) -> Self { Self(rawValue: a.rawValue &* n) }
    /// Renders as nanoseconds, e.g. `1500ns` or `0.4ns`.
    public var description: String {
        let ns = rawValue / 1_000, ps = rawValue % 1_000
        if ps == 0 { return "\(ns)ns" }
        var frac = String(ps)
        while frac.count < 3 { frac = "0" + frac }
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(ns).\(frac)ns"
    }
}
