import HeapModule

/// Identifies a scheduled event so it can be cancelled.
public struct EventID: Hashable, Sendable {
    /// The event's insertion sequence number (unique within a scheduler).
    public let sequence: UInt64
}

/// Which side of the machine an event belongs to.
///
/// Device-side events (models, wires, DMA engines, interrupt delivery to the interrupt controller) run
/// whenever virtual time passes, even while a driver is stalled on an MMIO read or a bounded wait.
/// CPU-side events (driver timers, interrupt handlers, deferred work) run only when no driver code is
/// on the (single, virtual) CPU, and run with the CPU held: one that comes due while the CPU is held
/// waits, in order, until the CPU is released. This keeps driver callbacks from re-entering each other.
public enum EventLane: UInt8, Sendable {
    /// Runs whenever its time comes.
    case device
    /// Runs only when the CPU is not held by a driver callback.
    case cpu
}

/// The machine's virtual clock and event queue.
///
/// Events are ordered by (time, insertion order); time never goes back; idle time is skipped (the
/// clock jumps to the next event). Modelled on swift-nio's `EmbeddedEventLoop` (STYLE.md §7).
/// Confined to one thread: a scheduler is not `Sendable`.
public final class Scheduler {
    @usableFromInline struct Entry: Comparable {
        let time: VirtualTime
        let sequence: UInt64
        let lane: EventLane
        let action: () -> Void
        @usableFromInline static func < (a: Entry, b: Entry) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }
        @usableFromInline static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
    }

    /// The current virtual time.
    public private(set) var now: VirtualTime = .zero
    private var queue = Heap<Entry>()
    private var nextSequence: UInt64 = 0
    private var cancelled = Set<UInt64>()
    private var heldCPUEvents: [Entry] = []
    /// How many events have run so far.
    public private(set) var eventsRun: UInt64 = 0
    /// True while driver code occupies the CPU; CPU-lane events then wait (see ``EventLane``).
    public private(set) var cpuHeld = false

    /// Creates a scheduler at time zero with no events.
    public init() {}

    /// Number of events waiting (including cancelled ones not yet discarded and held CPU events).
    public var pendingCount: Int { queue.count - cancelled.count + heldCPUEvents.count }

    /// The time of the earliest pending event, if any.
    public var nextEventTime: VirtualTime? {
        discardCancelledHead()
        return queue.min?.time
    }

    /// Schedules `action` at absolute time `time` (clamped to now: time never goes back).
    @discardableResult
    public func schedule(at time: VirtualTime, lane: EventLane = .device, _ action: @escaping () -> Void) -> EventID {
        let seq = nextSequence
        nextSequence &+= 1
        queue.insert(Entry(time: max(time, now), sequence: seq, lane: lane, action: action))
        return EventID(sequence: seq)
    }

    /// Schedules `action` after `delay` from now.
    @discardableResult
    public func schedule(after delay: VirtualDuration, lane: EventLane = .device, _ action: @escaping () -> Void) -> EventID {
        schedule(at: now + delay, lane: lane, action)
    }

    /// Cancels a pending event; cancelling one that already ran or was cancelled does nothing.
    public func cancel(_ id: EventID) {
        guard id.sequence < nextSequence else { return }
        if let i = heldCPUEvents.firstIndex(where: { $0.sequence == id.sequence }) {
            heldCPUEvents.remove(at: i)
            return
        }
        if queue.unordered.contains(where: { $0.sequence == id.sequence }) { cancelled.insert(id.sequence) }
    }

    private func discardCancelledHead() {
        guard !cancelled.isEmpty else { return }
        while let top = queue.min, cancelled.contains(top.sequence) {
            _ = queue.popMin()
            cancelled.remove(top.sequence)
        }
    }

    /// Runs the next event if its time is at or before `limit`; returns false when there is none.
    @discardableResult
    public func step(notAfter limit: VirtualTime) -> Bool {
        while true {
            discardCancelledHead()
            guard let top = queue.min, top.time <= limit else { return false }
            _ = queue.popMin()
            if top.time > now { now = top.time }
            if top.lane == .cpu && cpuHeld {
                heldCPUEvents.append(top)
                continue
            }
            eventsRun &+= 1
            if top.lane == .cpu {
                // Driver code runs with the CPU held, so nothing else of the driver re-enters it.
                cpuHeld = true
                top.action()
                releaseCPU(previous: false)
            } else {
                top.action()
            }
            return true
        }
    }

    /// Runs every event due at or before `time`, then sets the clock to `time`.
    public func run(until time: VirtualTime) {
        while step(notAfter: time) {}
        if time > now { now = time }
    }

    /// Advances the clock by `d`, running every event that comes due on the way.
    public func advance(by d: VirtualDuration) { run(until: now + d) }

    /// Runs events until none is left or `maxEvents` have run; returns the number run.
    @discardableResult
    public func runUntilIdle(maxEvents: UInt64 = .max) -> UInt64 {
        var n: UInt64 = 0
        while n < maxEvents, step(notAfter: VirtualTime(rawValue: .max)) { n += 1 }
        return n
    }

    /// Marks the CPU busy (driver code running). CPU-lane events due meanwhile are held back in order.
    /// Returns whether it was already held, to pass back to ``releaseCPU(previous:)`` (nesting).
    public func holdCPU() -> Bool {
        let was = cpuHeld
        cpuHeld = true
        return was
    }

    /// Ends a ``holdCPU()``; at the outermost level the held CPU events are queued again at the
    /// current time, in their original order, ahead of anything scheduled later.
    public func releaseCPU(previous: Bool) {
        cpuHeld = previous
        guard !previous, !heldCPUEvents.isEmpty else { return }
        let held = heldCPUEvents
        heldCPUEvents.removeAll(keepingCapacity: true)
        for e in held { schedule(at: now, lane: .cpu, e.action) }
    }
}
