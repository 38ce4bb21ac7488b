import BoxlessPlatform
import NativeDriverKit

/// The QEMU host's ``PCIDevice``: config space through ECAM (or ports 0xCF8/0xCFC), BARs as qtest
/// `readX`/`writeX` (memory) or `inX`/`outX` (I/O) at the address enumeration assigned plus the
/// offset, DMA through ``QEMUDMA``, interrupts through ``QEMUInterrupts``.
final class QEMUPCIDevice: PCIDevice, RegionIO {
    let enumerated: EnumeratedFunction
    unowned let host: QEMUHost
    let location: PCILocation
    let identity: PCIIdentity
    let dmaEngine: QEMUDMA
    var dma: any DMAAllocator { dmaEngine }
    private(set) var interrupts: QEMUInterrupts!
    /// The IOAPIC input (GSI) the function's INTx pin reaches, if it has a pin.
    let gsi: Int?
    private var regions: [Int: DeviceRegion] = [:]

    init(enumerated e: EnumeratedFunction, gsi: Int?, host: QEMUHost, label: String) {
        enumerated = e
        self.host = host
        self.gsi = gsi
        let a = e.address
        location = PCILocation(segment: a.segment, bus: a.bus, device: a.device, function: a.function)
        identity = QEMUHost.identity(of: e)
        dmaEngine = QEMUDMA(host: host, label: label)
        interrupts = QEMUInterrupts(device: self, label: label)
        for b in e.bars {
            regions[b.index] = DeviceRegion(bar: b.index, kind: b.kind.isMemory ? .memory : .io, size: Int(b.size), io: self)
        }
    }

    var address: PCIAddress { enumerated.address }

    // MARK: config space

    func configRead8(_ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: host.config.read(address, offset: offset, width: .byte)) }
    func configRead16(_ offset: Int) -> UInt16 { UInt16(truncatingIfNeeded: host.config.read(address, offset: offset, width: .word)) }
    func configRead32(_ offset: Int) -> UInt32 { host.config.read(address, offset: offset, width: .dword) }
    func configWrite8(_ offset: Int, _ value: UInt8) { host.config.write(address, offset: offset, width: .byte, value: UInt32(value)) }
    func configWrite16(_ offset: Int, _ value: UInt16) { host.config.write(address, offset: offset, width: .word, value: UInt32(value)) }
    func configWrite32(_ offset: Int, _ value: UInt32) { host.config.write(address, offset: offset, width: .dword, value: value) }

    func enable(_ features: CommandFeatures) { configWrite16(ConfigHeader.command, configRead16(ConfigHeader.command) | features.rawValue) }
    func disable(_ features: CommandFeatures) { configWrite16(ConfigHeader.command, configRead16(ConfigHeader.command) & ~features.rawValue) }

    // MARK: BARs

    func region(_ index: Int) -> DeviceRegion? { regions[index] }

    /// The BAR and width of a valid access, or nil (after a warning) for a bad one.
    private func target(_ bar: Int, _ offset: Int, _ width: RegisterWidth, write: Bool) -> AssignedBAR? {
        let what = write ? "write" : "read"
        guard let b = enumerated.bars.first(where: { $0.index == bar }) else {
            host.hostWarning(dmaEngine.label, "\(what) of BAR\(bar), which the function does not have"); return nil
        }
        if !b.kind.isMemory && width == .qword {
            host.hostWarning(dmaEngine.label, "64-bit \(what) of I/O BAR\(bar): I/O space takes 8, 16 or 32-bit accesses"); return nil
        }
        guard offset >= 0, UInt64(offset) + UInt64(width.rawValue) <= b.size else {
            host.hostWarning(dmaEngine.label, "\(what) of \(width.rawValue * 8) bits at BAR\(bar)+\(offset) is outside the \(b.size)-byte BAR")
            return nil
        }
        return b
    }

    func read(bar: Int, offset: Int, width: RegisterWidth) -> UInt64 {
        let ones: UInt64 = width == .qword ? .max : (1 << (UInt64(width.rawValue) * 8)) - 1
        guard let b = target(bar, offset, width, write: false) else { return ones }
        let address = b.base + UInt64(offset), bytes = Int(width.rawValue)
        return host.qtestCall(ones) { q throws(QEMUHostError) in
            b.kind.isMemory ? try q.memoryRead(address, bytes: bytes) : try q.portRead(address, bytes: bytes)
        } & ones
    }

    func write(bar: Int, offset: Int, width: RegisterWidth, value: UInt64) {
        guard let b = target(bar, offset, width, write: true) else { return }
        let address = b.base + UInt64(offset), bytes = Int(width.rawValue)
        host.qtestCall(()) { q throws(QEMUHostError) in
            if b.kind.isMemory { try q.memoryWrite(address, bytes: bytes, value: value) }
            else { try q.portWrite(address, bytes: bytes, value: value) }
        }
    }

    /// qtest commands are executed in order, one at a time: every earlier guest-memory write has
    /// landed before a later register write, so the barrier has nothing to do.
    func barrier(bar: Int) {}

    // MARK: interrupts

    func allocateInterrupts(_ request: InterruptRequest) throws(DriverError) -> InterruptAllocation {
        try interrupts.allocate(request)
    }
    func attachInterrupt(vector: Int, name: String, _ handler: @escaping () -> InterruptResult) throws(DriverError) {
        try interrupts.attach(vector: vector, name: name, handler)
    }
    func maskInterrupt(vector: Int) { interrupts.mask(vector) }
    func unmaskInterrupt(vector: Int) { interrupts.unmask(vector) }
    func freeInterrupts() { interrupts.free() }
}
