import NativeDriverKit

/// Driver for the Boxless exerciser: a tiny block device (8 × 512-byte blocks) over the device's
/// SRAM, moved by its DMA engine. It uses every part of the kit: config space and capabilities,
/// memory and I/O BARs, coherent and streaming DMA, MSI-X/MSI/INTx with fallback, a bottom half,
/// timers, bounded waits, and the block class interface.
///
/// Parameters: `interrupts` = `msix` | `msi` | `intx` | `auto` (default `auto`: MSI-X, then MSI,
/// then INTx); `timeout_us` = per-request watchdog in microseconds (default 1000).
public final class ExerciserDriver: PCIDriver, BlockDevice {
    public static let name = "exerciser"
    public static let matchTable: [PCIMatch] = [.device(0x1234, 0xB0C5)]

    /// Bytes per block.
    public static let blockSize = 512
    private let device: any PCIDevice
    private let context: any DriverContext
    private let regs: DeviceRegion
    private let ports: DeviceRegion
    private let bounce: DMABuffer
    /// The interrupt mode in use.
    public let interruptMode: InterruptMode
    private var bottomHalf: (any DeferredWork)!
    private var client: (any BlockClient)?
    private var queue: [BlockRequest] = []
    private var active: (request: BlockRequest, streaming: DMABuffer?)?
    private var watchdog: (any DriverTimer)?
    private let timeout: Duration
    /// Requests failed by the watchdog.
    public private(set) var timeouts = 0
    /// DMA errors the device reported.
    public private(set) var dmaErrors = 0

    public var geometry: BlockGeometry {
        BlockGeometry(blockSize: Self.blockSize, blockCount: 8, maximumQueueDepth: 8, maximumBlocksPerRequest: 8)
    }

    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device
        self.context = context
        guard let r = device.region(0), r.kind == .memory, let p = device.region(4), p.kind == .io else {
            throw .unsupportedDevice("exerciser without its memory BAR0 and I/O BAR4")
        }
        regs = r; ports = p
        timeout = .microseconds(Int(context.parameter("timeout_us") ?? "") ?? 1000)
        device.enable([.memorySpace, .ioSpace, .busMaster])
        guard regs.read32(Reg.id) == Bits.idValue, ports.read32(Reg.portID) == 0xB0C5 else {
            device.disable([.memorySpace, .ioSpace, .busMaster])
            throw .unsupportedDevice("exerciser ID register reads 0x\(String(regs.read32(Reg.id), radix: 16))")
        }
        // Reset and wait for READY (§2.4: 10 µs); bounded, as every wait must be.
        regs.write32(Reg.control, Bits.controlReset)
        let regs = self.regs
        guard context.wait(until: { regs.read32(Reg.status) & Bits.statusReady != 0 }, timeout: .microseconds(100)) else {
            device.disable([.memorySpace, .ioSpace, .busMaster])
            throw .timeout("exerciser did not become READY within 100 µs of reset")
        }
        do { bounce = try device.dma.allocateCoherent(size: 4096, alignment: 64) } catch {
            device.disable([.memorySpace, .ioSpace, .busMaster])
            throw error
        }
        let modes: [InterruptMode]
        switch context.parameter("interrupts") ?? "auto" {
        case "msix": modes = [.msix]
        case "msi": modes = [.msi]
        case "intx": modes = [.intx]
        default: modes = [.msix, .msi, .intx]
        }
        let alloc: InterruptAllocation
        do { alloc = try device.allocateInterrupts(InterruptRequest(modes: modes, minimumVectors: 1, maximumVectors: 2)) } catch {
            device.dma.free(bounce)
            device.disable([.memorySpace, .ioSpace, .busMaster])
            throw error
        }
        interruptMode = alloc.mode
        bottomHalf = context.makeDeferredWork(name: "exerciser-bh") { [unowned self] in self.complete() }
        do {
            try device.attachInterrupt(vector: 0, name: "exerciser-dma") { [unowned self] in self.interrupt() }
            if alloc.vectorCount > 1 {
                try device.attachInterrupt(vector: 1, name: "exerciser-timer") { [unowned self] in self.interrupt() }
            }
        } catch {
            device.freeInterrupts(); device.dma.free(bounce)
            device.disable([.memorySpace, .ioSpace, .busMaster])
            throw error
        }
        // DMA causes on vector 0, the timer on vector 1 if there is one (§2.5).
        regs.write32(Reg.vectorMap, alloc.vectorCount > 1 ? 0x10 : 0x00)
        regs.write32(Reg.imr, Bits.causeDMADone | Bits.causeDMAError | Bits.causeTimer)
        regs.write32(Reg.control, Bits.controlIRQEnable)
        context.log(.info, "exerciser ready: \(alloc.mode) with \(alloc.vectorCount) vector(s), DSN capability at \(device.findExtendedCapability(0x0003).map { "0x\(String($0, radix: 16))" } ?? "none")")
    }

    public func remove() {
        regs.write32(Reg.imr, 0)
        regs.write32(Reg.control, 0)
        watchdog?.cancel()
        device.freeInterrupts()
        if let s = active?.streaming { device.dma.unmap(s); device.dma.free(s) }
        for r in queue + (active.map { [$0.request] } ?? []) {
            client?.completed(BlockCompletion(id: r.id, status: .deviceError("device removed")))
        }
        queue.removeAll(); active = nil
        device.dma.free(bounce)
        device.disable([.busMaster, .memorySpace, .ioSpace])
    }

    public func setClient(_ client: any BlockClient) { self.client = client }

    public func submit(_ request: BlockRequest) throws(DriverError) {
        let g = geometry
        switch request.operation {
        case .read, .write:
            guard request.blockCount > 0, request.lba + UInt64(request.blockCount) <= g.blockCount else {
                throw .invalidArgument("blocks \(request.lba)..<\(request.lba + UInt64(request.blockCount)) beyond \(g.blockCount)")
            }
            if request.operation == .write && request.data.count != request.blockCount * g.blockSize {
                throw .invalidArgument("write of \(request.data.count) bytes for \(request.blockCount) blocks")
            }
        case .flush: break
        }
        guard queue.count + (active == nil ? 0 : 1) < g.maximumQueueDepth else { throw .resourceUnavailable("queue full") }
        queue.append(request)
        ports.write32(Reg.portDoorbell, 1)
        if active == nil { startNext() }
    }

    private func startNext() {
        guard active == nil, !queue.isEmpty else { return }
        let r = queue.removeFirst()
        if r.operation == .flush {
            // SRAM has no cache: a flush completes at once, in order.
            client?.completed(BlockCompletion(id: r.id, status: .success))
            startNext()
            return
        }
        let len = r.blockCount * Self.blockSize
        var address = bounce.busAddress
        var streaming: DMABuffer?
        if r.operation == .write {
            // Writes go from a streaming buffer mapped to-device (as a network stack's skb would).
            do {
                let s = try device.dma.allocateStreaming(size: len)
                r.data.withUnsafeBytes { s.copyBytes(to: 0, from: $0) }
                address = try device.dma.map(s, direction: .toDevice)
                streaming = s
            } catch {
                client?.completed(BlockCompletion(id: r.id, status: .deviceError("\(error)")))
                startNext()
                return
            }
        }
        active = (r, streaming)
        regs.write32(Reg.dmaAddressLow, address.low32)
        regs.write32(Reg.dmaAddressHigh, address.high32)
        regs.write32(Reg.dmaOffset, UInt32(Int(r.lba) * Self.blockSize))
        regs.write32(Reg.dmaLength, UInt32(len))
        regs.barrier()
        regs.write32(Reg.dmaCommand, Bits.commandStart | (r.operation == .read ? Bits.commandToMemory : 0))
        watchdog = context.startTimer(after: timeout) { [unowned self] in self.timedOut() }
    }

    private var pendingCauses: UInt32 = 0

    private func interrupt() -> InterruptResult {
        let isr = regs.read32(Reg.isr)
        guard isr != 0 else { return .notMine }
        regs.write32(Reg.isr, isr)          // acknowledge (RW1C)
        pendingCauses |= isr
        bottomHalf.schedule()
        return .handled
    }

    private func complete() {
        let causes = pendingCauses
        pendingCauses = 0
        guard causes & (Bits.causeDMADone | Bits.causeDMAError) != 0, let (r, streaming) = active else { return }
        watchdog?.cancel()
        active = nil
        if let s = streaming { device.dma.unmap(s); device.dma.free(s) }
        if causes & Bits.causeDMAError != 0 {
            dmaErrors += 1
            let result = regs.read32(Reg.dmaResult)
            context.log(.warning, "DMA error \(result) on request \(r.id)")
            client?.completed(BlockCompletion(id: r.id, status: .deviceError("DMA_RESULT \(result)")))
        } else if r.operation == .read {
            let data = bounce.bytes(at: 0, count: r.blockCount * Self.blockSize)
            client?.completed(BlockCompletion(id: r.id, status: .success, data: data))
        } else {
            client?.completed(BlockCompletion(id: r.id, status: .success))
        }
        startNext()
    }

    private func timedOut() {
        guard let (r, streaming) = active else { return }
        timeouts += 1
        context.log(.error, "request \(r.id) timed out after \(timeout); resetting the device")
        active = nil
        if let s = streaming { device.dma.unmap(s); device.dma.free(s) }
        client?.completed(BlockCompletion(id: r.id, status: .deviceError("timeout")))
        // Recover: reset, wait for READY, re-arm interrupts.
        regs.write32(Reg.control, Bits.controlReset)
        let regs = self.regs
        if context.wait(until: { regs.read32(Reg.status) & Bits.statusReady != 0 }, timeout: .microseconds(100)) {
            regs.write32(Reg.imr, Bits.causeDMADone | Bits.causeDMAError | Bits.causeTimer)
            regs.write32(Reg.control, Bits.controlIRQEnable)
        } else {
            context.log(.error, "device did not come back from reset")
        }
        startNext()
    }

    /// Arms the device's timer to raise an interrupt after `microseconds` (exercises the second vector).
    public func armTimer(microseconds: UInt32) { regs.write32(Reg.timer, microseconds) }

    /// Sweeps the coherent bounce buffer `rounds` times with 32-bit stores and loads through the kit's
    /// accessors and returns a checksum (a benchmark of the DMA accessors' fast path).
    public func dmaSweep(rounds: Int) -> UInt64 {
        var sum: UInt64 = 0
        let b = bounce
        for r in 0..<rounds {
            var o = 0
            while o < 4096 {
                b.store32(o, UInt32(truncatingIfNeeded: o &+ r))
                o += 4
            }
            o = 0
            while o < 4096 {
                sum &+= UInt64(b.load32(o))
                o += 4
            }
        }
        return sum
    }

    /// Reads and writes SRAM through BAR0 directly (a PIO self-test); returns whether it read back.
    public func pioSelfTest() -> Bool {
        regs.write32(Reg.scratch, 0x5A5A_A5A5)
        return regs.read32(Reg.scratch) == 0x5A5A_A5A5
    }
}
