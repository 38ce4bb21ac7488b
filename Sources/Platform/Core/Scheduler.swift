import HeapModule

/// Identifies a scheduled event so it can be cancelled.
public struct EventID: Hashable, Sendable {
    /// The event's insertion sequence number (unique within a scheduler).
    public let sequence: UInt64
    /// Where its action is kept.
    let slot: Int32
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
    /// A queued event: plain values only, so heap operations do no reference counting; the action
    /// lives in a slot of ``actions``.
    @usableFromInline struct Entry: Comparable {
        let time: VirtualTime
        let sequence: UInt64
        let slot: Int32
        let lane: EventLane
        @usableFromInline static func < (a: Entry, b: Entry) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }
        @usableFromInline static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
    }

    /// The current virtual time.
    public private(set) var now: VirtualTime = .zero
    private var queue = Heap<Entry>()
    private var nextSequence: UInt64 = 0
    /// Actions by slot, and the sequence number each slot's action belongs to (a cancelled or
    /// finished slot no longer matches, which is how stale heap entries are recognised).
    private var actions: [(() -> Void)?] = []
    private var slotSequence: [UInt64] = []
    private var freeSlots: [Int32] = []
    private var liveCount = 0
    private var heldCPUEvents: [Entry] = []
    /// How many events have run so far.
    public private(set) var eventsRun: UInt64 = 0
    /// True while driver code occupies the CPU; CPU-lane events then wait (see ``EventLane``).
    public private(set) var cpuHeld = false

    /// Creates a scheduler at time zero with no events.
    public init() {}

    /// Number of events waiting (held CPU events included).
    public var pendingCount: Int { liveCount }

    /// The time of the earliest pending event, if any.
    public var nextEventTime: VirtualTime? {
        discardStaleHead()
        return queue.min?.time
    }

    /// Schedules `action` at absolute time `time` (clamped to now: time never goes back).
    @discardableResult
    public func schedule(at time: VirtualTime, lane: EventLane = .device, _ action: @escaping () -> Void) -> EventID {
        let seq = nextSequence
        nextSequence &+= 1
        let slot: Int32
        if let f = freeSlots.popLast() {
            slot = f
            actions[Int(f)] = action
            slotSequence[Int(f)] = seq
        } else {
            slot = Int32(actions.count)
            actions.append(action)
            slotSequence.append(seq)
        }
        liveCount += 1
        queue.insert(Entry(time: max(time, now), sequence: seq, slot: slot, lane: lane))
        return EventID(sequence: seq, slot: slot)
    }

    /// Schedules `action` after `delay` from now.
    @discardableResult
    public func schedule(after delay: VirtualDuration, lane: EventLane = .device, _ action: @escaping () -> Void) -> EventID {
        schedule(at: now + delay, lane: lane, action)
    }

    /// Cancels a pending event in O(1); cancelling one that already ran or was cancelled does nothing.
    public func cancel(_ id: EventID) {
        let i = Int(id.slot)
        guard i >= 0, i < slotSequence.count, slotSequence[i] == id.sequence, actions[i] != nil else { return }
        release(slot: i)
        if let h = heldCPUEvents.firstIndex(where: { $0.sequence == id.sequence }) { heldCPUEvents.remove(at: h) }
    }

    private func release(slot i: Int) {
        actions[i] = nil
        slotSequence[i] = .max
        freeSlots.append(Int32(i))
        liveCount -= 1
    }

    private func isStale(_ e: Entry) -> Bool { slotSequence[Int(e.slot)] != e.sequence }

    private func discardStaleHead() {
        while let top = queue.min, isStale(top) { _ = queue.popMin() }
    }

    /// Runs the next event if its time is at or before `limit`; returns false when there is none.
    @discardableResult
    public func step(notAfter limit: VirtualTime) -> Bool {
        while let top = queue.min, top.time <= limit {
            _ = queue.popMin()
            if isStale(top) { continue }
            if top.time > now { now = top.time }
            if top.lane == .cpu && cpuHeld {
                heldCPUEvents.append(top)
                continue
            }
            let i = Int(top.slot)
            var taken: (() -> Void)? = nil
            swap(&taken, &actions[i])          // move the action out: no extra retain/release
            let action = taken!
            release(slot: i)
            eventsRun &+= 1
            if top.lane == .cpu {
                // Driver code runs with the CPU held, so nothing else of the driver re-enters it.
                cpuHeld = true
                action()
                releaseCPU(previous: false)
            } else {
                action()
            }
            return true
        }
        return false
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
    /// current time, in their original order (by their original sequence numbers).
    public func releaseCPU(previous: Bool) {
        cpuHeld = previous
        guard !previous, !heldCPUEvents.isEmpty else { return }
        let held = heldCPUEvents
        heldCPUEvents.removeAll(keepingCapacity: true)
        for e in held where !isStale(e) {
            // Due now; keeping its sequence number keeps the held events' order (and its EventID valid).
            queue.insert(Entry(time: now, sequence: e.sequence, slot: e.slot, lane: .cpu))
        }
    }
}
