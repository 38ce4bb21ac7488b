/// One emulated machine: clock and scheduler, event log, physical memory, the PCI bus with its
/// functions, interrupt routing and fault hooks. It knows no device model type and no driver.
///
/// Software-side entry points (what a host's CPU does): ``configRead(_:offset:width:)`` and friends,
/// the legacy configuration mechanism on I/O ports 0xCF8/0xCFC, ECAM in memory space, and
/// ``mmioRead(_:width:)``/``ioRead(_:width:)`` decoded against the BARs software assigned.
/// A machine is confined to one thread.
public final class Machine {
    /// Settings of this run.
    public let configuration: MachineConfiguration
    /// The virtual clock and event queue.
    public let scheduler: Scheduler
    /// The event log.
    public let log: EventLog
    /// Physical memory.
    public let memory = PhysicalMemory()
    /// The run's root random stream.
    public let random: SeededRandom
    /// Fault hooks, if a fault plan is active.
    public var faults: (any FaultInjector)?
    /// Where interrupts go (the host's interrupt controller).
    public weak var interruptSink: (any InterruptSink)?
    /// Functions on the bus, by location.
    public private(set) var functions: [PCIFunction] = []
    /// Base of the ECAM window (PCIe Base §7.2.2): 256 MiB covering buses 0–255.
    public static let ecamBase: UInt64 = 0xB000_0000
    /// Size of the ECAM window.
    public static let ecamSize: UInt64 = 0x1000_0000
    /// Legacy configuration mechanism #1 address port (PCI Local Bus 3.0 §3.2.2.3.2).
    public static let configAddressPort: UInt64 = 0xCF8
    /// Legacy configuration mechanism #1 data port.
    public static let configDataPort: UInt64 = 0xCFC
    private var configAddress: UInt32 = 0
    private var decode: [(base: UInt64, end: UInt64, space: RegionSpace, function: PCIFunction, bar: Int)] = []
    private var decodeValid = false
    private var lastDecode = -1
    private var lineCounts: [Int: Int] = [:]

    /// Creates an empty machine.
    public init(configuration: MachineConfiguration = MachineConfiguration()) {
        self.configuration = configuration
        self.random = SeededRandom(seed: configuration.seed)
        let s = Scheduler()
        scheduler = s
        log = EventLog(clock: { s.now })
    }

    /// Current virtual time.
    public var now: VirtualTime { scheduler.now }

    /// Plugs a device model in at `address` and returns its function. Locations must be free.
    @discardableResult
    public func plug(_ model: any PCIDeviceModel, at address: PCIAddress) -> PCIFunction {
        precondition(!functions.contains { $0.address == address }, "\(address) is already occupied")
        let f = PCIFunction(address: address, model: model, builder: model.buildConfigSpace(), machine: self)
        functions.append(f)
        functions.sort { $0.address < $1.address }
        model.attach(to: f)
        model.reset()
        decodeValid = false
        return f
    }

    /// The function at `address`, if any.
    public func function(at address: PCIAddress) -> PCIFunction? { functions.first { $0.address == address } }

    // MARK: configuration space

    /// Reads config space of `address` (all ones, like a master abort, if no function is there).
    public func configRead(_ address: PCIAddress, offset: Int, width: AccessWidth) -> UInt32 {
        guard let f = function(at: address) else { return UInt32(truncatingIfNeeded: width.mask) }
        return f.softwareConfigRead(offset, width)
    }

    /// Writes config space of `address` (dropped if no function is there).
    public func configWrite(_ address: PCIAddress, offset: Int, width: AccessWidth, value: UInt32) {
        function(at: address)?.softwareConfigWrite(offset, width, value)
    }

    func decodeChanged() { decodeValid = false; lastDecode = -1 }

    // MARK: I/O space (including 0xCF8/0xCFC)

    /// An I/O-port read by the CPU.
    public func ioRead(_ port: UInt64, width: AccessWidth) -> UInt64 {
        if port == Self.configAddressPort && width == .dword { return UInt64(configAddress) }
        if port >= Self.configDataPort && port < Self.configDataPort + 4 {
            guard configAddress & 0x8000_0000 != 0, let (a, off) = legacyTarget(port) else { return width.mask }
            return UInt64(configRead(a, offset: off, width: width))
        }
        return decoded(port, width: width, space: .io, write: false, value: 0)
    }

    /// An I/O-port write by the CPU.
    public func ioWrite(_ port: UInt64, width: AccessWidth, value: UInt64) {
        if port == Self.configAddressPort && width == .dword { configAddress = UInt32(truncatingIfNeeded: value); return }
        if port >= Self.configDataPort && port < Self.configDataPort + 4 {
            guard configAddress & 0x8000_0000 != 0, let (a, off) = legacyTarget(port) else { return }
            configWrite(a, offset: off, width: width, value: UInt32(truncatingIfNeeded: value))
            return
        }
        _ = decoded(port, width: width, space: .io, write: true, value: value)
    }

    /// CONFIG_ADDRESS: enable(31) bus(23:16) device(15:11) function(10:8) register(7:2).
    private func legacyTarget(_ port: UInt64) -> (PCIAddress, Int)? {
        let bus = UInt8(configAddress >> 16 & 0xFF), dev = UInt8(configAddress >> 11 & 0x1F), fn = UInt8(configAddress >> 8 & 7)
        return (PCIAddress(bus: bus, device: dev, function: fn), Int(configAddress & 0xFC) + Int(port - Self.configDataPort))
    }

    // MARK: memory space (including ECAM)

    /// A memory read by the CPU.
    public func mmioRead(_ address: UInt64, width: AccessWidth) -> UInt64 {
        if address >= Self.ecamBase && address < Self.ecamBase + Self.ecamSize {
            let (a, off) = ecamTarget(address)
            return UInt64(configRead(a, offset: off, width: width))
        }
        return decoded(address, width: width, space: .memory, write: false, value: 0)
    }

    /// A memory write by the CPU.
    public func mmioWrite(_ address: UInt64, width: AccessWidth, value: UInt64) {
        if address >= Self.ecamBase && address < Self.ecamBase + Self.ecamSize {
            let (a, off) = ecamTarget(address)
            configWrite(a, offset: off, width: width, value: UInt32(truncatingIfNeeded: value))
            return
        }
        _ = decoded(address, width: width, space: .memory, write: true, value: value)
    }

    /// ECAM: bus(27:20) device(19:15) function(14:12) offset(11:0) (PCIe Base §7.2.2).
    private func ecamTarget(_ address: UInt64) -> (PCIAddress, Int) {
        let o = address - Self.ecamBase
        return (PCIAddress(bus: UInt8(o >> 20 & 0xFF), device: UInt8(o >> 15 & 0x1F), function: UInt8(o >> 12 & 7)), Int(o & 0xFFF))
    }

    private func rebuildDecode() {
        decode.removeAll(keepingCapacity: true)
        for f in functions {
            let cmd = f.command
            for b in f.bars {
                let base = f.barBase(b.index)
                guard base != 0 else { continue }
                let on = b.kind.isMemory ? cmd & ConfigHeader.commandMemorySpace != 0 : cmd & ConfigHeader.commandIOSpace != 0
                guard on else { continue }
                decode.append((base, base &+ b.size, b.kind.isMemory ? .memory : .io, f, b.index))
            }
        }
        decode.sort { ($0.space.rawValue, $0.base) < ($1.space.rawValue, $1.base) }
        decodeValid = true
        lastDecode = -1
    }

    /// Which function and BAR decode `address` in `space`, if any (rebuilt when BARs or Command change).
    public func decodeTarget(_ address: UInt64, space: RegionSpace) -> (PCIFunction, bar: Int, offset: UInt64)? {
        if !decodeValid { rebuildDecode() }
        if lastDecode >= 0 {
            let d = decode[lastDecode]
            if d.space == space && address >= d.base && address < d.end { return (d.function, d.bar, address - d.base) }
        }
        for (i, d) in decode.enumerated() where d.space == space && address >= d.base && address < d.end {
            lastDecode = i
            return (d.function, d.bar, address - d.base)
        }
        return nil
    }

    private func decoded(_ address: UInt64, width: AccessWidth, space: RegionSpace, write: Bool, value: UInt64) -> UInt64 {
        guard let (f, bar, off) = decodeTarget(address, space: space) else {
            log.finding(nil, .accessMasterAbort, "\(write ? "write" : "read")\(width) at \(space == .memory ? "memory" : "I/O") address 0x\(hex(address, 1)): no function decodes it (unassigned BAR or decoding disabled)",
                        reference: "PCI Local Bus 3.0 §3.3.3.1")
            return write ? 0 : width.mask
        }
        return f.registerAccess(bar: bar, offset: off, width: width, write: write, value: value)
    }

    // MARK: interrupts

    func deliverMessage(from f: PCIFunction, kind: InterruptKind, vector: Int, address: UInt64, data: UInt32) {
        var delay = configuration.interruptLatency
        var copies = 1
        if let faults {
            switch faults.interrupt(InterruptSite(device: f.address, kind: kind, vector: vector, time: now)) {
            case .drop:
                log.record(.interrupt(f.address, kind: kind, vector: UInt16(vector), asserted: true, outcome: .suppressed))
                return
            case .holdPending:
                if kind == .msix { f.holdMSIXPending(vector) }
                log.record(.interrupt(f.address, kind: kind, vector: UInt16(vector), asserted: true,
                                      outcome: kind == .msix ? .pending : .suppressed))
                return
            case .delay(let d): delay = delay + d
            case .duplicate: copies = 2
            case .none: break
            }
        }
        let dev = f.address
        for _ in 0..<copies {
            log.record(.interrupt(f.address, kind: kind, vector: UInt16(vector), asserted: true, outcome: .delivered))
            scheduler.schedule(after: delay) { [unowned(unsafe) self] in
                self.interruptSink?.messageSignalled(from: dev, address: address, data: data)
            }
        }
    }

    func intxChanged(from f: PCIFunction, asserted: Bool) {
        guard let line = f.intxLine else { return }
        let before = lineCounts[line, default: 0]
        let after = before + (asserted ? 1 : -1)
        lineCounts[line] = after
        var delay = configuration.interruptLatency
        var copies = 1
        if let faults, asserted {
            switch faults.interrupt(InterruptSite(device: f.address, kind: .intx, vector: line, time: now)) {
            case .drop, .holdPending:
                // The assertion is lost on its way: the line's level is never reported.
                log.record(.interrupt(f.address, kind: .intx, vector: UInt16(line), asserted: true, outcome: .suppressed))
                return
            case .delay(let d): delay = delay + d
            case .duplicate: copies = 2
            case .none: break
            }
        }
        log.record(.interrupt(f.address, kind: .intx, vector: UInt16(line), asserted: asserted, outcome: .delivered))
        guard (before > 0) != (after > 0) else { return }
        for _ in 0..<copies {
            scheduler.schedule(after: delay) { [weak self] in
                guard let self else { return }
                // Deliver the line's level as it is when the change arrives (level-triggered).
                self.interruptSink?.lineChanged(line, asserted: self.lineCounts[line, default: 0] > 0)
            }
        }
    }

    /// Whether INTx line `line` is asserted now.
    public func lineAsserted(_ line: Int) -> Bool { lineCounts[line, default: 0] > 0 }
}
