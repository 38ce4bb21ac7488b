/// A point in the host's monotonic time: picoseconds since the machine started.
///
/// On the emulator host this is virtual time; on real hardware it is the monotonic clock. Drivers
/// use it for timeouts and rate limits only, never as a source of randomness.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Picoseconds since the machine started.
    public var picoseconds: UInt64
    /// Creates an instant.
    @inlinable public init(picoseconds: UInt64) { self.picoseconds = picoseconds }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.picoseconds < b.picoseconds }
    /// `self` moved forward by `d` (negative durations move back, clamped at zero).
    public static func + (a: Self, d: Duration) -> Self {
        let ps = Instant.picoseconds(of: d)
        return ps >= 0 ? Self(picoseconds: a.picoseconds &+ UInt64(ps)) : Self(picoseconds: a.picoseconds - min(a.picoseconds, UInt64(-ps)))
    }
    /// The span from `b` to `a`.
    public static func - (a: Self, b: Self) -> Duration {
        let d = Int64(bitPattern: a.picoseconds &- b.picoseconds)
        return .nanoseconds(d / 1000) + .nanoseconds(Double(d % 1000) / 1000)
    }
    /// Picoseconds in `d` (saturating).
    public static func picoseconds(of d: Duration) -> Int64 {
        let (s, atto) = d.components
        let (m, o) = s.multipliedReportingOverflow(by: 1_000_000_000_000)
        if o { return s < 0 ? .min : .max }
        return m &+ atto / 1_000_000
    }
    /// Nanoseconds, e.g. `1500ns`.
    public var description: String { "\(picoseconds / 1000)ns" }
}
