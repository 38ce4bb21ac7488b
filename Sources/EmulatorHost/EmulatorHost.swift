import BoxlessPlatform
import NativeDriverKit

/// A driver bound to a function by the emulator host.
public struct BoundDriver {
    /// Where the function is.
    public let address: PCIAddress
    /// The driver's name.
    public let driverName: String
    /// The driver instance (cast it to ``NetworkInterface`` or ``BlockDevice``).
    public let instance: any PCIDriver
    /// The matching table entry.
    public let match: PCIMatch
    let device: EmulatedPCIDevice
    let context: EmulatedDriverContext
}

/// A probe that failed.
public struct ProbeFailure: Sendable {
    /// Where the function is.
    public let address: PCIAddress
    /// Which driver tried.
    public let driverName: String
    /// Why it failed.
    public let error: DriverError
}

/// A driver log line.
public struct DriverLogLine: Sendable {
    /// When.
    public let time: VirtualTime
    /// Which driver and function (`e1000@0000:00:03.0`).
    public let source: String
    /// How important.
    public let level: LogLevel
    /// The text.
    public let message: String
}

/// NativeDriverKit implemented on the platform: the deterministic, in-process host.
///
/// It plays the OS's PCI core (enumerates through ECAM, matches drivers, probes and removes them),
/// its DMA layer (coherent and streaming memory behind the function's IOMMU domain), its interrupt
/// controller (MSI/MSI-X vectors and shared level-triggered INTx lines) and its timers. Every driver
/// callback runs on the machine's one virtual CPU, at deterministic points.
public final class EmulatorHost: InterruptSink {
    /// The machine this host runs on.
    public let machine: Machine
    let cpu: VirtualCPU
    let ecam: ECAMConfigMechanism
    private var registry: [any PCIDriver.Type] = []
    /// Parameters every driver can read through ``DriverContext/parameter(_:)``.
    public var driverParameters: [String: String] = [:]
    /// Drivers bound so far, in bus order.
    public private(set) var bound: [BoundDriver] = []
    /// Probes that failed.
    public private(set) var probeFailures: [ProbeFailure] = []
    /// Functions enumeration found.
    public private(set) var enumerated: [EnumeratedFunction] = []
    /// Driver log lines (bounded; the event log has them all).
    public private(set) var driverLog: [DriverLogLine] = []
    /// How many driver log lines at `.error` level there were.
    public private(set) var driverErrors = 0
    private var vectors: [UInt32: (EmulatedPCIDevice, Int)] = [:]
    private var nextVector: UInt32 = 0x30
    private var lines: [Int: [EmulatedPCIDevice]] = [:]
    private var lineServiceScheduled = Set<Int>()
    private var lineUnclaimed: [Int: Int] = [:]
    private var lineDisabled = Set<Int>()

    /// Creates a host for `machine` and becomes its interrupt controller.
    public init(machine: Machine) {
        self.machine = machine
        cpu = VirtualCPU(machine: machine)
        ecam = ECAMConfigMechanism(machine)
        machine.interruptSink = self
    }

    /// Registers a driver; the earlier registered wins ties of match specificity.
    public func register(_ driver: any PCIDriver.Type) { registry.append(driver) }

    /// Enumerates the bus and probes the best-matching driver for each function.
    public func start() throws(EnumerationError) {
        enumerated = try cpu.run { () throws(EnumerationError) in try Enumerator().enumerate(ecam) }
        for e in enumerated { probe(e) }
    }

    private func probe(_ e: EnumeratedFunction) {
        let identity = PCIIdentity(vendorID: e.vendorID, deviceID: e.deviceID, subsystemVendorID: e.subsystemVendorID,
                                   subsystemID: e.subsystemID, classCode: e.classCode, revision: e.revision)
        var best: (any PCIDriver.Type, PCIMatch)?
        for d in registry {
            for m in d.matchTable where m.matches(identity) {
                if best == nil || m.specificity > best!.1.specificity { best = (d, m) }
            }
        }
        guard let (type, match) = best, let f = machine.function(at: e.address) else { return }
        let device = EmulatedPCIDevice(enumerated: e, function: f, host: self)
        let context = EmulatedDriverContext(host: self, source: "\(type.name)@\(e.address)", device: device)
        do {
            let instance = try cpu.run { () throws(DriverError) in try type.init(device: device, context: context, match: match) }
            bound.append(BoundDriver(address: e.address, driverName: type.name, instance: instance, match: match, device: device, context: context))
        } catch {
            probeFailures.append(ProbeFailure(address: e.address, driverName: type.name, error: error))
            machine.log.finding(e.address, .driverError, "\(type.name) probe failed: \(error)")
            checkLeaks(device: device, context: context, when: "after a failed probe")
        }
    }

    /// Runs driver code (e.g. a client's call into a driver) on the machine's CPU.
    public func onCPU<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T { try cpu.run(body) }

    /// Removes every bound driver (in reverse bus order) and checks that each released everything.
    public func detachAll() {
        for b in bound.reversed() {
            cpu.run { b.instance.remove() }
            checkLeaks(device: b.device, context: b.context, when: "at detach")
        }
        bound.removeAll()
    }

    private func checkLeaks(device: EmulatedPCIDevice, context: EmulatedDriverContext, when: String) {
        let dma = device.dmaEngine.leakReport()
        if !dma.isEmpty {
            machine.log.finding(device.address, .dmaLeak, "\(dma.count) DMA allocation(s) left \(when): " + dma.prefix(4).joined(separator: "; ") + (dma.count > 4 ? "; …" : ""))
        }
        let maps = device.function.iommu.liveMappings
        if !maps.isEmpty && dma.isEmpty {
            machine.log.finding(device.address, .dmaLeak, "\(maps.count) IOMMU mapping(s) left \(when)")
        }
        if device.interrupts.mode != nil {
            machine.log.finding(device.address, .resourceLeak, "interrupts (\(device.interrupts.mode!), \(device.interrupts.attachedCount) handler(s)) not freed \(when)")
            device.interrupts.free()
        }
        let timers = context.activeTimers
        if timers > 0 { machine.log.finding(device.address, .resourceLeak, "\(timers) timer(s) still active \(when)") }
        context.cancelAll()
    }

    // MARK: vectors and lines

    func reserveVectors(_ n: Int, for device: EmulatedPCIDevice, aligned: Bool = false) -> UInt32 {
        if aligned { nextVector = (nextVector + UInt32(n) - 1) & ~(UInt32(n) - 1) }
        let base = nextVector
        for i in 0..<n { vectors[base + UInt32(i)] = (device, i) }
        nextVector += UInt32(n)
        return base
    }

    func releaseVectors(of device: EmulatedPCIDevice) {
        for (k, v) in vectors where v.0 === device { vectors[k] = nil }
    }

    func addToLine(_ line: Int, _ d: EmulatedPCIDevice) {
        lines[line, default: []].append(d)
        if machine.lineAsserted(line) { serviceLineSoon(line) }
    }

    func removeFromLine(_ line: Int, _ d: EmulatedPCIDevice) { lines[line]?.removeAll { $0 === d } }

    func log(_ device: EmulatedPCIDevice, _ level: LogLevel, _ message: String) {
        machine.log.record(.note(source: "host@\(device.address)", text: "[\(level)] \(message)"))
    }

    func recordDriverLog(_ source: String, _ level: LogLevel, _ message: String) {
        machine.log.record(.note(source: source, text: "[\(level)] \(message)"))
        if level == .error { driverErrors += 1 }
        if driverLog.count < 10_000 {
            driverLog.append(DriverLogLine(time: machine.now, source: source, level: level, message: message))
        }
    }

    // MARK: InterruptSink

    /// An MSI/MSI-X message reached the interrupt controller.
    public func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) {
        guard address & 0xFFF0_0000 == HostInterrupts.messageAddress, let (d, v) = vectors[data] else {
            machine.log.finding(device, .driverError, "MSI write of 0x\(hexString(UInt64(data))) to 0x\(hexString(address)) matches no allocated vector")
            return
        }
        d.interrupts.messageArrived(v)
    }

    /// An INTx line changed level.
    public func lineChanged(_ line: Int, asserted: Bool) {
        if asserted { serviceLineSoon(line) }
    }

    func serviceLineSoon(_ line: Int) {
        guard !lineDisabled.contains(line), !lineServiceScheduled.contains(line) else { return }
        lineServiceScheduled.insert(line)
        cpu.post(at: machine.now) { [unowned self] in self.serviceLine(line) }
    }

    /// Runs every handler on a level-triggered line; if the line stays asserted, services it again
    /// after the interrupt latency (EOI and re-delivery). A line nobody claims 1,000 times in a row is
    /// disabled with a storm finding, as Linux's "nobody cared" does.
    private func serviceLine(_ line: Int) {
        lineServiceScheduled.remove(line)
        guard machine.lineAsserted(line) else { return }
        var eligible = false, claimed = false
        for d in lines[line] ?? [] {
            if let r = d.interrupts.runINTx() {
                eligible = true
                if case .handled = r { claimed = true }
            }
        }
        guard eligible else { return }     // masked: stays pending until unmasked
        lineUnclaimed[line] = claimed ? 0 : lineUnclaimed[line, default: 0] + 1
        if lineUnclaimed[line]! >= 1000 {
            lineDisabled.insert(line)
            machine.log.finding(nil, .interruptStorm, "INTx line \(line) asserted and no handler claimed it 1000 times in a row; line disabled")
            return
        }
        if machine.lineAsserted(line) {
            lineServiceScheduled.insert(line)
            cpu.post(at: machine.now + machine.configuration.interruptLatency) { [unowned self] in self.serviceLine(line) }
        }
    }
}
