import BoxlessPlatform
import EmulatorHost
import NativeDriverKit

/// What to build: a machine with devices in slots, a seed, strict mode, driver parameters.
public struct MachineSpec: Sendable {
    /// One device in one slot.
    public struct Slot: Sendable {
        /// Catalog name of the model.
        public var model: String
        /// Bus-0 device number.
        public var device: UInt8
        /// Creates a slot.
        public init(model: String, device: UInt8) { self.model = model; self.device = device }
    }
    /// The devices.
    public var slots: [Slot]
    /// The run's seed.
    public var seed: UInt64
    /// Strict mode.
    public var strict: Bool
    /// Driver parameters (`name=value`).
    public var driverParameters: [String: String]
    /// Creates a spec.
    public init(slots: [Slot], seed: UInt64 = 1, strict: Bool = false, driverParameters: [String: String] = [:]) {
        self.slots = slots; self.seed = seed; self.strict = strict; self.driverParameters = driverParameters
    }
}

extension MachineSpec {
    /// The models of the slots, from the catalog (or `make`, which may supply a configured model for
    /// a slot), checked: every model known, every slot 0–31 and used once. Every host builds its
    /// machine from this.
    public func models(make: ((Slot) -> (any PCIDeviceModel)?)? = nil) throws(MachineError) -> [(slot: Slot, model: any PCIDeviceModel, entry: CatalogEntry)] {
        var used = Set<UInt8>()
        var out: [(slot: Slot, model: any PCIDeviceModel, entry: CatalogEntry)] = []
        for s in slots {
            guard let e = DeviceCatalog.entry(named: s.model) else { throw .unknownModel(s.model) }
            guard s.device < 32, used.insert(s.device).inserted else { throw .badSlot("slot \(s.device) is taken or out of range 0–31") }
            out.append((s, make?(s) ?? e.makeModel(), e))
        }
        return out
    }
}

/// Why a machine could not be built.
public enum MachineError: Error, CustomStringConvertible, Equatable {
    /// No such model.
    case unknownModel(String)
    /// Two devices in one slot, or a slot over 31.
    case badSlot(String)
    /// Enumeration failed.
    case enumeration(String)
    /// One line.
    public var description: String {
        switch self {
        case .unknownModel(let m): return "unknown device model '\(m)' (known: \(DeviceCatalog.entries.map(\.name).joined(separator: ", ")))"
        case .badSlot(let s): return s
        case .enumeration(let s): return "enumeration failed: \(s)"
        }
    }
}

/// A machine, its emulator host and drivers, wired together. The runner is the only place that
/// knows both device models and drivers.
public final class BoxlessMachine {
    /// The platform machine.
    public let machine: Machine
    /// The emulator host.
    public let host: EmulatorHost
    /// The spec it was built from.
    public let spec: MachineSpec

    /// Builds the machine and plugs the devices; call ``start()`` to enumerate and probe. `make` may
    /// supply a configured model for a slot (e.g. a controller with its disks); nil uses the catalog's.
    public init(_ spec: MachineSpec, faults: (any FaultInjector)? = nil,
                make: ((MachineSpec.Slot) -> (any PCIDeviceModel)?)? = nil) throws(MachineError) {
        self.spec = spec
        machine = Machine(configuration: MachineConfiguration(seed: spec.seed, strict: spec.strict))
        machine.faults = faults
        host = EmulatorHost(machine: machine)
        host.driverParameters = spec.driverParameters
        var drivers: [String] = []
        for (s, model, e) in try spec.models(make: make) {
            machine.plug(model, at: PCIAddress(device: s.device))
            if !drivers.contains(e.driver.name) { drivers.append(e.driver.name); host.register(e.driver) }
        }
    }

    /// Enumerates the bus and probes drivers.
    public func start() throws(MachineError) {
        do { try host.start() } catch { throw .enumeration(error.description) }
    }

    /// The first bound driver instance of type `T`.
    public func driver<T>(_ type: T.Type) -> T? { host.bound.lazy.compactMap { $0.instance as? T }.first }
}
