import BoxlessPlatform
import CVhostUser
import Glibc

/// The external time controller ("calendar") of UML's time-travel mode (`time-travel=ext:SOCKET`;
/// protocol: Linux include/uapi/linux/um_timetravel.h): the guest asks for the time it next wants
/// to run (REQUEST), says when it waits (WAIT), and runs only when told (RUN, with the time). The
/// machine's scheduler is the other participant: while the guest waits, the calendar runs the
/// machine's events up to the guest's requested time; an event that interrupts the guest makes it
/// ask (GET, then REQUEST) to run at that very time, and the calendar lets it.
///
/// Guest code takes no simulated time, so the guest's register accesses, the devices' DMA and
/// interrupts all happen at simulated times fixed by the inputs: runs repeat.
public final class TimeTravelCalendar {
    /// um_timetravel_ops.
    enum Op: UInt32 { case ack = 0, start, request, wait, get, update, run, freeUntil, getTOD }
    /// The time of day the guest is told at boot (2026-01-01T00:00:00Z): fixed, so runs repeat.
    public static let timeOfDayNanoseconds: UInt64 = 1_767_225_600 * 1_000_000_000

    /// The socket path the guest connects to.
    public let path: String
    private(set) var listenDescriptor: Int32 = -1
    private(set) var descriptor: Int32 = -1
    unowned(unsafe) let machine: Machine
    /// The guest waits for RUN.
    public private(set) var guestWaiting = false
    /// The time the guest asked to run at (ns), if any.
    public private(set) var guestRequest: UInt64?
    /// Whether every interrupt notification was acknowledged (set by the host).
    var notificationsSettled: () -> Bool = { true }
    /// RUN messages sent.
    public private(set) var runs = 0
    /// Runs while the guest waits, just before each RUN (the host drains the guest's output there),
    /// and once in a wait that would otherwise never end (no time requested, no machine event: a
    /// guest blocked on its full console pipe waits for the host to read it).
    var beforeRun: () -> Void = {}
    private var drainedInThisWait = false

    /// Listens on `path`.
    init(path: String, machine: Machine) throws(LinuxHostError) {
        self.path = path
        self.machine = machine
        listenDescriptor = try UnixListener.listen(at: path)
    }

    deinit { shutdown() }

    func shutdown() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        if listenDescriptor >= 0 { close(listenDescriptor); listenDescriptor = -1; unlink(path) }
    }

    func accept() throws(LinuxHostError) {
        let fd = boxless_accept_cloexec(listenDescriptor)
        guard fd >= 0 else { throw .system("accept: \(String(cString: strerror(-fd)))") }
        descriptor = fd
        close(listenDescriptor); listenDescriptor = -1
        unlink(path)
    }

    /// The machine's time in ns.
    var now: UInt64 { machine.now.nanoseconds }

    private func send(_ op: Op, seq: UInt32, time: UInt64) throws(LinuxHostError) {
        var m = [UInt8]()
        for v in [op.rawValue, seq] { withUnsafeBytes(of: v.littleEndian) { m.append(contentsOf: $0) } }
        withUnsafeBytes(of: time.littleEndian) { m.append(contentsOf: $0) }
        let rc = m.withUnsafeBytes { boxless_send_all(descriptor, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .guest("time-travel link: \(String(cString: strerror(-rc)))") }
    }

    static let debug = getenv("BOXLESS_TT_DEBUG") != nil
    private var runSequence: UInt32 = 0x8000_0000

    /// Handles one message from the guest (its socket is readable). Returns false at end of stream.
    func handleMessage() throws(LinuxHostError) -> Bool {
        var buf = [UInt8](repeating: 0, count: 16)
        var done = 0
        while done < 16 {
            let n = buf.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + done, 16 - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        let op = buf.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let seq = buf.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }
        let time = buf.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
        if Self.debug { print("tt: op \(op) seq \(seq) time \(time) now \(now) waiting \(guestWaiting) req \(guestRequest.map(String.init) ?? "-")") }
        switch Op(rawValue: op) {
        case .ack:
            return true                                   // the guest acknowledged a RUN
        case .start, .update:
            try send(.ack, seq: seq, time: 0)
        case .getTOD:
            try send(.ack, seq: seq, time: Self.timeOfDayNanoseconds)
        case .get:
            try send(.ack, seq: seq, time: now)
        case .request:
            guestRequest = max(time, now)
            try send(.ack, seq: seq, time: 0)
        case .wait:
            guestWaiting = true
            drainedInThisWait = false
            try send(.ack, seq: seq, time: 0)
        default:
            throw .protocolError("time-travel message \(op) from the guest")
        }
        return true
    }

    /// Whether the calendar may move on: the guest waits and has acknowledged every interrupt.
    var canAdvance: Bool { descriptor >= 0 && guestWaiting && notificationsSettled() }

    /// One step while the guest waits: runs the machine's events that come before the guest's
    /// request (one time at a time, so an interrupt is answered before anything later runs), or
    /// lets the guest run at its requested time. Returns false when neither side has anything to do.
    func step() throws(LinuxHostError) -> Bool {
        guard canAdvance else { return false }
        let machineNext = machine.scheduler.nextEventTime
        if let m = machineNext, guestRequest.map({ m.nanoseconds <= $0 }) ?? true {
            // Everything at that picosecond, then look again.
            machine.scheduler.run(until: m)
            return true
        }
        guard let r = guestRequest else {
            if drainedInThisWait { return false }
            drainedInThisWait = true
            beforeRun()
            return true
        }
        let target = VirtualTime(picoseconds: r * 1000)
        if target > machine.now { machine.scheduler.run(until: target) }
        beforeRun()
        guestWaiting = false
        guestRequest = nil
        runSequence &+= 1
        runs += 1
        try send(.run, seq: runSequence, time: max(r, now))
        return true
    }
}
