/// One PCI function on the machine's bus: its config space, BARs, interrupt state and IOMMU domain,
/// joined to the device model that implements it.
///
/// Software (a host's PCI core) reaches it through the ``Machine``'s config mechanisms and address
/// decoding; the model reaches the machine through its device-side API (`PCIFunction+DeviceSide.swift`).
/// The platform, not the model, implements the header, BAR sizing, capabilities, MSI/MSI-X
/// (including the MSI-X table and PBA) and INTx routing.
public final class PCIFunction {
    /// Location on the bus.
    public let address: PCIAddress
    /// The device model.
    public let model: any PCIDeviceModel
    /// Config space (masks enforced on software writes).
    public internal(set) var config: ConfigSpace
    /// Declared BARs, by index.
    public let bars: [BARDeclaration]
    private let barByIndex: [BARDeclaration?]
    /// The MSI capability, if any.
    public let msi: MSICapabilityLayout?
    /// The MSI-X capability, if any.
    public let msix: MSIXCapabilityLayout?
    /// Whether this is a PCI Express function.
    public let isExpress: Bool
    /// Bus timing; models set it in `attach` (defaults by bus kind).
    public var timing: BusTiming
    /// This function's DMA translation.
    public let iommu = IOMMUDomain()
    /// The INTx line this function's pin is routed to, if it has a pin.
    public let intxLine: Int?
    /// The function's own random stream (split from the run's seed by its location).
    public var random: SeededRandom
    // The machine owns its functions and outlives them.
    unowned(unsafe) let machine: Machine
    /// The machine's clock and log, held strongly (neither refers back to a function): the per-frame
    /// device-side paths reach them without retaining the unowned machine on every access.
    @usableFromInline let scheduler: Scheduler
    @usableFromInline let eventLog: EventLog
    /// The machine, borrowed without reference counting on the DMA fast path.
    let machineRef: Unmanaged<Machine>
    var msixTable: [UInt32]
    var msixPending: [UInt64]
    /// The level the device drives on its INTx pin (before Interrupt Disable).
    public internal(set) var intxPinAsserted = false
    var intxEffective = false
    var msiPendingSoftware: UInt32 = 0

    init(address: PCIAddress, model: any PCIDeviceModel, builder: ConfigSpaceBuilder, machine: Machine) {
        self.address = address
        self.model = model
        self.config = builder.space
        self.bars = builder.bars
        self.barByIndex = (0..<6).map { i in builder.bars.first { $0.index == i } }
        self.msi = builder.msi
        self.msix = builder.msix
        self.isExpress = builder.isExpress
        self.timing = builder.isExpress ? .pcie1x1 : .pci33
        self.machine = machine
        self.scheduler = machine.scheduler
        self.eventLog = machine.log
        self.machineRef = .passUnretained(machine)
        self.random = machine.random.split("pci:\(address)")
        let pin = UInt8(builder.space.read(ConfigHeader.interruptPin, .byte))
        intxLine = pin == 0 ? nil : INTxRouting.line(device: address.device, pin: pin)
        let entries = builder.msix?.tableSize ?? 0
        // Vector Control resets with Mask Bit set (PCI Local Bus 3.0 §6.8.2.9).
        msixTable = (0..<entries * 4).map { $0 % 4 == 3 ? MSIXCapabilityLayout.vectorControlMask : 0 }
        msixPending = Array(repeating: 0, count: (entries + 63) / 64)
        if let m = builder.msix {
            for b in [m.tableBAR, m.pbaBAR] {
                precondition(bars.contains { $0.index == b && $0.kind.isMemory }, "MSI-X BAR \(b) must be a memory BAR")
            }
        }
    }

    /// The declared BAR with this index.
    public func bar(_ index: Int) -> BARDeclaration? { index >= 0 && index < 6 ? barByIndex[index] : nil }

    /// The base address software assigned to BAR `index` (0 if unassigned).
    public func barBase(_ index: Int) -> UInt64 {
        guard let b = bar(index) else { return 0 }
        let off = ConfigHeader.bar0 + 4 * index
        var base = UInt64(config.read(off, .dword) & (b.kind.isMemory ? 0xFFFF_FFF0 : 0xFFFF_FFFC))
        if b.kind.is64Bit { base |= UInt64(config.read(off + 4, .dword)) << 32 }
        return base
    }

    /// The Command register.
    @inlinable public var command: UInt16 { UInt16(config.read(ConfigHeader.command, .word)) }
    /// Whether Command.Bus Master Enable is set.
    @inlinable public var busMasterEnabled: Bool { command & ConfigHeader.commandBusMaster != 0 }
    /// Whether MSI is enabled in its Message Control.
    public var msiEnabled: Bool {
        guard let m = msi else { return false }
        return UInt16(config.read(m.control, .word)) & MSICapabilityLayout.controlEnable != 0
    }
    /// Whether MSI-X is enabled in its Message Control.
    @inlinable public var msixEnabled: Bool {
        guard let m = msix else { return false }
        return UInt16(config.read(m.control, .word)) & MSIXCapabilityLayout.controlEnable != 0
    }
    /// Whether the MSI-X Function Mask is set.
    public var msixFunctionMasked: Bool {
        guard let m = msix else { return false }
        return UInt16(config.read(m.control, .word)) & MSIXCapabilityLayout.controlFunctionMask != 0
    }

    // MARK: software config access (after the machine's config mechanism decoded it)

    func softwareConfigRead(_ offset: Int, _ width: AccessWidth) -> UInt32 {
        var value: UInt32
        if offset % width.bytes != 0 || offset + width.bytes > config.size || width == .qword {
            machine.log.finding(address, .configAccess, "config read\(width) at 0x\(hex(UInt64(offset), 3)) is misaligned or beyond the \(config.size)-byte space",
                                reference: "PCI Local Bus 3.0 §6.1")
            value = UInt32(truncatingIfNeeded: width.mask)
        } else {
            value = config.read(offset, width)
            if let f = machine.faults {
                let site = AccessSite(device: address, space: .config, bar: 0, offset: UInt64(offset), width: width,
                                      isWrite: false, value: 0, time: machine.now)
                switch f.configAccess(site) {
                case .allOnesRead: value = UInt32(truncatingIfNeeded: width.mask)
                case .replaceRead(let v): value = UInt32(truncatingIfNeeded: v & width.mask)
                default: break
                }
            }
        }
        machine.log.record(.configRead(address, offset: UInt16(offset), width: width, value: value))
        return value
    }

    func softwareConfigWrite(_ offset: Int, _ width: AccessWidth, _ value: UInt32) {
        var value = value
        machine.log.record(.configWrite(address, offset: UInt16(offset), width: width, value: value))
        if offset % width.bytes != 0 || offset + width.bytes > config.size || width == .qword {
            machine.log.finding(address, .configAccess, "config write\(width) at 0x\(hex(UInt64(offset), 3)) is misaligned or beyond the \(config.size)-byte space",
                                reference: "PCI Local Bus 3.0 §6.1")
            return
        }
        if let f = machine.faults {
            let site = AccessSite(device: address, space: .config, bar: 0, offset: UInt64(offset), width: width,
                                  isWrite: true, value: UInt64(value), time: machine.now)
            switch f.configAccess(site) {
            case .dropWrite: return
            case .replaceWrite(let v): value = UInt32(truncatingIfNeeded: v)
            default: break
            }
        }
        config.write(offset, width, value)
        let end = offset + width.bytes
        func touches(_ o: Int, _ n: Int) -> Bool { offset < o + n && o < end }
        if touches(ConfigHeader.command, 2) || touches(ConfigHeader.bar0, 24) { machine.decodeChanged() }
        if touches(ConfigHeader.command, 2) { updateINTx() }
        if let m = msi, touches(m.offset, 0x18) { updateINTx(); deliverUnmaskedMSI() }
        if let m = msix, touches(m.control, 2) { updateINTx(); deliverUnmaskedMSIX() }
        model.configWritten(offset: offset, width: width, value: value)
    }

    // MARK: software register access

    func registerAccess(bar index: Int, offset: UInt64, width: AccessWidth, write: Bool, value: UInt64) -> UInt64 {
        let b = bar(index)!
        let space: RegionSpace = b.kind.isMemory ? .memory : .io
        let allOnes = width.mask
        func logged(_ v: UInt64) -> UInt64 {
            machine.log.record(write
                ? .registerWrite(address, space: space, bar: UInt8(index), offset: offset, width: width, value: value)
                : .registerRead(address, space: space, bar: UInt8(index), offset: offset, width: width, value: v))
            return v
        }
        let kindName = write ? "write" : "read"
        // Declared access rules (STYLE.md §4).
        if width.rawValue < b.rules.minWidth.rawValue || width.rawValue > b.rules.maxWidth.rawValue
            || (b.rules.naturallyAligned && offset % UInt64(width.bytes) != 0) {
            machine.log.finding(address, .accessWidth, "\(kindName)\(width) at BAR\(index)+0x\(hex(offset, 1)): region allows \(b.rules.minWidth)–\(b.rules.maxWidth)-bit\(b.rules.naturallyAligned ? " aligned" : "") accesses")
            return logged(allOnes)
        }
        if offset + UInt64(width.bytes) > b.size {
            machine.log.finding(address, .accessOutOfRange, "\(kindName)\(width) at BAR\(index)+0x\(hex(offset, 1)) is beyond the \(b.size)-byte region")
            return logged(allOnes)
        }
        // The platform serves the MSI-X table and PBA (PCI Local Bus 3.0 §6.8.2).
        if let m = msix {
            if index == m.tableBAR, offset >= m.tableOffset, offset < m.tableOffset + UInt64(m.tableSize) * MSIXCapabilityLayout.entrySize {
                return logged(msixTableAccess(offset - m.tableOffset, width, write, value))
            }
            if index == m.pbaBAR, offset >= m.pbaOffset, offset < m.pbaOffset + m.pbaSize {
                return logged(msixPBAAccess(offset - m.pbaOffset, width, write))
            }
        }
        var value = value
        if let map = b.registers {
            if let reg = map.register(at: offset) {
                if write, reg.access == .readOnly || reg.access == .readToClear {
                    machine.log.finding(address, .accessReadOnly, "write of 0x\(hex(value, 1)) to read-only register \(reg.name) (BAR\(index)+0x\(hex(reg.offset, 1)))")
                    return logged(0)
                }
                if !write, reg.access == .writeOnly {
                    machine.log.finding(address, .accessWriteOnly, "read of write-only register \(reg.name) (BAR\(index)+0x\(hex(reg.offset, 1)))")
                }
            } else if map.undefinedIsFinding {
                machine.log.finding(address, .accessOutOfRange, "\(kindName)\(width) at BAR\(index)+0x\(hex(offset, 1)) hits no register of \(model.name)")
                return logged(allOnes)
            }
        }
        if let f = machine.faults {
            let site = AccessSite(device: address, space: b.kind.isMemory ? .memory : .io, bar: index, offset: offset,
                                  width: width, isWrite: write, value: value, time: machine.now)
            switch f.registerAccess(site) {
            case .allOnesRead where !write: return logged(allOnes)
            case .replaceRead(let v) where !write: return logged(v & allOnes)
            case .dropWrite where write: return logged(0)
            case .replaceWrite(let v) where write: value = v
            default: break
            }
        }
        if write {
            model.write(bar: index, offset: offset, width: width, value: value & allOnes)
            return logged(0)
        }
        return logged(model.read(bar: index, offset: offset, width: width) & allOnes)
    }
}
