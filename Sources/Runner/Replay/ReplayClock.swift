import BoxlessPlatform

/// When the frames of a trace go out, on the machine's clock: each after the previous one by the
/// capture's gap (scaled by `scale:X`, shortened to the maximum gap), or back to back at line
/// rate; never before the previous frame (captures are not always in time order, and time never
/// goes back). Shared by the emulator host's and the Linux host's injectors.
struct ReplayClock {
    private let timing: ReplayTiming
    private let maximumGap: VirtualDuration
    private let scale: Double
    private var previousTimestamp: UInt64?
    /// The time of the last frame (set to the start before the first).
    var lastTime: VirtualTime
    /// Gaps longer than the maximum that were shortened.
    private(set) var gapsShortened = 0

    init(timing: ReplayTiming, maximumGap: VirtualDuration, start: VirtualTime = .zero) {
        self.timing = timing
        self.maximumGap = maximumGap
        if case .scale(let x) = timing { scale = x } else { scale = 1 }
        lastTime = start
    }

    /// The time of the frame captured at `ts`; at line rate it is `lineRate` (when the wire is free).
    @inline(__always)
    mutating func time(forTimestamp ts: UInt64, lineRate: VirtualTime) -> VirtualTime {
        let previous = previousTimestamp ?? ts
        previousTimestamp = ts
        var t: VirtualTime
        switch timing {
        case .lineRate:
            t = lineRate
        case .original, .scale:
            let deltaNs = ts >= previous ? ts - previous : 0
            let ps = scale == 1 ? (deltaNs < UInt64.max / 2000 ? deltaNs * 1000 : UInt64.max / 2)
                                : UInt64(min(Double(deltaNs) * 1000 / scale, Double(UInt64.max / 4)))
            var gap = VirtualDuration.picoseconds(ps)
            if gap > maximumGap { gap = maximumGap; gapsShortened += 1 }
            t = lastTime + gap
        }
        t = max(t, lastTime)
        lastTime = t
        return t
    }
}
