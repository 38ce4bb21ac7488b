import BoxlessPlatform
import Testing
@testable import RTL8168Model

/// A fault plan stand-in: answers each hook point from a script, in order, then `.none`.
final class ScriptedFaults: FaultInjector, DeviceFaultHooks {
    var rx: [RxFrameFault] = []
    var tx: [TxFrameFault] = []
    var writeback: [WritebackFault] = []
    func rxFrame(_ site: FrameSite) -> RxFrameFault { rx.isEmpty ? .none : rx.removeFirst() }
    func txFrame(_ site: FrameSite) -> TxFrameFault { tx.isEmpty ? .none : tx.removeFirst() }
    func descriptorWriteback(_ site: WritebackSite) -> WritebackFault { writeback.isEmpty ? .none : writeback.removeFirst() }
}

extension ModelRig {
    /// An RX ring of `count` descriptors with `size`-byte buffers, RxConfig accepting everything
    /// addressed to the station, broadcast and multicast, and the receiver on.
    func rxRing(count: Int, size: Int = 2048, cplus: UInt16 = 0) -> (rp: UnsafeMutableRawPointer, buf: UInt64, bp: UnsafeMutableRawPointer) {
        let (ring, rp) = alloc(count * 16)
        let (buf, bp) = alloc(count * size)
        for i in 0..<count { post(rp, i, count: count, address: buf + UInt64(size * i), size: size) }
        w16(0xE0, cplus)
        w32(0xE8, UInt32(ring >> 32)); w32(0xE4, UInt32(truncatingIfNeeded: ring))
        w32(0x44, 0x0E); w8(0x37, 0x08)
        return (rp, buf, bp)
    }
    func post(_ rp: UnsafeMutableRawPointer, _ i: Int, count: Int, address: UInt64, size: Int) {
        rp.storeBytes(of: address, toByteOffset: 16 * i + 8, as: UInt64.self)
        rp.storeBytes(of: UInt32(0), toByteOffset: 16 * i + 4, as: UInt32.self)
        rp.storeBytes(of: UInt32(1 << 31) | (i == count - 1 ? 1 << 30 : 0) | UInt32(size), toByteOffset: 16 * i, as: UInt32.self)
    }
    func opts1(_ rp: UnsafeMutableRawPointer, _ i: Int) -> UInt32 { rp.load(fromByteOffset: 16 * i, as: UInt32.self) }
    func opts2(_ rp: UnsafeMutableRawPointer, _ i: Int) -> UInt32 { rp.load(fromByteOffset: 16 * i + 4, as: UInt32.self) }
    func counter(_ name: String) -> UInt64? { dev.counters.first { $0.name == name }?.value }
    func send(_ f: [UInt8]) { f.withUnsafeBytes { _ = peerPort.send($0) } }
    func frame(_ n: Int, length: Int = 100) -> [UInt8] {
        dev.macAddress + [2, 0, 0, 0, 0, 2, 0x88, 0xB5] + (0..<(length - 14)).map { UInt8(truncatingIfNeeded: $0 &+ n) }
    }
    var linkUp: Bool { r8(0x6C) & 0x02 != 0 }
}

/// IPv6 + TCP/UDP frames with the checksum computed here (RFC 8200 §8.1), independently of the model.
enum IPv6Frames {
    static func frame(to dst: [UInt8], proto: UInt8, payload: [UInt8], corrupt: Bool = false) -> [UInt8] {
        let l4Header = proto == 6 ? 20 : 8
        let l4Length = l4Header + payload.count
        var f = dst + [2, 0, 0, 0, 0, 2, 0x86, 0xDD]
        f += [0x60, 0, 0, 0, UInt8(l4Length >> 8), UInt8(l4Length & 0xFF), proto, 64]
        f += [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1]
        f += [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [2]
        if proto == 6 { f += [0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0] }
        else { f += [0x30, 0x39, 0x00, 0x35, UInt8(l4Length >> 8), UInt8(l4Length & 0xFF), 0, 0] }
        f += payload
        var s = UInt32(proto) + UInt32(l4Length)
        func add(_ b: ArraySlice<UInt8>) {
            var i = b.startIndex
            while i + 1 < b.endIndex { s += UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
            if i < b.endIndex { s += UInt32(b[i]) << 8 }
        }
        add(f[22..<54]); add(f[54...])
        while s > 0xFFFF { s = (s & 0xFFFF) + (s >> 16) }
        let c = ~UInt16(s), at = 54 + (proto == 6 ? 16 : 6)
        f[at] = UInt8(c >> 8); f[at + 1] = UInt8(c & 0xFF)
        if corrupt { f[f.count - 1] ^= 0x55 }
        return f
    }
}

@Suite("RTL8168 model: fault hooks, state faults, IPv6 checksum, jumbo limit, buffer posted twice")
struct RTL8168FaultAndOffloadTests {
    @Test("rx-frame faults: fcsError → CRC, runt → RUNT, jabber → RWT, fifoOverflow → MissPkt and FOVW")
    func rxFrameFaults() {
        let rig = ModelRig()
        let faults = ScriptedFaults()
        faults.rx = [.fcsError, .runt, .jabber, .fifoOverflow, .none]
        rig.m.faults = faults
        let (rp, _, _) = rig.rxRing(count: 8)
        for i in 0..<5 { rig.send(rig.frame(i)) }
        rig.run(.microseconds(100))
        #expect(rig.counter("CRC") == 1 && rig.counter("RUNT") == 1 && rig.counter("RWT") == 1)
        #expect(rig.counter("MissPkt") == 1 && rig.counter("RxEr") == 3 && rig.counter("RxOk") == 1)
        #expect(rig.r16(0x3E) & 0x40 != 0)                              // RxFIFOOver
        #expect(rig.dev.droppedTotal == 4)
        #expect(rig.opts1(rp, 0) & 1 << 31 == 0 && rig.opts1(rp, 1) & 1 << 31 != 0)
        #expect(rig.m.log.findings.isEmpty)
    }

    @Test("write-back faults: badLength, badStatus, badIndex and delay change the descriptor the driver sees")
    func writebackFaults() {
        let rig = ModelRig()
        let faults = ScriptedFaults()
        faults.writeback = [.badLength(0x123), .badStatus(0xFF), .badIndex(5), .delay(.microseconds(50))]
        rig.m.faults = faults
        let (rp, _, _) = rig.rxRing(count: 8)
        for i in 0..<3 { rig.send(rig.frame(i)) }
        rig.run(.microseconds(40))
        #expect(rig.opts1(rp, 0) & 0x3FFF == 0x123)
        #expect(rig.opts1(rp, 1) >> 16 & 0xFF == 0xFF)
        #expect(rig.opts1(rp, 2) & 0x3FFF == 104 && rig.opts1(rp, 2) & 1 << 31 == 0)
        rig.w16(0x3E, 0xFFFF)
        rig.send(rig.frame(3))
        rig.run(.microseconds(10))
        #expect(rig.opts1(rp, 3) & 1 << 31 != 0)                        // badIndex: descriptor 3 skipped
        #expect(rig.opts1(rp, 5) & 1 << 31 != 0)                        // delayed write-back not yet done
        #expect(rig.r16(0x3E) & 0x01 == 0)
        rig.run(.microseconds(60))
        #expect(rig.opts1(rp, 5) & 1 << 31 == 0 && rig.opts1(rp, 5) & 0x3FFF == 104)
        #expect(rig.r16(0x3E) & 0x01 != 0)                              // ROK follows the write-back
    }

    /// A TX ring of 4 descriptors, each with its own 2 KiB buffer holding a 60-byte frame.
    func txRing(_ rig: ModelRig) -> UnsafeMutableRawPointer {
        let (ring, rp) = rig.alloc(4 * 16)
        let (buf, bp) = rig.alloc(4 * 2048)
        for i in 0..<4 {
            let f = rig.frame(i, length: 60)
            for (k, b) in f.enumerated() { bp.storeBytes(of: b, toByteOffset: 2048 * i + k, as: UInt8.self) }
            rp.storeBytes(of: buf + UInt64(2048 * i), toByteOffset: 16 * i + 8, as: UInt64.self)
        }
        rig.w32(0x24, UInt32(ring >> 32)); rig.w32(0x20, UInt32(truncatingIfNeeded: ring))
        rig.w8(0x37, 0x04)
        return rp
    }
    func postTx(_ rp: UnsafeMutableRawPointer, _ i: Int) {
        rp.storeBytes(of: UInt32(1 << 31 | 1 << 29 | 1 << 28) | (i == 3 ? 1 << 30 : 0) | 60, toByteOffset: 16 * i, as: UInt32.self)
    }

    @Test("tx-frame hang: nothing more leaves and descriptors stay owned until ChipCmd.RST")
    func txHangHook() {
        let rig = ModelRig()
        let faults = ScriptedFaults()
        faults.tx = [.none, .hang]
        rig.m.faults = faults
        let rp = txRing(rig)
        for i in 0..<3 { postTx(rp, i) }
        rig.w8(0x38, 0x40)
        rig.run(.microseconds(50))
        #expect(rig.wire.count == 1)
        #expect(rig.opts1(rp, 0) & 1 << 31 == 0 && rig.opts1(rp, 1) & 1 << 31 != 0 && rig.opts1(rp, 2) & 1 << 31 != 0)
        rig.w8(0x38, 0x40)
        rig.run(.microseconds(50))
        #expect(rig.wire.count == 1)
        rig.w8(0x37, 0x10); rig.run(.microseconds(5))                  // ChipCmd.RST
        rig.w8(0x37, 0x04)
        postTx(rp, 0)
        rig.w8(0x38, 0x40)
        rig.run(.microseconds(50))
        #expect(rig.wire.count == 4)                                     // 0 again, then 1 and 2 still owned
    }

    @Test("state faults: linkDown for a while, linkFlap, autonegFail, txHang; others not applicable")
    func stateFaults() {
        let rig = ModelRig()
        #expect(rig.linkUp)
        #expect(rig.dev.applyStateFault(.linkDown(duration: .milliseconds(1))))
        #expect(!rig.linkUp && rig.r16(0x3E) & 0x20 != 0)
        rig.run(.microseconds(900)); #expect(!rig.linkUp)
        rig.run(.microseconds(300)); #expect(rig.linkUp)                 // 1 ms + 100 µs negotiation

        #expect(rig.dev.applyStateFault(.linkFlap(count: 2, period: .milliseconds(1))))
        var seen: [Bool] = [rig.linkUp]
        for _ in 0..<50 { rig.run(.microseconds(100)); seen.append(rig.linkUp) }
        let downs = zip(seen, seen.dropFirst()).filter { $0.0 && !$0.1 }.count
        let ups = zip(seen, seen.dropFirst()).filter { !$0.0 && $0.1 }.count
        #expect(downs == 2 && ups == 2 && seen.last == true)

        #expect(rig.dev.applyStateFault(.autonegFail(duration: .milliseconds(2))))
        #expect(!rig.linkUp)
        rig.phyWrite(0, 0x1200)                                           // restart AN: still fails
        rig.run(.milliseconds(1)); #expect(!rig.linkUp)
        rig.run(.microseconds(1200)); #expect(rig.linkUp)

        let rp = txRing(rig)
        #expect(rig.dev.applyStateFault(.txHang))
        postTx(rp, 0); rig.w8(0x38, 0x40); rig.run(.microseconds(50))
        #expect(rig.wire.isEmpty && rig.opts1(rp, 0) & 1 << 31 != 0)
        #expect(!rig.dev.applyStateFault(.powerLoss))
    }

    @Test("IPv6 receive checksum: V6F, PID TCP/UDP, TCPF/UDPF on a bad checksum; IPv4 sets V4F")
    func ipv6Checksum() {
        let rig = ModelRig()
        let (rp, _, _) = rig.rxRing(count: 8, cplus: 1 << 5)
        let mac = rig.dev.macAddress
        rig.send(IPv6Frames.frame(to: mac, proto: 6, payload: Array(0..<77)))
        rig.send(IPv6Frames.frame(to: mac, proto: 17, payload: Array(0..<33)))
        rig.send(IPv6Frames.frame(to: mac, proto: 6, payload: Array(0..<77), corrupt: true))
        rig.send(IPv6Frames.frame(to: mac, proto: 17, payload: Array(0..<33), corrupt: true))
        rig.send(rig.frame(9))
        rig.run(.microseconds(100))
        let pid: UInt32 = 3 << 17, fails: UInt32 = 7 << 14
        #expect((0..<4).allSatisfy { rig.opts2(rp, $0) & 1 << 31 != 0 && rig.opts2(rp, $0) & 1 << 30 == 0 })
        #expect(rig.opts1(rp, 0) & pid == 1 << 17 && rig.opts1(rp, 0) & fails == 0)
        #expect(rig.opts1(rp, 1) & pid == 1 << 18 && rig.opts1(rp, 1) & fails == 0)
        #expect(rig.opts1(rp, 2) & pid == 1 << 17 && rig.opts1(rp, 2) & fails == 1 << 14)
        #expect(rig.opts1(rp, 3) & pid == 1 << 18 && rig.opts1(rp, 3) & fails == 1 << 15)
        #expect(rig.opts2(rp, 4) & 3 << 30 == 0 && rig.opts1(rp, 4) & pid == 0)   // not IP
    }

    @Test("jumbo limit: RxMaxSize 16384 (r8169's value) still stops frames over the chip's 6 KiB, counted JUMBO; RMS below it")
    func jumboLimit() {
        let rig = ModelRig()
        rig.w16(0xDA, 16384)
        let (rp, _, _) = rig.rxRing(count: 4, size: 16383)
        rig.send(rig.frame(1, length: 6000))
        rig.send(rig.frame(2, length: 7000))
        rig.run(.microseconds(200))
        #expect(rig.opts1(rp, 0) & 0x3FFF == 6004 && rig.opts1(rp, 1) & 1 << 31 != 0)
        #expect(rig.counter("JUMBO") == 1 && rig.counter("RMS") == 0 && rig.counter("RxEr") == 1)
        rig.w16(0xDA, 1522)
        rig.send(rig.frame(3, length: 1600))
        rig.run(.microseconds(100))
        #expect(rig.counter("RMS") == 1 && rig.counter("JUMBO") == 1)
        #expect(rig.dev.dropCounters.map(\.name) == ["MissPkt", "RUNT", "CRC", "RWT", "RMS", "JUMBO"])
        #expect(rig.m.log.findings.isEmpty)
    }

    @Test("bufferPostedTwice: a buffer re-posted while another owned descriptor holds it")
    func bufferPostedTwice() {
        let rig = ModelRig()
        let (rp, buf, _) = rig.rxRing(count: 4)
        rig.send(rig.frame(1))
        rig.run(.microseconds(50))
        #expect(rig.rules.isEmpty)
        rig.post(rp, 0, count: 4, address: buf, size: 2048)           // descriptor 0 back with its buffer
        rig.post(rp, 1, count: 4, address: buf, size: 2048)           // and descriptor 1 with the same one
        rig.send(rig.frame(2))
        rig.run(.microseconds(50))
        #expect(rig.rules == ["bufferPostedTwice"])
    }
}
