import BoxlessPlatform
import NativeDriverKit

/// One function's interrupts on the emulator host: allocation with the driver's fallback order,
/// programming MSI/MSI-X as an OS does (PCI Local Bus 3.0 §6.8), masking, and dispatch to handlers.
final class HostInterrupts {
    unowned(unsafe) let device: EmulatedPCIDevice
    private(set) var mode: InterruptMode?
    private(set) var count = 0
    private(set) var handlers: [Int: (name: String, body: () -> InterruptResult)] = [:]
    private var softwareMasked = Set<Int>()
    private var softwarePending = Set<Int>()
    private var baseVector: UInt32 = 0
    private var msiCap: Int?
    private var msixCap: Int?
    private var msixTable: (bar: Int, offset: Int)?
    private var stormWindowStart: [Int: VirtualTime] = [:]
    private var stormCount: [Int: Int] = [:]
    /// More deliveries than this to one vector within 1 ms of virtual time is a storm (10 M/s:
    /// beyond any real device with moderation or without).
    static let stormThreshold = 10_000

    init(device: EmulatedPCIDevice) { self.device = device }

    private var host: EmulatorHost { device.host }
    /// MSI/MSI-X message address: the x86 LAPIC window, destination CPU 0 (Intel SDM Vol. 3 §11.11.1).
    static let messageAddress: UInt64 = 0xFEE0_0000

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
                guard device.region(bir) != nil else { continue }
                msixCap = cap
                msixTable = (bir, off)
                baseVector = host.reserveVectors(n, for: device)
                // Enable with Function Mask set, program the entries (each stays masked until a handler
                // is attached), then clear Function Mask (the order Linux's msix_capability_init uses).
                device.enable(.memorySpace)
                device.configWrite16(cap + 2, device.configRead16(cap + 2) | MSIXCapabilityLayout.controlEnable | MSIXCapabilityLayout.controlFunctionMask)
                let r = device.region(bir)!
                for v in 0..<n {
                    let e = off + v * 16
                    r.write32(e + 12, MSIXCapabilityLayout.vectorControlMask)
                    r.write32(e, UInt32(truncatingIfNeeded: Self.messageAddress))
                    r.write32(e + 4, UInt32(truncatingIfNeeded: Self.messageAddress >> 32))
                    r.write32(e + 8, baseVector + UInt32(v))
                }
                device.configWrite16(cap + 2, device.configRead16(cap + 2) & ~MSIXCapabilityLayout.controlFunctionMask)
                softwareMasked = Set(0..<n)
                return granted(.msix, n)
            case .msi:
                guard let cap = device.findCapability(CapabilityID.msi) else { continue }
                let control = device.configRead16(cap + 2)
                let capable = 1 << Int(control >> 1 & 7)
                var n = 1
                while n * 2 <= min(capable, request.maximumVectors) { n *= 2 }
                guard n >= request.minimumVectors else { continue }
                msiCap = cap
                baseVector = host.reserveVectors(n, for: device, aligned: true)
                let is64 = control & (1 << 7) != 0
                device.configWrite32(cap + 4, UInt32(truncatingIfNeeded: Self.messageAddress))
                if is64 { device.configWrite32(cap + 8, 0) }
                device.configWrite16(cap + (is64 ? 0x0C : 0x08), UInt16(truncatingIfNeeded: baseVector))
                if control & (1 << 8) != 0 {   // per-vector masking: start masked
                    device.configWrite32(cap + (is64 ? 0x10 : 0x0C), UInt32.max)
                }
                // MME, then MSI Enable; INTx is disabled while MSI is in use (§6.8.1.3; Linux's pci_intx).
                let mme = UInt16(n.trailingZeroBitCount) << 4
                device.configWrite16(cap + 2, control & ~0x70 | mme | MSICapabilityLayout.controlEnable)
                device.configWrite16(ConfigHeader.command, device.configRead16(ConfigHeader.command) | ConfigHeader.commandInterruptDisable)
                softwareMasked = Set(0..<n)
                return granted(.msi, n)
            case .intx:
                guard device.configRead8(ConfigHeader.interruptPin) != 0, let line = device.function.intxLine else { continue }
                device.configWrite16(ConfigHeader.command, device.configRead16(ConfigHeader.command) & ~ConfigHeader.commandInterruptDisable)
                host.addToLine(line, device)
                softwareMasked = [0]
                return granted(.intx, 1)
            }
        }
        throw .resourceUnavailable("none of \(request.modes) is available with \(request.minimumVectors) vector(s)")
    }

    private func granted(_ m: InterruptMode, _ n: Int) -> InterruptAllocation {
        mode = m; count = n
        host.log(device, .info, "interrupts: \(m) with \(n) vector(s)")
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
        case .intx:
            if let line = device.function.intxLine { host.serviceLineSoon(line) }
        }
        if softwarePending.remove(v) != nil { post(v) }
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
            if let line = device.function.intxLine { host.removeFromLine(line, device) }
        }
        host.releaseVectors(of: device)
        handlers.removeAll()
        softwareMasked.removeAll(); softwarePending.removeAll()
        self.mode = nil; count = 0; msiCap = nil; msixCap = nil; msixTable = nil
    }

    /// A message for vector `v` arrived at the interrupt controller.
    func messageArrived(_ v: Int) {
        if softwareMasked.contains(v) { softwarePending.insert(v); return }
        post(v)
    }

    private func post(_ v: Int) {
        host.cpu.post(at: host.machine.now) { [unowned(unsafe) self] in self.run(v) }
    }

    private func run(_ v: Int) {
        guard let h = handlers[v] else {
            host.machine.log.finding(device.address, .driverError, "interrupt on vector \(v) with no handler attached")
            return
        }
        if stormCheck(v) { return }
        _ = h.body()
    }

    /// Runs the INTx handler if attached and unmasked; nil if not eligible.
    func runINTx() -> InterruptResult? {
        guard mode == .intx, !softwareMasked.contains(0), let h = handlers[0] else { return nil }
        return h.body()
    }

    /// Counts a delivery; true (and a finding, once) when `v` is storming.
    private func stormCheck(_ v: Int) -> Bool {
        let now = host.machine.now
        if let s = stormWindowStart[v], now - s < .milliseconds(1) {
            stormCount[v, default: 0] += 1
            if stormCount[v]! == Self.stormThreshold {
                host.machine.log.finding(device.address, .interruptStorm, "vector \(v) (\(handlers[v]?.name ?? "?")) fired \(Self.stormThreshold) times within 1 ms; further deliveries in this window are ignored")
            }
            return stormCount[v]! >= Self.stormThreshold
        }
        stormWindowStart[v] = now
        stormCount[v] = 1
        return false
    }

    var attachedCount: Int { handlers.count }
}
