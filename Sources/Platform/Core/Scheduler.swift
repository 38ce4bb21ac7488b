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
    /// lives in a slot of ``slots``.
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
    private let queue = EventQueue<Entry>()
    private var nextSequence: UInt64 = 0
    /// A scheduled closure, wrapped in a non-generic struct: an array of bare function values stores
    /// them at maximal abstraction, which costs a reabstraction thunk (an allocation) per schedule.
    struct Action {
        let body: () -> Void
    }

    /// Where an event's action waits: the action and the sequence number it belongs to (a cancelled
    /// or finished slot no longer matches, which is how stale heap entries are recognised); free
    /// slots form a list through `nextFree`.
    struct Slot {
        var action: Action?
        var sequence: UInt64
        var nextFree: Int32
    }
    /// The slots, in storage the scheduler manages itself (an event's bookkeeping is then a few
    /// plain stores, without array uniqueness checks).
    private var slots = UnsafeMutablePointer<Slot>.allocate(capacity: 0)
    private var slotCount = 0
    private var freeHead: Int32 = -1
    private var liveCount = 0
    private var heldCPUEvents: [Entry] = []
    /// How many events have run so far.
    public private(set) var eventsRun: UInt64 = 0
    /// True while driver code occupies the CPU; CPU-lane events then wait (see ``EventLane``).
    public private(set) var cpuHeld = false

    /// Creates a scheduler at time zero with no events.
    public init() {}

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// A free slot, growing the storage when none is left.
    private func takeSlot() -> Int32 {
        if freeHead >= 0 {
            let s = freeHead
            freeHead = slots[Int(s)].nextFree
            return s
        }
        let capacity = max(64, slotCount * 2)
        let grown = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        grown.moveInitialize(from: slots, count: slotCount)
        slots.deallocate()
        slots = grown
        for i in slotCount..<capacity {
            (slots + i).initialize(to: Slot(action: nil, sequence: .max, nextFree: i + 1 < capacity ? Int32(i + 1) : -1))
        }
        freeHead = Int32(slotCount)
        slotCount = capacity
        return takeSlot()
    }

    /// Number of events waiting (held CPU events included).
    public var pendingCount: Int { liveCount }

    /// The time of the earliest pending event, if any.
    public var nextEventTime: VirtualTime? {
        discardStaleHead()
        return queue.min?.time
    }

    /// Schedules `action` at absolute time `time` (clamped to now: time never goes back).
    @discardableResult
    public func schedule(at time: VirtualTime, lane: EventLane = .device, _ action: consuming @escaping () -> Void) -> EventID {
        let seq = nextSequence
        nextSequence &+= 1
        let slot = takeSlot()
        slots[Int(slot)].action = Action(body: action)
        slots[Int(slot)].sequence = seq
        liveCount += 1
        queue.insert(Entry(time: max(time, now), sequence: seq, slot: slot, lane: lane))
        return EventID(sequence: seq, slot: slot)
    }

    /// Reserves an event's place in insertion order now, for an event scheduled later with
    /// ``schedule(at:reserved:lane:_:)``: it then runs exactly where it would have run had it been
    /// scheduled at the time of the reservation (a source of many future events, like a wire with
    /// frames in flight, keeps only its next one queued).
    public func reserveSequence() -> UInt64 {
        defer { nextSequence &+= 1 }
        return nextSequence
    }

    /// Schedules `action` at `time` in the place of a sequence number from ``reserveSequence()``
    /// (each used once; `time` must not be earlier than any event that ran since the reservation).
    @discardableResult
    public func schedule(at time: VirtualTime, reserved seq: UInt64, lane: EventLane = .device,
                         _ action: consuming @escaping () -> Void) -> EventID {
        precondition(seq < nextSequence, "sequence \(seq) was not reserved")
        let slot = takeSlot()
        slots[Int(slot)].action = Action(body: action)
        slots[Int(slot)].sequence = seq
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
        guard i >= 0, i < slotCount, slots[i].sequence == id.sequence, slots[i].action != nil else { return }
        release(slot: i)
        if let h = heldCPUEvents.firstIndex(where: { $0.sequence == id.sequence }) { heldCPUEvents.remove(at: h) }
    }

    private func release(slot i: Int) {
        slots[i].action = nil
        slots[i].sequence = .max
        slots[i].nextFree = freeHead
        freeHead = Int32(i)
        liveCount -= 1
    }

    private func isStale(_ e: Entry) -> Bool { slots[Int(e.slot)].sequence != e.sequence }

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
            let action = slots[i].action.take()!.body   // moved out: no extra retain/release
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
