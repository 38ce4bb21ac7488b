import BoxlessPlatform
import NativeDriverKit

/// What the scheduled injector feeds: a replay whose machine clock Boxless owns (the emulator host,
/// and the Linux host in time-travel mode).
protocol ReplayTarget: AnyObject {
    /// The trace.
    var feed: ReplayFeed { get }
    /// The replay's options (direction, timing).
    var options: ReplayOptions { get }
    /// The far end of the NIC's link.
    var wire: EthernetPort { get }
    /// The machine's scheduler.
    var scheduler: Scheduler { get }
    /// RX: a frame went onto the wire (the check keeps it).
    func frameSent(index: Int, bytes: UnsafeRawBufferPointer)
    /// TX: hands a frame to the driver (and tells the check what happened).
    func transmit(_ f: ReplayFrame) -> TransmitResult
    /// TX: `body` runs on each transmit completion.
    func onTransmitCompleted(_ body: @escaping (_ success: Bool, _ token: UInt64) -> Void)
}

extension ReplayTarget {
    func transmit(_ f: ReplayFrame) -> TransmitResult { .rejected("this host transmits through its guest") }
    func onTransmitCompleted(_ body: @escaping (_ success: Bool, _ token: UInt64) -> Void) {}
}

/// Feeds the trace's frames to the wire (RX) or the driver (TX) at their times, one frame ahead, as
/// scheduled events on the machine's clock: one injector for every host whose clock Boxless owns.
final class Injector<Target: ReplayTarget> {
    // Held strongly (the target does not hold the injector): per-frame accesses borrow it.
    let target: Target
    private let feed: ReplayFeed
    private let direction: ReplayDirection
    private let scheduler: Scheduler
    private let wire: EthernetPort
    private var pending: ReplayFrame?
    private var clock: ReplayClock
    /// Gaps longer than the maximum that were shortened.
    var gapsShortened: Int { clock.gapsShortened }
    private(set) var done = false
    private var finishReported = false

    /// Tells ``finished`` once the trace has run out.
    private func reportFinished() {
        guard done, !finishReported else { return }
        finishReported = true
        finished?()
    }
    private(set) var error: Error?
    private var waitingForCompletion = false

    /// Built once: scheduling a frame allocates no closure.
    private lazy var fireAction: () -> Void = { [unowned(unsafe) self] in self.fire() }
    /// The injector's pending events (they borrow it): cancelled when it goes, so a replay that
    /// stops early (watchdog, event limit) leaves nothing behind that would call a freed injector.
    private var nextFire: EventID?, retry: EventID?
    deinit {
        if let e = nextFire { scheduler.cancel(e) }
        if let e = retry { scheduler.cancel(e) }
    }

    /// Runs once, after the last frame went out (the Linux host then sends its end marker).
    var finished: (() -> Void)?

    init(target: Target) {
        self.target = target
        feed = target.feed
        direction = target.options.direction
        clock = ReplayClock(timing: target.options.timing, maximumGap: target.options.maximumGap)
        scheduler = target.scheduler
        wire = target.wire
    }

    /// Starts the replay: the first frame goes out no earlier than `notBefore` (and the wire's next start).
    func start(notBefore: VirtualTime = .zero) throws {
        clock.lastTime = max(wire.nextStart, notBefore)
        // Weak: a driver may still complete (fail) queued frames when it closes, after the replay.
        target.onTransmitCompleted { [weak self] _, _ in
            guard let self else { return }
            if self.waitingForCompletion { self.waitingForCompletion = false; self.fire() }
        }
        try readNext()
        if let t = pendingTime { nextFire = scheduler.schedule(at: t, fireAction) } else { reportFinished() }
    }

    /// Reads the next frame and works out its time. The previous frame is let go first, so a
    /// source that reuses its buffer (``RepeatingFrameSource``) can rewrite it in place.
    private func readNext() throws {
        pending = nil
        guard let f = try feed.next() else { pendingTime = nil; done = true; return }
        pendingTime = when(timestampNanoseconds: f.timestampNanoseconds)
        pending = consume f
    }

    /// When a frame captured at `ts` goes out (``ReplayClock``); at line rate, RX frames follow
    /// the wire and TX frames the previous frame.
    private func when(timestampNanoseconds ts: UInt64) -> VirtualTime {
        clock.time(forTimestamp: ts, lineRate: direction == .rx ? wire.nextStart : clock.lastTime)
    }

    private var pendingTime: VirtualTime?

    private func fire() {
        switch direction {
        case .rx: fireReceive()
        case .tx: fireTransmit()
        }
    }

    /// RX: sends the pending frame and the following ones that are due within the horizon.
    private func fireReceive() {
        var n = 0
        while let t = pendingTime, t <= scheduler.now + InjectorBatching.horizon, n < InjectorBatching.batch {
            sendPending(at: t)
            n += 1
            do { try readNext() } catch { self.error = error; done = true; return }
        }
        if let t = pendingTime {
            // Come back when the next frame is within the horizon (or when the wire frees up, at line rate).
            let wake = t > scheduler.now + InjectorBatching.horizon ? VirtualTime(rawValue: t.rawValue - InjectorBatching.horizon.rawValue) : scheduler.now
            nextFire = scheduler.schedule(at: max(wake, min(wire.busyUntil, t)), fireAction)
        } else {
            reportFinished()
        }
    }

    /// Puts the pending frame on the wire, starting no earlier than `t`, and tells the check. The
    /// frame is moved out (no copy), and let go when sent.
    private func sendPending(at t: VirtualTime) {
        guard let f = pending.take() else { return }
        f.bytes.withUnsafeBytes { b in
            _ = wire.send(b, notBefore: t)
            target.frameSent(index: f.index, bytes: b)
        }
    }

    private func fireTransmit() {
        guard let f = pending else { return }
        if case .busy = target.transmit(f) {
            // Ring full: retry after the next completion (or shortly, if none comes).
            waitingForCompletion = true
            retry = scheduler.schedule(after: .microseconds(50)) { [unowned(unsafe) self] in
                if self.waitingForCompletion { self.waitingForCompletion = false; self.fire() }
            }
            return
        }
        do { try readNext() } catch { self.error = error; done = true; return }
        if let t = pendingTime { nextFire = scheduler.schedule(at: t, fireAction) } else { reportFinished() }
    }
}


/// How the injector batches receive frames.
enum InjectorBatching {
    /// How far ahead of the clock RX frames are handed to the wire in one event (they still start
    /// at their own times: ``EthernetPort/send(_:fcsValid:notBefore:)``).
    static let horizon = VirtualDuration.microseconds(20)
    /// Most frames handed over in one event.
    static let batch = 64

}
