import BoxlessPlatform
import NativeDriverKit

/// One function's interrupts on the QEMU host.
///
/// - MSI-X and MSI: each vector's message address points at its own 32-bit "doorbell" word in guest
///   RAM (owned by the host, not the driver), with a nonzero data value. A message is then an
///   ordinary DMA write QEMU performs into RAM; the scheduler reads the doorbells (one qtest `read`
///   per function), clears the words that are set and runs their handlers. Masking uses the
///   hardware masks (MSI-X Vector Control, MSI per-vector Mask Bits), so a message raised while
///   masked stays pending in the device (MSI-X PBA) and is delivered on unmask, as the kit promises;
///   MSI without per-vector masking keeps the doorbell set until the vector is unmasked. MSI grants
///   one vector (several would share one doorbell word).
/// - INTx: QEMU's IOAPIC inputs are intercepted (`irq_intercept_in ioapic`); the line's level comes
///   from `IRQ raise/lower` and the host runs every unmasked handler on the line while it is high.
final class QEMUInterrupts {
    unowned let device: QEMUPCIDevice
    let label: String
    private(set) var mode: InterruptMode?
    private(set) var count = 0
    private var handlers: [Int: (name: String, body: () -> InterruptResult)] = [:]
    private var softwareMasked = Set<Int>()
    private var msiCap: Int?
    private var msixCap: Int?
    private var msixTable: (bar: Int, offset: Int)?
    private(set) var doorbells: Range<UInt64>?
    private var stormWindowStart: [Int: Instant] = [:]
    private var stormCount: [Int: Int] = [:]
    /// Deliveries to one vector within 1 ms beyond which the host ignores it (a storm).
    static let stormThreshold = 10_000
    /// Bytes of one doorbell word (MSI and MSI-X messages are DWORD writes, PCI Local Bus 3.0 §6.8).
    static let doorbellSize = 4

    init(device: QEMUPCIDevice, label: String) { self.device = device; self.label = label }

    private var host: QEMUHost { device.host }

    /// The data value of vector `v`'s message (nonzero, so a written doorbell reads nonzero).
    static func messageData(_ v: Int) -> UInt32 { 0x100 | UInt32(v) }

    func allocate(_ request: InterruptRequest) throws(DriverError) -> InterruptAllocation {
        guard mode == nil else { throw .invalidState("interrupts already allocated (\(mode!)); free them first") }
        guard request.minimumVectors >= 1, request.maximumVectors >= request.minimumVectors else {
            throw .invalidArgument("interrupt vectors \(request.minimumVectors)...\(request.maximumVectors)")
        }
        for m in request.modes {
            switch m {
            case .msix:
                guard let cap = device.findCapability(CapabilityID.msix) else { continue }
                let size = Int(device.configRead16(cap + 2) & 0x7FF) + 1
                guard size >= request.minimumVectors else { continue }
                let n = min(size, request.maximumVectors)
                let table = device.configRead32(cap + 4)
                let bir = Int(table & 7), off = Int(table & ~7)
                guard let r = device.region(bir), r.kind == .memory else { continue }
                let bells = try doorbellMemory(n)
                msixCap = cap; msixTable = (bir, off)
                // Enable with Function Mask set, program every entry masked, then clear Function Mask
                // (PCI Local Bus 3.0 §6.8.2; the order Linux's msix_capability_init uses).
                device.enable(.memorySpace)
                device.configWrite16(cap + 2, device.configRead16(cap + 2) | MSIXCapabilityLayout.controlEnable | MSIXCapabilityLayout.controlFunctionMask)
                for v in 0..<n {
                    let e = off + v * Int(MSIXCapabilityLayout.entrySize)
                    let a = bells.lowerBound + UInt64(v * Self.doorbellSize)
                    r.write32(e + 12, MSIXCapabilityLayout.vectorControlMask)
                    r.write32(e, UInt32(truncatingIfNeeded: a))
                    r.write32(e + 4, UInt32(truncatingIfNeeded: a >> 32))
                    r.write32(e + 8, Self.messageData(v))
                }
                device.configWrite16(cap + 2, device.configRead16(cap + 2) & ~MSIXCapabilityLayout.controlFunctionMask)
                softwareMasked = Set(0..<n)
                return granted(.msix, n)
            case .msi:
                guard request.minimumVectors == 1, let cap = device.findCapability(CapabilityID.msi) else { continue }
                let control = device.configRead16(cap + 2)
                let bells = try doorbellMemory(1)
                msiCap = cap
                let is64 = control & (1 << 7) != 0
                device.configWrite32(cap + 4, UInt32(truncatingIfNeeded: bells.lowerBound))
                if is64 { device.configWrite32(cap + 8, UInt32(truncatingIfNeeded: bells.lowerBound >> 32)) }
                device.configWrite16(cap + (is64 ? 0x0C : 0x08), UInt16(Self.messageData(0)))
                if let (maskOff, _) = msiMaskOffsets(cap) { device.configWrite32(maskOff, 1) }
                // One message (MME 0), then MSI Enable; INTx off while MSI is in use (§6.8.1.3).
                device.configWrite16(cap + 2, control & ~0x70 | MSICapabilityLayout.controlEnable)
                device.configWrite16(ConfigHeader.command, device.configRead16(ConfigHeader.command) | ConfigHeader.commandInterruptDisable)
                softwareMasked = [0]
                return granted(.msi, 1)
            case .intx:
                guard device.configRead8(ConfigHeader.interruptPin) != 0, let line = device.gsi else { continue }
                device.configWrite16(ConfigHeader.command, device.configRead16(ConfigHeader.command) & ~ConfigHeader.commandInterruptDisable)
                host.addToLine(line, device)
                softwareMasked = [0]
                return granted(.intx, 1)
            }
        }
        throw .resourceUnavailable("none of \(request.modes) is available with \(request.minimumVectors) vector(s)")
    }

    private func doorbellMemory(_ n: Int) throws(DriverError) -> Range<UInt64> {
        guard let r = host.allocateGuestMemory(size: n * Self.doorbellSize, alignment: 64) else {
            throw .resourceUnavailable("no guest RAM for MSI doorbells")
        }
        host.zeroGuestMemory(r)
        doorbells = r
        return r
    }

    private func granted(_ m: InterruptMode, _ n: Int) -> InterruptAllocation {
        mode = m; count = n
        host.hostLog(label, .info, "interrupts: \(m) with \(n) vector(s)")
        return InterruptAllocation(mode: m, vectorCount: n)
    }

    func attach(vector: Int, name: String, _ handler: @escaping () -> InterruptResult) throws(DriverError) {
        guard mode != nil, (0..<count).contains(vector) else { throw .invalidArgument("vector \(vector) is not allocated") }
        guard handlers[vector] == nil else { throw .invalidState("vector \(vector) already has a handler (\(handlers[vector]!.name))") }
        handlers[vector] = (name, handler)
        unmask(vector)
    }

    func mask(_ v: Int) {
        guard let mode, (0..<count).contains(v), !softwareMasked.contains(v) else { return }
        softwareMasked.insert(v)
        switch mode {
        case .msix:
            if let (bar, off) = msixTable, let r = device.region(bar) { r.write32(off + v * 16 + 12, MSIXCapabilityLayout.vectorControlMask) }
        case .msi:
            if let cap = msiCap, let (maskOff, _) = msiMaskOffsets(cap) {
                device.configWrite32(maskOff, device.configRead32(maskOff) | 1 << UInt32(v))
            }
        case .intx: break
        }
    }

    func unmask(_ v: Int) {
        guard let mode, (0..<count).contains(v), softwareMasked.contains(v) else { return }
        softwareMasked.remove(v)
        switch mode {
        case .msix:
            if let (bar, off) = msixTable, let r = device.region(bar) { r.write32(off + v * 16 + 12, 0) }
        case .msi:
            if let cap = msiCap, let (maskOff, _) = msiMaskOffsets(cap) {
                device.configWrite32(maskOff, device.configRead32(maskOff) & ~(1 << UInt32(v)))
            }
        case .intx: break
        }
    }

    private func msiMaskOffsets(_ cap: Int) -> (Int, Int)? {
        let control = device.configRead16(cap + 2)
        guard control & (1 << 8) != 0 else { return nil }
        let is64 = control & (1 << 7) != 0
        return (cap + (is64 ? 0x10 : 0x0C), cap + (is64 ? 0x14 : 0x10))
    }

    func free() {
        guard let mode else { return }
        for v in 0..<count { mask(v) }
        switch mode {
        case .msix:
            if let cap = msixCap { device.configWrite16(cap + 2, device.configRead16(cap + 2) & ~MSIXCapabilityLayout.controlEnable) }
        case .msi:
            if let cap = msiCap { device.configWrite16(cap + 2, device.configRead16(cap + 2) & ~MSICapabilityLayout.controlEnable) }
        case .intx:
            if let line = device.gsi { host.removeFromLine(line, device) }
        }
        if let d = doorbells { host.releaseGuestMemory(d) }
        doorbells = nil
        handlers.removeAll()
        softwareMasked.removeAll()
        self.mode = nil; count = 0; msiCap = nil; msixCap = nil; msixTable = nil
    }

    var attachedCount: Int { handlers.count }

    // MARK: delivery (called by the host's scheduler, never inside driver code)

    /// Reads the doorbells and returns the vectors whose message arrived and that may run now;
    /// their doorbells are cleared.
    func collectMessages() -> [Int] {
        guard mode == .msi || mode == .msix, let bells = doorbells else { return [] }
        var words = [UInt8](repeating: 0, count: count * Self.doorbellSize)
        words.withUnsafeMutableBytes { host.guestRead(bells.lowerBound, into: $0) }
        var ready: [Int] = []
        for v in 0..<count {
            let o = v * Self.doorbellSize
            let w = UInt32(words[o]) | UInt32(words[o + 1]) << 8 | UInt32(words[o + 2]) << 16 | UInt32(words[o + 3]) << 24
            guard w != 0, !softwareMasked.contains(v) else { continue }
            if w != Self.messageData(v) { host.hostWarning(label, "MSI doorbell of vector \(v) holds 0x\(String(w, radix: 16)), expected 0x\(String(Self.messageData(v), radix: 16))") }
            host.qtestCall(()) { q throws(QEMUHostError) in try q.memoryWrite(bells.lowerBound + UInt64(o), bytes: 4, value: 0) }
            ready.append(v)
        }
        return ready
    }

    /// Runs vector `v`'s handler (storm-limited).
    func run(_ v: Int) {
        guard let h = handlers[v] else { host.hostWarning(label, "interrupt on vector \(v) with no handler attached"); return }
        let now = host.now
        if let s = stormWindowStart[v], now - s < .milliseconds(1) {
            stormCount[v, default: 0] += 1
            if stormCount[v]! == Self.stormThreshold {
                host.hostWarning(label, "vector \(v) (\(h.name)) fired \(Self.stormThreshold) times within 1 ms; ignored for the rest of the window")
            }
            if stormCount[v]! >= Self.stormThreshold { return }
        } else { stormWindowStart[v] = now; stormCount[v] = 1 }
        _ = h.body()
    }

    /// Runs the INTx handler if attached and unmasked; nil if not eligible.
    func runINTx() -> InterruptResult? {
        guard mode == .intx, !softwareMasked.contains(0), let h = handlers[0] else { return nil }
        return h.body()
    }
}
