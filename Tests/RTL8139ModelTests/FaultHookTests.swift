import BoxlessPlatform
import NICCore
import Testing
@testable import RTL8139Model

/// A fault injector that answers the device hooks from scripts, in order, and records the sites.
final class ScriptedFaults: FaultInjector, DeviceFaultHooks {
    var rx: [RxFrameFault] = [], tx: [TxFrameFault] = [], writebacks: [WritebackFault] = []
    var writebackSites: [WritebackSite] = []
    func rxFrame(_ site: FrameSite) -> RxFrameFault { rx.isEmpty ? .none : rx.removeFirst() }
    func txFrame(_ site: FrameSite) -> TxFrameFault { tx.isEmpty ? .none : tx.removeFirst() }
    func descriptorWriteback(_ site: WritebackSite) -> WritebackFault {
        writebackSites.append(site)
        return writebacks.isEmpty ? .none : writebacks.removeFirst()
    }
}

@Suite struct RTL8139FaultHookTests {
    func rig(_ chip: RTL8139Chip = .rtl8139c) -> (Rig, ScriptedFaults) {
        let rig = Rig(chip)
        let f = ScriptedFaults()
        rig.m.faults = f
        return (rig, f)
    }

    /// rxFrame: .fcsError counts CRC, .runt RUNT, .jabber LONG, .fifoOverflow MPC/MissPkt with
    /// ISR.FOVW; none of them reaches the ring; the next frame does.
    @Test func receiveFaultsAreCountedWhereTheChipCountsThem() {
        let (rig, f) = rig()
        let ring = rig.cModeReceive()
        rig.w16(0x3C, 0xFFFF)
        f.rx = [.fcsError, .runt, .jabber, .fifoOverflow]
        for i in 0..<5 { rig.send(Rig.frame(i, 200)) }
        #expect(rig.counter("CRC") == 1 && rig.counter("RUNT") == 1 && rig.counter("LONG") == 1)
        #expect(rig.counter("MPC") == 1 && rig.counter("MissPkt") == 1)
        #expect(rig.r32(0x4C) == 1)                          // MPC register
        #expect(rig.r16(0x3E) & 0x40 != 0)                   // FOVW
        #expect(rig.counter("RxOk") == 1)
        #expect((0..<200).map { ring.load(fromByteOffset: 4 + $0, as: UInt8.self) } == Rig.frame(4, 200))
        #expect(rig.dev.droppedTotal == 4)
    }

    /// With RCR.AER an injected FCS error is stored with the header's CRC bit, not counted as a drop.
    @Test func fcsErrorIsStoredWithAER() {
        let (rig, f) = rig()
        let ring = rig.cModeReceive(rcr: 1 << 5)
        f.rx = [.fcsError]
        rig.send(Rig.frame(0, 100))
        #expect(ring.load(as: UInt32.self) & 0xFFFF == 0x4004)   // PAM | CRC, no ROK
        #expect(rig.counter("CRC") == 0)
    }

    /// txFrame .hang: the frame and every later one stay queued (no OWN/TOK) until CR.RST.
    @Test func transmitHangLastsUntilReset() {
        let (rig, f) = rig()
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        rig.w8(0x37, 0x04)
        f.tx = [.hang]
        rig.slot0(Rig.frame(0, 100))
        rig.run(.microseconds(200))
        #expect(catcher.frames.isEmpty)
        #expect(rig.r32(0x10) & 0xA000 == 0)
        rig.w8(0x37, 0x10)                                   // CR.RST
        rig.w8(0x37, 0x04)
        rig.slot0(Rig.frame(1, 100))
        rig.run(.microseconds(200))
        #expect(catcher.frames.map(\.bytes) == [Rig.frame(1, 100)])
    }

    /// The .txHang state fault does the same.
    @Test func txHangStateFault() {
        let (rig, _) = rig()
        let catcher = Catcher(rig.m); rig.peer.receiver = catcher
        rig.w8(0x37, 0x04)
        #expect(rig.dev.applyStateFault(.txHang))
        rig.slot0(Rig.frame(0, 100))
        rig.run(.microseconds(200))
        #expect(catcher.frames.isEmpty)
        #expect(!rig.dev.applyStateFault(.powerLoss))
    }

    /// descriptorWriteback .delay: the C+ descriptor (and ROK) come that much later.
    @Test func writebackDelay() {
        let (rig, f) = rig(.rtl8139cPlus)
        let (ring, _) = rig.cplusReceive()
        f.writebacks = [.delay(.microseconds(100))]
        Rig.frame(0, 100).withUnsafeBytes { _ = rig.peer.send($0) }
        rig.run(.microseconds(60))
        #expect(ring.load(as: UInt32.self) & 1 << 31 != 0)   // still the chip's
        #expect(rig.r16(0x3E) & 0x01 == 0)
        rig.run(.microseconds(100))
        #expect(ring.load(as: UInt32.self) & 1 << 31 == 0)
        #expect(rig.r16(0x3E) & 0x01 != 0)
        #expect(f.writebackSites.map(\.receive) == [true] && f.writebackSites.map(\.index) == [0])
    }

    /// .badLength and .badStatus reach the C-mode header; .badIndex moves CBR.
    @Test func hostileCModeHeader() {
        let (rig, f) = rig()
        let ring = rig.cModeReceive()
        f.writebacks = [.badLength(0x7FF0), .badStatus(0x3E), .badIndex(0x400)]
        rig.send(Rig.frame(0, 100))
        #expect(ring.load(as: UInt32.self) >> 16 == 0x7FF0)
        rig.send(Rig.frame(1, 100))
        #expect(ring.load(fromByteOffset: 108, as: UInt32.self) & 0xFF == 0x3E)
        rig.send(Rig.frame(2, 100))
        #expect(rig.r16(0x3A) == 0x400)
        #expect(f.writebackSites.map(\.index) == [0, 108, 216])
    }

    /// .badStatus and .badIndex on C+ receive descriptors.
    @Test func hostileCPlusDescriptors() {
        let (rig, f) = rig(.rtl8139cPlus)
        let (ring, _) = rig.cplusReceive()
        f.writebacks = [.badStatus(0xFF), .badIndex(3)]
        rig.send(Rig.frame(0, 100))
        #expect(ring.load(as: UInt32.self) >> 16 & 0xFF == 0xFF)
        rig.send(Rig.frame(1, 100))                          // into descriptor 1, head then moved to 3
        rig.send(Rig.frame(2, 100))
        #expect(ring.load(fromByteOffset: 32, as: UInt32.self) & 1 << 31 != 0)   // 2 skipped
        #expect(ring.load(fromByteOffset: 48, as: UInt32.self) & 1 << 31 == 0)   // 3 used
    }

    /// .linkDown(duration): link drops (MSR.LINKB, LinkChg), frames are ignored, it returns.
    @Test func linkDownForAWhile() {
        let (rig, _) = rig()
        _ = rig.cModeReceive()
        rig.w16(0x3E, 0xFFFF)
        #expect(rig.dev.applyStateFault(.linkDown(duration: .microseconds(500))))
        #expect(rig.r8(0x58) & 0x04 != 0)
        #expect(rig.r16(0x3E) & 0x20 != 0)
        rig.send(Rig.frame(0, 100))
        #expect(rig.dev.framesIgnoredWhileDisabled == 1)
        rig.run(.microseconds(500))
        #expect(rig.r8(0x58) & 0x04 == 0)
    }

    /// .linkFlap: down and up `count` times, ending up.
    @Test func linkFlaps() {
        let (rig, _) = rig()
        var states: [Bool] = []
        #expect(rig.dev.applyStateFault(.linkFlap(count: 2, period: .microseconds(100))))
        rig.run(.microseconds(25))
        for _ in 0..<8 { states.append(rig.r8(0x58) & 0x04 == 0); rig.run(.microseconds(50)) }
        #expect(states == [false, false, true, true, false, false, true, true])
    }

    /// .autonegFail: no link past the negotiation time until the fault ends.
    @Test func autonegotiationFails() {
        let (rig, _) = rig()
        #expect(rig.dev.applyStateFault(.autonegFail(duration: .milliseconds(1))))
        rig.run(.microseconds(500))
        #expect(rig.r8(0x58) & 0x04 != 0)
        #expect(rig.r16(0x68) == 0)                          // ANLPAR: no partner ability
        rig.run(.microseconds(700))
        #expect(rig.r8(0x58) & 0x04 == 0)
    }
}
