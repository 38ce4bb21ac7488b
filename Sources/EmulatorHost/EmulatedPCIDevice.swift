import BoxlessPlatform
import NativeDriverKit

/// The emulator host's ``PCIDevice``: config space through ECAM, BARs through the machine's
/// address decoding at the addresses enumeration assigned, DMA through ``EmulatedDMA``, interrupts
/// through the host's interrupt controller.
final class EmulatedPCIDevice: PCIDevice, RegionIO {
    let enumerated: EnumeratedFunction
    let function: PCIFunction
    unowned(unsafe) let host: EmulatorHost
    let location: PCILocation
    let identity: PCIIdentity
    let dmaEngine: EmulatedDMA
    var dma: any DMAAllocator { dmaEngine }
    var interrupts: HostInterrupts!
    private lazy var regions: [Int: DeviceRegion] = {
        var r: [Int: DeviceRegion] = [:]
        for b in enumerated.bars {
            r[b.index] = DeviceRegion(bar: b.index, kind: b.kind.isMemory ? .memory : .io, size: Int(b.size), io: self)
        }
        return r
    }()

    init(enumerated e: EnumeratedFunction, function: PCIFunction, host: EmulatorHost) {
        self.enumerated = e
        self.function = function
        self.host = host
        let a = e.address
        location = PCILocation(segment: a.segment, bus: a.bus, device: a.device, function: a.function)
        identity = PCIIdentity(vendorID: e.vendorID, deviceID: e.deviceID, subsystemVendorID: e.subsystemVendorID,
                               subsystemID: e.subsystemID, classCode: e.classCode, revision: e.revision)
        dmaEngine = EmulatedDMA(function: function, machine: host.machine)
        interrupts = HostInterrupts(device: self)
    }

    var address: PCIAddress { enumerated.address }
    private var machine: Machine { host.machine }

    // MARK: config space (through ECAM, as an OS on PCIe would)

    func configRead8(_ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: host.ecam.read(address, offset: offset, width: .byte)) }
    func configRead16(_ offset: Int) -> UInt16 { UInt16(truncatingIfNeeded: host.ecam.read(address, offset: offset, width: .word)) }
    func configRead32(_ offset: Int) -> UInt32 { host.ecam.read(address, offset: offset, width: .dword) }
    func configWrite8(_ offset: Int, _ value: UInt8) { host.ecam.write(address, offset: offset, width: .byte, value: UInt32(value)) }
    func configWrite16(_ offset: Int, _ value: UInt16) { host.ecam.write(address, offset: offset, width: .word, value: UInt32(value)) }
    func configWrite32(_ offset: Int, _ value: UInt32) { host.ecam.write(address, offset: offset, width: .dword, value: value) }

    func enable(_ features: CommandFeatures) { configWrite16(0x04, configRead16(0x04) | features.rawValue) }
    func disable(_ features: CommandFeatures) { configWrite16(0x04, configRead16(0x04) & ~features.rawValue) }

    // MARK: BARs

    func region(_ index: Int) -> DeviceRegion? { regions[index] }

    private func target(_ bar: Int, _ offset: Int, _ width: RegisterWidth, write: Bool) -> (AssignedBAR, AccessWidth)? {
        guard let b = enumerated.bars.first(where: { $0.index == bar }) else {
            function.finding(.accessOutOfRange, "\(write ? "write" : "read") of BAR\(bar), which the function does not have")
            return nil
        }
        let w = AccessWidth(rawValue: width.rawValue)!
        if !b.kind.isMemory && w == .qword {
            function.finding(.accessWidth, "64-bit access to I/O BAR\(bar): I/O space takes 8, 16 or 32-bit accesses")
            return nil
        }
        guard offset >= 0, UInt64(offset) + UInt64(w.bytes) <= b.size else {
            function.finding(.accessOutOfRange, "\(write ? "write" : "read")\(w) at BAR\(bar)+\(offset < 0 ? "-" : "")0x\(String(offset.magnitude, radix: 16)) is outside the \(b.size)-byte BAR")
            return nil
        }
        return (b, w)
    }

    func read(bar: Int, offset: Int, width: RegisterWidth) -> UInt64 {
        guard let (b, w) = target(bar, offset, width, write: false) else { return AccessWidth(rawValue: width.rawValue)!.mask }
        let v = b.kind.isMemory ? machine.mmioRead(b.base + UInt64(offset), width: w) : machine.ioRead(b.base + UInt64(offset), width: w)
        host.cpu.stall(for: function.timing.readLatency)
        return v
    }

    func write(bar: Int, offset: Int, width: RegisterWidth, value: UInt64) {
        guard let (b, w) = target(bar, offset, width, write: true) else { return }
        if b.kind.isMemory { machine.mmioWrite(b.base + UInt64(offset), width: w, value: value) }
        else { machine.ioWrite(b.base + UInt64(offset), width: w, value: value) }
        host.cpu.stall(for: function.timing.writeLatency)
    }

    func barrier(bar: Int) {
        // Memory on the emulator host is coherent and accesses are in program order: a barrier has no
        // effect on the data, but it is part of the driver's observable behaviour.
        machine.log.record(.barrier(address, bar: UInt8(truncatingIfNeeded: bar)))
    }

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
