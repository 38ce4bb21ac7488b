import BoxlessPlatform

/// The Boxless exerciser: a synthetic PCIe function that proves the platform before real chips
/// (see `README.md` beside this file for its datasheet).
///
/// Timing (§4): reset completes 10 µs after CONTROL.RESET; a DMA transfer takes the bus transfer
/// time of its length at the function's ``BusTiming`` (PCIe 1.1 x1, 250 MB/s) plus a 200 ns setup and
/// a seeded jitter of 0–127 ns, so a different seed gives a different (still deterministic) run.
public final class ExerciserDevice: PCIDeviceModel {
    /// PCI vendor ID (0x1234: unassigned, used by test devices such as QEMU's `edu`).
    public static let vendorID: UInt16 = 0x1234
    /// PCI device ID.
    public static let deviceID: UInt16 = 0xB0C5
    /// Reset duration (§4).
    public static let resetTime = VirtualDuration.microseconds(10)
    /// Per-transfer DMA setup time (§4).
    public static let dmaSetup = VirtualDuration.nanoseconds(200)
    /// Number of MSI-X vectors.
    public static let msixVectors = 4

    public let name = "exerciser"
    private unowned var function: PCIFunction!
    private var ready = false
    private var control: UInt32 = 0
    private var isr: UInt32 = 0
    private var imr: UInt32 = 0
    private var dmaAddress: UInt64 = 0
    private var dmaOffset: UInt32 = 0
    private var dmaLength: UInt32 = 0
    private var dmaResult: UInt32 = 0
    private var dmaBusy = false
    private var dmaCount: UInt32 = 0
    private var timer: UInt32 = 0
    private var timerEvent: EventID?
    private var resetEvent: EventID?
    private var dmaEvent: EventID?
    private var vectorMap: UInt32 = 0x10
    private var doorbells: UInt32 = 0
    private var sram = [UInt8](repeating: 0, count: ExerciserRegister.sramSize)
    /// Serial number reported in the Device Serial Number extended capability.
    public let serialNumber: UInt64

    /// Creates an exerciser with a serial number.
    public init(serialNumber: UInt64 = 0x0B0C_5000_0000_0001) { self.serialNumber = serialNumber }

    public func buildConfigSpace() -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: Self.vendorID, deviceID: Self.deviceID, classCode: 0xFF_0000, revision: 1,
                                   subsystemVendorID: Self.vendorID, subsystemID: 0x0001, express: true)
        b.addBAR(0, .memory64(prefetchable: true), size: 16 * 1024, registers: ExerciserRegister.map, label: "registers and SRAM")
        b.addBAR(2, .memory32(prefetchable: false), size: 4096, rules: RegionAccessRules(minWidth: .dword, maxWidth: .qword), label: "MSI-X")
        b.addBAR(4, .io, size: 32, rules: .dwordOnly, registers: ExerciserRegister.portMap, label: "ports")
        b.setInterruptPin(1)
        b.addPowerManagement()
        b.addMSI(vectors: 4, is64Bit: true, perVectorMasking: true)
        b.addMSIX(tableSize: Self.msixVectors, tableBAR: 2, tableOffset: 0, pbaBAR: 2, pbaOffset: 0x800)
        b.addPCIExpress(maxLinkSpeed: 1, maxLinkWidth: 1)
        var dsn: [UInt8] = []
        for i in 0..<8 { dsn.append(UInt8(truncatingIfNeeded: serialNumber >> (8 * UInt64(i)))) }
        b.addExtendedCapability(CapabilityID.extendedSerialNumber, version: 1, body: dsn)
        return b
    }

    public func attach(to function: PCIFunction) { self.function = function }

    public func reset() {
        if let e = timerEvent { function.cancel(e) }
        if let e = resetEvent { function.cancel(e) }
        if let e = dmaEvent { function.cancel(e); dmaEvent = nil }
        control = 0; isr = 0; imr = 0; dmaAddress = 0; dmaOffset = 0; dmaLength = 0; dmaResult = 0
        dmaBusy = false; dmaCount = 0; timer = 0; timerEvent = nil; vectorMap = 0x10; doorbells = 0
        ready = true
        updateINTx()
    }

    // MARK: registers

    public func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        if bar == 4 {
            switch offset {
            case ExerciserRegister.portID: return 0xB0C5
            case ExerciserRegister.portDoorbellCount: return UInt64(doorbells)
            default: return 0
            }
        }
        if offset >= ExerciserRegister.sram {
            let o = Int(offset - ExerciserRegister.sram)
            var v: UInt64 = 0
            for i in 0..<width.bytes { v |= UInt64(sram[o + i]) << (8 * UInt64(i)) }
            return v
        }
        guard width == .dword else {
            function.finding(.accessWidth, "\(width)-bit read of register at BAR0+0x\(hexString(offset)): exerciser registers are 32-bit (§2)")
            return width.mask
        }
        switch offset {
        case ExerciserRegister.id: return UInt64(ExerciserRegister.idValue)
        case ExerciserRegister.scratch: return UInt64(scratch)
        case ExerciserRegister.status:
            return UInt64((ready ? ExerciserRegister.statusReady : 0) | (dmaBusy ? ExerciserRegister.statusDMABusy : 0))
        case ExerciserRegister.control: return UInt64(control)
        case ExerciserRegister.isr: return UInt64(isr)
        case ExerciserRegister.imr: return UInt64(imr)
        case ExerciserRegister.dmaAddressLow: return dmaAddress & 0xFFFF_FFFF
        case ExerciserRegister.dmaAddressHigh: return dmaAddress >> 32
        case ExerciserRegister.dmaOffset: return UInt64(dmaOffset)
        case ExerciserRegister.dmaLength: return UInt64(dmaLength)
        case ExerciserRegister.dmaResult: return UInt64(dmaResult)
        case ExerciserRegister.timer: return UInt64(timer)
        case ExerciserRegister.dmaCount:
            defer { dmaCount = 0 }
            return UInt64(dmaCount)
        case ExerciserRegister.vectorMap: return UInt64(vectorMap)
        default: return 0
        }
    }

    private var scratch: UInt32 = 0

    public func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        if bar == 4 {
            if offset == ExerciserRegister.portDoorbell { doorbells &+= 1 }
            return
        }
        if offset >= ExerciserRegister.sram {
            let o = Int(offset - ExerciserRegister.sram)
            for i in 0..<width.bytes { sram[o + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            return
        }
        guard width == .dword else {
            function.finding(.accessWidth, "\(width)-bit write to register at BAR0+0x\(hexString(offset)): exerciser registers are 32-bit (§2)")
            return
        }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case ExerciserRegister.scratch: scratch = v
        case ExerciserRegister.control:
            if v & ~(ExerciserRegister.controlReset | ExerciserRegister.controlIRQEnable) != 0 {
                function.strictFinding(ExerciserRule.controlReserved, "0x\(hexString(UInt64(v)))")
            }
            if v & ExerciserRegister.controlReset != 0 { startReset(); return }
            control = v & ExerciserRegister.controlIRQEnable
            updateINTx()
        case ExerciserRegister.isr:
            isr &= ~v
            updateINTx()
        case ExerciserRegister.imr:
            let newly = v & ~imr & isr
            imr = v
            updateINTx()
            if newly != 0 { signal(newly) }
        case ExerciserRegister.dmaAddressLow: dmaAddress = dmaAddress & ~0xFFFF_FFFF | UInt64(v)
        case ExerciserRegister.dmaAddressHigh: dmaAddress = dmaAddress & 0xFFFF_FFFF | UInt64(v) << 32
        case ExerciserRegister.dmaOffset: dmaOffset = v
        case ExerciserRegister.dmaLength: dmaLength = v
        case ExerciserRegister.dmaCommand:
            if v & ExerciserRegister.commandStart != 0 { startDMA(toMemory: v & ExerciserRegister.commandToMemory != 0) }
        case ExerciserRegister.timer:
            timer = v
            if let e = timerEvent { function.cancel(e); timerEvent = nil }
            if v != 0 {
                timerEvent = function.schedule(after: .microseconds(UInt64(v))) { [unowned self] in
                    self.timerEvent = nil
                    self.raise(ExerciserRegister.causeTimer)
                }
            }
        case ExerciserRegister.vectorMap: vectorMap = v & 0xFF
        default: break
        }
    }

    // MARK: behaviour

    private func startReset() {
        ready = false
        if let e = timerEvent { function.cancel(e); timerEvent = nil }
        // A reset aborts a transfer in flight (§2.4).
        if let e = dmaEvent { function.cancel(e); dmaEvent = nil; dmaBusy = false }
        control = 0; isr = 0; imr = 0; timer = 0
        updateINTx()
        resetEvent = function.schedule(after: Self.resetTime) { [unowned self] in
            self.resetEvent = nil
            self.ready = true
            self.function.note("reset complete")
        }
    }

    private func startDMA(toMemory: Bool) {
        guard ready else {
            function.strictFinding(ExerciserRule.startBeforeReady)
            return
        }
        guard !dmaBusy else {
            function.strictFinding(ExerciserRule.startWhileBusy)
            return
        }
        let len = Int(dmaLength), off = Int(dmaOffset)
        guard len > 0, len <= ExerciserRegister.sramSize, off >= 0, off + len <= ExerciserRegister.sramSize else {
            function.strictFinding(ExerciserRule.dmaOutsideSRAM, "\(len) bytes at offset \(off)")
            dmaResult = 3
            raise(ExerciserRegister.causeDMAError)
            return
        }
        dmaBusy = true
        let jitter = VirtualDuration.nanoseconds(function.random.next() & 0x7F)
        let duration = Self.dmaSetup + function.timing.transferTime(bytes: len) + jitter
        let address = BusAddress(dmaAddress)
        dmaEvent = function.schedule(after: duration) { [unowned self] in
            self.dmaEvent = nil
            let st: DMAStatus = self.sram.withUnsafeMutableBytes { s in
                let window = UnsafeMutableRawBufferPointer(rebasing: s[off..<off + len])
                return toMemory ? self.function.dmaWrite(address, from: UnsafeRawBufferPointer(window))
                                : self.function.dmaRead(address, into: window)
            }
            self.dmaBusy = false
            self.dmaCount &+= 1
            switch st {
            case .ok, .dropped: self.dmaResult = 0; self.raise(ExerciserRegister.causeDMADone)
            case .masterAbort: self.dmaResult = 1; self.raise(ExerciserRegister.causeDMAError)
            case .iommuFault: self.dmaResult = 2; self.raise(ExerciserRegister.causeDMAError)
            }
        }
    }

    private func raise(_ cause: UInt32) {
        let newly = cause & ~isr
        isr |= cause
        updateINTx()
        if newly & imr != 0 { signal(newly & imr) }
    }

    /// Edge-signals MSI/MSI-X for newly pending, enabled causes (§2.5).
    private func signal(_ causes: UInt32) {
        guard control & ExerciserRegister.controlIRQEnable != 0 else { return }
        switch function.activeInterruptKind {
        case .intx: break
        case .msi, .msix:
            var vectors = Set<Int>()
            if causes & (ExerciserRegister.causeDMADone | ExerciserRegister.causeDMAError) != 0 { vectors.insert(Int(vectorMap & 0xF)) }
            if causes & ExerciserRegister.causeTimer != 0 { vectors.insert(Int(vectorMap >> 4 & 0xF)) }
            for v in vectors.sorted() {
                if function.activeInterruptKind == .msix { function.signalMSIX(v) } else { function.signalMSI(v) }
            }
        }
    }

    /// INTx is level: asserted while an enabled cause is pending (§2.5).
    private func updateINTx() {
        function.setINTx(control & ExerciserRegister.controlIRQEnable != 0 && isr & imr != 0)
    }
}

/// The exerciser's strict-mode rules (its datasheet, DeviceModels/TestDevice/README.md).
public enum ExerciserRule: String, CaseIterable, StrictRule {
    case controlReserved, startBeforeReady, startWhileBusy, dmaOutsideSRAM
    /// `exerciser.` and the case name.
    public var id: String { "exerciser." + rawValue }
    public var summary: String {
        switch self {
        case .controlReserved: return "CONTROL written with reserved bits set"
        case .startBeforeReady: return "DMA_COMMAND.START written before STATUS.READY (reset still in progress)"
        case .startWhileBusy: return "DMA_COMMAND.START written while STATUS.DMA_BUSY is set"
        case .dmaOutsideSRAM: return "DMA does not fit the 4096-byte SRAM"
        }
    }
    public var reference: String {
        switch self {
        case .controlReserved, .startBeforeReady: return "exerciser §2.4"
        case .startWhileBusy, .dmaOutsideSRAM: return "exerciser §2.6"
        }
    }
}
