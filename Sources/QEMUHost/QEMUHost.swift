import BoxlessPlatform
import Foundation
import NativeDriverKit

/// A driver the QEMU host bound to a function.
public struct QEMUBoundDriver {
    /// Where the function is.
    public let location: PCILocation
    /// The driver's name.
    public let driverName: String
    /// The driver instance (cast it to ``NetworkInterface`` or ``BlockDevice``).
    public let instance: any PCIDriver
    /// The matching table entry.
    public let match: PCIMatch
    let device: QEMUPCIDevice
    let context: QEMUDriverContext
}

/// A probe that failed.
public struct QEMUProbeFailure: Sendable {
    /// Where the function is.
    public let location: PCILocation
    /// Which driver tried.
    public let driverName: String
    /// Why it failed.
    public let error: DriverError
}

/// A driver or host log line.
public struct QEMULogLine: Sendable {
    /// QEMU's clock when it was logged.
    public let time: Instant
    /// Which driver or host part and function (`e1000@0000:00:03.0`, `host@0000:00:03.0`).
    public let source: String
    /// How important.
    public let level: LogLevel
    /// The text.
    public let message: String
}

/// NativeDriverKit on QEMU's own device models, driven through QEMU's qtest protocol: drivers run
/// unmodified against a peer nobody here wrote.
///
/// ``start()`` launches `qemu-system-x86_64 -machine q35` with the device of the ``QEMUMachineSpec``,
/// enumerates bus 0 with the platform's ``Enumerator`` over qtest config cycles, and probes the
/// best-matching registered driver for each function (most specific match-table entry, then
/// registration order — the emulator host's rule). BAR accesses become qtest memory or port
/// accesses, DMA memory is guest RAM reached with qtest `read`/`write`, interrupts are MSI/MSI-X
/// doorbells in guest RAM or intercepted IOAPIC lines (see ``QEMUInterrupts``).
///
/// Time and the CPU: this QEMU build has no qtest accelerator, so QEMU's virtual clock runs with the
/// host's clock (TCG, a halted guest CPU). ``now`` reads it from the HPET main counter. Driver code —
/// probe, ``onCPU(_:)``, interrupt handlers, timers, deferred work — runs on the calling thread, one
/// piece at a time: handlers, timers and deferred work run only inside ``run(until:)`` and
/// ``advance(by:)``, never inside other driver code. The run is therefore not bit-for-bit
/// deterministic, unlike the emulator host's.
///
/// QEMU never outlives the host: ``stop()`` (and deinit) kill it, and a watchdog kills it if this
/// process dies.
public final class QEMUHost {
    /// The machine.
    public let spec: QEMUMachineSpec
    private var registry: [any PCIDriver.Type] = []
    /// Parameters every driver reads through ``DriverContext/parameter(_:)``.
    public var driverParameters: [String: String] = [:]
    /// Drivers bound, in bus order.
    public private(set) var bound: [QEMUBoundDriver] = []
    /// Probes that failed.
    public private(set) var probeFailures: [QEMUProbeFailure] = []
    /// Functions enumeration found (Interrupt Line holds the IOAPIC input, the GSI).
    public private(set) var enumerated: [EnumeratedFunction] = []
    /// Driver and host log lines (bounded to 10,000).
    public private(set) var log: [QEMULogLine] = []
    /// Driver misuse the host noticed (bad register or DMA accesses, leaks at detach, storms).
    public private(set) var warnings: [String] = []
    /// The first qtest failure (QEMU died, a command failed); later accesses read all ones.
    public private(set) var failure: QEMUHostError?
    /// The other end of the NIC's network backend (nil until started, or without a network).
    public private(set) var network: QEMUNetworkPeer?

    private var process: QEMUProcess?
    private(set) var config: QTestConfigMechanism!
    private var memory: GuestMemoryAllocator
    /// The end of guest RAM the DMA allocator uses.
    let guestMemoryTop: UInt64
    private var timers: [QEMUTimer] = []
    private var timerSequence: UInt64 = 0
    private var ready: [() -> Void] = []
    private var cpuDepth = 0
    private var lines: [Int: [QEMUPCIDevice]] = [:]
    private var lineLevel: [Int: Bool] = [:]
    private var lineUnclaimed: [Int: Int] = [:]
    private var lineDisabled = Set<Int>()
    private var hpetPeriodFemtoseconds: UInt64 = 0
    private var lastNow = Instant(picoseconds: 0)

    /// The HPET's registers (IA-PC HPET Specification 1.0a §2.3): capabilities (period in fs in the
    /// high dword), General Configuration (ENABLE_CNF is bit 0), Main Counter.
    enum HPET {
        static let base: UInt64 = 0xFED0_0000
        static let capabilities: UInt64 = 0x000
        static let generalConfiguration: UInt64 = 0x010
        static let enable: UInt64 = 1
        static let mainCounter: UInt64 = 0x0F0
    }

    /// The BAR windows: q35 has RAM below 256 MiB here, ECAM at 0xB000_0000 (256 MiB), the IOAPIC
    /// at 0xFEC0_0000; I/O above the chipset's fixed ports.
    public static let windows = AddressWindows(io: 0xC000..<0x1_0000, memory32: 0xC000_0000..<0xFEC0_0000,
                                               memory64: 0x80_0000_0000..<0x100_0000_0000)

    /// Guest RAM below this is left alone (real-mode area, BIOS data).
    static let dmaBase: UInt64 = 0x10_0000

    /// Creates a host for `machine`; nothing runs until ``start()``.
    public init(machine: QEMUMachineSpec) {
        spec = machine
        guestMemoryTop = UInt64(min(machine.memoryMiB, 2048)) << 20
        memory = GuestMemoryAllocator(Self.dmaBase..<guestMemoryTop)
    }

    deinit { stop() }

    /// Registers a driver; the earlier registered wins ties of match specificity.
    public func register(_ driver: any PCIDriver.Type) { registry.append(driver) }

    /// QEMU's arguments (for reports); the socket paths are those of the running machine.
    public var qemuArguments: [String] { process?.arguments ?? QEMUProcess.commandLine(spec, directory: "DIR") }

    // MARK: start and stop

    /// Starts QEMU, enumerates bus 0 and probes drivers. Throws if QEMU is missing or fails to start.
    public func start() throws(QEMUHostError) {
        guard process == nil else { throw .invalidRequest("the QEMU host is already started") }
        let p = try QEMUProcess(spec: spec)
        process = p
        do throws(QEMUHostError) {
            let q = p.connection!
            try q.command("irq_intercept_in ioapic")
            hpetPeriodFemtoseconds = try q.memoryRead(HPET.base + HPET.capabilities + 4, bytes: 4)
            guard hpetPeriodFemtoseconds > 0 else { throw .invalidRequest("QEMU's HPET reports a zero period") }
            try q.memoryWrite(HPET.base + HPET.generalConfiguration, bytes: 4, value: HPET.enable)
            config = QTestConfigMechanism(qtest: q)
            config.enableECAM()
            do { enumerated = try Enumerator(windows: Self.windows).enumerate(config) } catch {
                throw QEMUHostError.enumeration(error.description)
            }
            for i in enumerated.indices where enumerated[i].interruptPin != 0 {
                let gsi = Self.gsi(device: enumerated[i].address.device, pin: enumerated[i].interruptPin)
                config.write(enumerated[i].address, offset: ConfigHeader.interruptLine, width: .byte, value: UInt32(gsi))
                enumerated[i].interruptLine = gsi
            }
            if let f = config.failure { throw f }
            if spec.hasNetwork { network = QEMUNetworkPeer(socket: p.networkSocket, qemuPath: p.qemuNetworkPath) }
        } catch {
            // QEMU connects to the qtest socket before it checks the rest of its command line, so a
            // bad device or option shows up as a lost connection: report it as a failed start.
            if case .connectionLost = error, let status = p.exitStatus(within: 2000) {  // exited (status if known)
                let stderr = p.stderrText
                stop()
                throw .startFailed(binary: spec.binary, status: status, stderr: stderr)
            }
            stop()
            throw error
        }
        for e in enumerated { probe(e) }
        if let failure { throw failure }
    }

    /// Removes bound drivers, then stops QEMU. Safe to call twice.
    public func stop() {
        if !bound.isEmpty && failure == nil { detachAll() }
        bound.removeAll()
        network = nil
        process?.stop()
    }

    /// The IOAPIC input of INTx pin `pin` (1 = INTA#) of a bus-0 slot on QEMU's q35: slots 0–24 rotate
    /// over PIRQE–H, slots 25–31 over PIRQA–D (the routing QEMU's q35 ACPI tables and SeaBIOS
    /// describe), and the ICH9 wires PIRQA–H to IOAPIC inputs 16–23.
    public static func gsi(device: UInt8, pin: UInt8) -> Int {
        let p = Int(pin) - 1
        let pirq = device <= 24 ? ((p + Int(device)) & 3) + 4 : p & 3
        return 16 + pirq
    }

    static func identity(of e: EnumeratedFunction) -> PCIIdentity {
        PCIIdentity(vendorID: e.vendorID, deviceID: e.deviceID, subsystemVendorID: e.subsystemVendorID,
                    subsystemID: e.subsystemID, classCode: e.classCode, revision: e.revision)
    }

    private func probe(_ e: EnumeratedFunction) {
        let identity = Self.identity(of: e)
        var best: (any PCIDriver.Type, PCIMatch)?
        for d in registry {
            for m in d.matchTable where m.matches(identity) {
                if best == nil || m.specificity > best!.1.specificity { best = (d, m) }
            }
        }
        guard let (type, match) = best else { return }
        let gsi = e.interruptPin != 0 ? e.interruptLine : nil
        let device = QEMUPCIDevice(enumerated: e, gsi: gsi, host: self, label: "host@\(e.address)")
        let context = QEMUDriverContext(host: self, source: "\(type.name)@\(e.address)")
        do {
            let instance = try onCPU { () throws(DriverError) in try type.init(device: device, context: context, match: match) }
            bound.append(QEMUBoundDriver(location: device.location, driverName: type.name, instance: instance, match: match,
                                         device: device, context: context))
        } catch {
            probeFailures.append(QEMUProbeFailure(location: device.location, driverName: type.name, error: error))
            hostLog("host@\(e.address)", .error, "\(type.name) probe failed: \(error)")
            checkLeaks(device: device, context: context, when: "after a failed probe")
        }
    }

    /// Removes every bound driver (in reverse bus order) and checks that each released everything.
    public func detachAll() {
        for b in bound.reversed() {
            onCPU { b.instance.remove() }
            checkLeaks(device: b.device, context: b.context, when: "at detach")
        }
        bound.removeAll()
    }

    private func checkLeaks(device: QEMUPCIDevice, context: QEMUDriverContext, when: String) {
        let label = "host@\(device.address)"
        let dma = device.dmaEngine.leakReport()
        if !dma.isEmpty {
            hostWarning(label, "\(dma.count) DMA allocation(s) left \(when): " + dma.prefix(4).joined(separator: "; ") + (dma.count > 4 ? "; …" : ""))
        }
        if let m = device.interrupts.mode {
            hostWarning(label, "interrupts (\(m), \(device.interrupts.attachedCount) handler(s)) not freed \(when)")
            device.interrupts.free()
        }
        let t = context.activeTimers
        if t > 0 { hostWarning(label, "\(t) timer(s) still active \(when)") }
        context.cancelAll()
    }

    // MARK: the CPU: driver code, time, the scheduler

    /// Runs driver code (e.g. a client's call into a driver) on the machine's CPU.
    public func onCPU<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        cpuDepth += 1
        defer { cpuDepth -= 1 }
        return try body()
    }

    /// QEMU's virtual clock (the HPET main counter), in picoseconds since ``start()``; never goes back.
    public var now: Instant {
        guard hpetPeriodFemtoseconds > 0 else { return lastNow }
        let ticks = qtestCall(0) { q throws(QEMUHostError) in try q.memoryRead(HPET.base + HPET.mainCounter, bytes: 8) }
        let full = ticks.multipliedFullWidth(by: hpetPeriodFemtoseconds)
        let ps = full.high >= 1000 ? UInt64.max : UInt64(1000).dividingFullWidth(full).quotient
        let t = Instant(picoseconds: max(ps, lastNow.picoseconds))
        lastNow = t
        return t
    }

    /// Runs interrupt handlers, deferred work and timers as they fall due until QEMU's clock reaches
    /// `deadline`. Throws if QEMU went away.
    public func run(until deadline: Instant) throws(QEMUHostError) {
        precondition(cpuDepth == 0, "run(until:) from inside driver code")
        while true {
            if let failure { throw failure }
            dispatch()
            let t = now
            if t >= deadline { return }
            if !ready.isEmpty { continue }
            var wait = deadline - t
            if let next = timers.lazy.filter(\.isActive).map(\.deadline).min() { wait = min(wait, next - t) }
            if bound.contains(where: { $0.device.interrupts.doorbells != nil }) { wait = min(wait, spec.pollInterval) }
            if lines.keys.contains(where: { lineLevel[$0] == true && !lineDisabled.contains($0) }) { wait = min(wait, .microseconds(20)) }
            guard wait > .zero, let q = process?.connection else { continue }
            do { try q.waitForIRQ(timeout: wait) } catch { if failure == nil { failure = error } }
        }
    }

    /// Runs for `duration` of QEMU's clock (see ``run(until:)``).
    public func advance(by duration: Duration) throws(QEMUHostError) { try run(until: now + duration) }

    /// One round of the scheduler: IRQ levels, MSI doorbells, INTx lines, deferred work, due timers.
    private func dispatch() {
        guard cpuDepth == 0, let q = process?.connection else { return }
        cpuDepth += 1
        defer { cpuDepth -= 1 }
        for e in q.takeIRQEvents() { lineLevel[e.line] = e.raised }
        for b in bound {
            for v in b.device.interrupts.collectMessages() { b.device.interrupts.run(v) }
        }
        for line in lines.keys.sorted() where lineLevel[line] == true && !lineDisabled.contains(line) {
            serviceLine(line)
        }
        let work = ready
        ready.removeAll()
        for w in work { w() }
        let t = now
        let due = timers.filter { $0.isActive && $0.deadline <= t }
            .sorted { ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence) }
        for timer in due { timer.fire(now: t) }
        timers.removeAll { !$0.isActive }
    }

    /// Runs every unmasked handler on a high INTx line. A line nobody claims 1,000 times in a row is
    /// disabled with a warning, as Linux's "nobody cared" does.
    private func serviceLine(_ line: Int) {
        var eligible = false, claimed = false
        for d in lines[line] ?? [] {
            if let r = d.interrupts.runINTx() {
                eligible = true
                if case .handled = r { claimed = true }
            }
        }
        guard eligible else { return }
        lineUnclaimed[line] = claimed ? 0 : lineUnclaimed[line, default: 0] + 1
        if lineUnclaimed[line]! >= 1000 {
            lineDisabled.insert(line)
            hostWarning("host", "INTx line (GSI \(line)) high and no handler claimed it 1000 times in a row; line disabled")
        }
    }

    func addToLine(_ line: Int, _ d: QEMUPCIDevice) { lines[line, default: []].append(d) }
    func removeFromLine(_ line: Int, _ d: QEMUPCIDevice) { lines[line]?.removeAll { $0 === d } }

    /// Queues work to run on the CPU at the next scheduler round.
    func post(_ body: @escaping () -> Void) { ready.append(body) }

    func addTimer(after delay: Duration, period: Duration?, _ handler: @escaping () -> Void) -> QEMUTimer {
        timerSequence += 1
        let t = QEMUTimer(host: self, deadline: now + delay, sequence: timerSequence, period: period, handler: handler)
        timers.append(t)
        return t
    }

    /// Waits (`udelay`) until QEMU's clock reaches `deadline`; nothing of the driver runs meanwhile.
    func busyWait(until deadline: Instant) {
        while failure == nil {
            let t = now
            guard t < deadline else { return }
            let us = min(UInt64((deadline - t) / .microseconds(1)), 10_000)
            if us > 0 { usleep(UInt32(us)) }
        }
    }

    // MARK: qtest, guest memory, logging

    /// Runs a qtest exchange; on failure records it and returns `fallback`.
    @discardableResult
    func qtestCall<T>(_ fallback: T, _ body: (QTestConnection) throws(QEMUHostError) -> T) -> T {
        guard failure == nil, let q = process?.connection else { return fallback }
        do { return try body(q) } catch {
            failure = error
            hostLog("host", .error, error.description)
            return fallback
        }
    }

    func allocateGuestMemory(size: Int, alignment: Int) -> Range<UInt64>? { memory.allocate(size: size, alignment: alignment) }
    func releaseGuestMemory(_ r: Range<UInt64>) { memory.release(r) }
    func zeroGuestMemory(_ r: Range<UInt64>) {
        qtestCall(()) { q throws(QEMUHostError) in try q.fill(r.lowerBound, count: Int(r.upperBound - r.lowerBound), value: 0) }
    }
    func guestRead(_ address: UInt64, into dst: UnsafeMutableRawBufferPointer) {
        let ok = qtestCall(false) { q throws(QEMUHostError) in try q.readBytes(address, into: dst); return true }
        if !ok { dst.initializeMemory(as: UInt8.self, repeating: 0xFF) }
    }
    func guestWrite(_ address: UInt64, from src: UnsafeRawBufferPointer) {
        qtestCall(()) { q throws(QEMUHostError) in try q.writeBytes(address, from: src) }
    }

    /// Guest RAM still free for DMA, in bytes (for leak checks in tests).
    public var freeGuestMemory: UInt64 { memory.freeBytes }

    /// qtest commands sent so far.
    public var qtestCommands: Int { process?.connection?.commandCount ?? 0 }

    func recordDriverLog(_ source: String, _ level: LogLevel, _ message: String) {
        if log.count < 10_000 { log.append(QEMULogLine(time: lastNow, source: source, level: level, message: message)) }
    }
    func hostLog(_ source: String, _ level: LogLevel, _ message: String) { recordDriverLog(source, level, message) }
    func hostWarning(_ source: String, _ message: String) {
        if warnings.count < 10_000 { warnings.append("\(source): \(message)") }
        recordDriverLog(source, .warning, message)
    }

    // MARK: differential register dumps

    /// Reads a register of BAR `bar` of the function at `location` (default: the device under test's
    /// slot, function 0) directly, outside any driver. Nil if there is no such BAR or the access does
    /// not fit in it (or is a 64-bit I/O access).
    public func registerRead(bar: Int, offset: Int, width: RegisterWidth = .dword, at location: PCILocation? = nil) -> UInt64? {
        let loc = location ?? PCILocation(device: spec.slot)
        guard let f = enumerated.first(where: { $0.address.device == loc.device && $0.address.function == loc.function && $0.address.bus == loc.bus }),
              let b = f.bars.first(where: { $0.index == bar }),
              offset >= 0, UInt64(offset) + UInt64(width.rawValue) <= b.size, b.kind.isMemory || width != .qword else { return nil }
        let a = b.base + UInt64(offset), n = Int(width.rawValue)
        return qtestCall(nil) { q throws(QEMUHostError) -> UInt64? in
            b.kind.isMemory ? try q.memoryRead(a, bytes: n) : try q.portRead(a, bytes: n)
        }
    }
}
