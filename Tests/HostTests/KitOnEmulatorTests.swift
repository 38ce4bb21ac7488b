import BoxlessPlatform
import BoxlessRunner
@testable import EmulatorHost
import NativeDriverKit
import Testing

@Suite struct KitOnEmulatorTests {
    @Test func hostPrefersTheMostSpecificMatch() throws {
        let (m, _) = try probeOnlyMachine()
        #expect(m.host.bound.map(\.driverName) == ["probe-only"])
        #expect(PCIMatch.device(1, 2).specificity < ProbeOnlyDriver.matchTable[0].specificity)
        #expect(PCIMatch.pciClass(0x020000).matches(PCIIdentity(vendorID: 1, deviceID: 2, classCode: 0x020000)))
        #expect(!PCIMatch.pciClass(0x020000).matches(PCIIdentity(vendorID: 1, deviceID: 2, classCode: 0x010600)))
    }

    /// Bounded waits check the condition at the deadline itself and never wait past it.
    @Test func boundedWaitTimesOutExactlyAtTheDeadline() throws {
        let (m, d) = try probeOnlyMachine()
        var flag = false
        let t0 = m.machine.now
        m.machine.scheduler.schedule(at: t0 + .microseconds(10)) { flag = true }
        // Deadline one picosecond short of the event: times out, at the deadline.
        let early = m.host.onCPU { d.context.wait(until: { flag }, timeout: .nanoseconds(10_000) - .nanoseconds(0.001), interval: .microseconds(3)) }
        #expect(!early)
        #expect(m.machine.now == t0 + .picoseconds(9_999_999))
        // Deadline exactly at the event: succeeds, at the deadline.
        let onTime = m.host.onCPU { d.context.wait(until: { flag }, timeout: .nanoseconds(0.001), interval: .microseconds(3)) }
        #expect(onTime)
        #expect(m.machine.now == t0 + .microseconds(10))
    }

    @Test func timersFireOnTimeRepeatAndCancel() throws {
        let (m, d) = try probeOnlyMachine()
        let t0 = d.context.now
        var oneShot: [Instant] = [], periodic: [Instant] = []
        m.host.onCPU {
            _ = d.context.startTimer(after: .microseconds(5)) { oneShot.append(d.context.now) }
            let p = d.context.startTimer(after: .microseconds(1), repeating: .microseconds(2)) { periodic.append(d.context.now) }
            let c = d.context.startTimer(after: .microseconds(3)) { Issue.record("cancelled timer fired") }
            c.cancel()
            _ = d.context.startTimer(after: .microseconds(6)) { p.cancel() }
        }
        m.machine.scheduler.runUntilIdle()
        #expect(oneShot == [t0 + .microseconds(5)])
        #expect(periodic == [1, 3, 5].map { t0 + .microseconds($0) })
    }

    @Test func timersDoNotInterruptDriverCode() throws {
        let (m, d) = try probeOnlyMachine()
        var order: [String] = []
        m.host.onCPU {
            _ = d.context.startTimer(after: .microseconds(1)) { order.append("timer") }
            d.context.delay(.microseconds(5))       // the timer comes due meanwhile but must wait
            order.append("after delay")
        }
        m.machine.scheduler.runUntilIdle()
        #expect(order == ["after delay", "timer"])
    }

    @Test func deferredWorkRunsOnceAfterTheCurrentCallback() throws {
        let (m, d) = try probeOnlyMachine()
        var runs = 0
        let w = d.context.makeDeferredWork(name: "bh") { runs += 1 }
        m.host.onCPU { w.schedule(); w.schedule(); #expect(w.isScheduled); #expect(runs == 0) }
        m.machine.scheduler.runUntilIdle()
        #expect(runs == 1 && !w.isScheduled)
    }

    @Test func coherentAndStreamingDMAFollowOwnershipRules() throws {
        let (m, d) = try probeOnlyMachine()
        m.host.onCPU {
            let c = try! d.device.dma.allocateCoherent(size: 256, alignment: 64)
            c.store32(0, 0xDEAD_BEEF)
            #expect(c.load32(0) == 0xDEAD_BEEF)
            #expect(c.busAddress.rawValue >= 1 << 32)     // IOVAs above 4 GiB by default
            let s = try! d.device.dma.allocateStreaming(size: 128)
            s.store8(0, 1)                                 // CPU-owned: fine
            _ = try! d.device.dma.map(s, direction: .fromDevice)
            s.store8(0, 2)                                 // device-owned: finding
            d.device.dma.syncForCPU(s)
            #expect(s.load8(0) == 2)                       // synced: fine
            d.device.dma.unmap(s)
            d.device.dma.free(s)
            _ = s.load8(0)                                 // after free: finding
            _ = c.load32(252)                              // in bounds: fine
            _ = c.load32(254)                              // out of bounds: finding, all ones
            d.device.dma.free(c)
        }
        #expect(m.findingCodes == [.dmaCPUAccess, .dmaCPUAccess, .dmaCPUAccess])
    }

    @Test func leaksAtDetachAreFindings() throws {
        let (m, d) = try probeOnlyMachine()
        m.host.onCPU {
            _ = try! d.device.dma.allocateCoherent(size: 4096, alignment: 4096)
            _ = try! d.device.allocateInterrupts(InterruptRequest(modes: [.msi]))
            _ = d.context.startTimer(after: .seconds(1)) {}
        }
        m.host.detachAll()
        #expect(m.findingCodes == [.dmaLeak, .resourceLeak, .resourceLeak])
    }

    @Test func badRegisterAccessesAreFindingsAndTheRunGoesOn() throws {
        let (m, d) = try probeOnlyMachine()
        let v: (UInt32, UInt64, UInt32) = m.host.onCPU {
            d.device.enable([.memorySpace, .ioSpace, .busMaster])
            let r = d.device.region(0)!, io = d.device.region(4)!
            let a = r.read32(0x10_0000)                   // beyond the 16 KiB BAR
            let b = io.read64(0)                           // 64-bit I/O access
            r.write32(0x000, 0x1234)                       // ID is read-only
            _ = r.read16(0x004)                            // registers are 32-bit (model rule)
            return (a, b, r.read32(0x000))                 // still works
        }
        #expect(v.0 == 0xFFFF_FFFF && v.1 == UInt64.max && v.2 == 0xB0C5_0001)
        #expect(m.findingCodes == [.accessOutOfRange, .accessWidth, .accessReadOnly, .accessWidth])
    }

    @Test func interruptFallbackOrderAndStormDetection() throws {
        let (m, d) = try probeOnlyMachine()
        var calls = 0
        m.host.onCPU {
            d.device.enable([.memorySpace, .busMaster])
            let a = try! d.device.allocateInterrupts(InterruptRequest(modes: [.intx, .msix]))
            #expect(a == InterruptAllocation(mode: .intx, vectorCount: 1))
            // A handler that never claims its interrupt, while the device holds INTx asserted.
            try! d.device.attachInterrupt(vector: 0, name: "deaf") { calls += 1; return .notMine }
            let r = d.device.region(0)!
            r.write32(0x014, 0x2)        // IMR: TIMER
            r.write32(0x00C, 0x2)        // CONTROL: IRQ_ENABLE
            r.write32(0x030, 1)          // TIMER: 1 µs
        }
        m.machine.scheduler.runUntilIdle(maxEvents: 100_000)
        #expect(calls == 1000)
        #expect(m.findingCodes == [.interruptStorm])
        m.host.onCPU { d.device.freeInterrupts() }
    }

    @Test func msixIsProgrammedAndDeliveredToTheRightVector() throws {
        let (m, d) = try probeOnlyMachine()
        var hits: [Int] = []
        m.host.onCPU {
            d.device.enable([.memorySpace, .busMaster])
            let a = try! d.device.allocateInterrupts(InterruptRequest(modes: [.msix, .msi], minimumVectors: 2, maximumVectors: 2))
            #expect(a == InterruptAllocation(mode: .msix, vectorCount: 2))
            try! d.device.attachInterrupt(vector: 0, name: "v0") { hits.append(0); return .handled }
            try! d.device.attachInterrupt(vector: 1, name: "v1") { hits.append(1); d.device.region(0)!.write32(0x010, 0x2); return .handled }
            let r = d.device.region(0)!
            r.write32(0x040, 0x10)       // VECTOR_MAP: timer on vector 1
            r.write32(0x014, 0x2)
            r.write32(0x00C, 0x2)
            d.device.maskInterrupt(vector: 1)
            r.write32(0x030, 2)
        }
        m.machine.scheduler.runUntilIdle()
        #expect(hits == [])                             // masked: pending in the PBA
        m.host.onCPU { d.device.unmaskInterrupt(vector: 1) }
        m.machine.scheduler.runUntilIdle()
        #expect(hits == [1])
        m.host.onCPU { d.device.freeInterrupts() }
        #expect(m.findingCodes == [])
    }
}
