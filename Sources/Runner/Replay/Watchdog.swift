import BoxlessPlatform

/// Turns a replay whose driver stops making progress into a failed run that says so, never a
/// hang (DESIGN.md: a stuck driver is caught by a watchdog): no frame moved for the options'
/// virtual-time budget or for an event budget (a livelock), or the run's wall-clock bound passed. Checked every few thousand events,
/// so it costs nothing per frame.
struct Watchdog {
    private let budget: VirtualDuration
    private let wallLimit: Duration
    private let wallStart: ContinuousClock.Instant   // wall time: the last resort only
    private let scheduler: Scheduler
    private var lastProgress = -1
    private var lastMove = VirtualTime.zero
    private var steps = 0
    private var stepsAtMove = 0
    /// Scheduler events without a frame moving that mean a livelock (a driver rescheduling its
    /// poll at one instant forever never lets virtual time pass, so the time budget cannot fire).
    static let eventBudget = 20_000_000

    init(options: ReplayOptions, scheduler: Scheduler, wallStart: ContinuousClock.Instant) {
        budget = options.watchdog
        wallLimit = options.wallLimit
        self.wallStart = wallStart
        self.scheduler = scheduler
        lastMove = scheduler.now
    }

    /// Call once per scheduler step: true every 4096th step, when ``check(progress:)`` is due.
    @inline(__always)
    mutating func tick() -> Bool {
        steps &+= 1
        return steps & 4095 == 0
    }

    /// With a count that grows whenever a frame moves: why the run is stuck, or nil.
    mutating func check(progress: Int) -> String? {
        let now = scheduler.now
        if progress != lastProgress { lastProgress = progress; lastMove = now; stepsAtMove = steps }
        if steps - stepsAtMove > Self.eventBudget {
            return "watchdog: \(Self.eventBudget) events without a frame moving (a livelock at \(now.nanoseconds / 1_000_000) ms of virtual time)"
        }
        if now > lastMove + budget {
            return "watchdog: no frame moved for \(budget.rawValue / 1_000_000_000) ms of virtual time"
        }
        if ContinuousClock.now - wallStart > wallLimit {
            return "watchdog: the run exceeded its wall-clock limit of \(wallLimit)"
        }
        return nil
    }
}
