import Testing
@testable import E1000Model
import BoxlessPlatform
import NICCore

/// Transmit descriptor encoders (SDM §3.3.3, §3.3.6, §3.3.7).
enum Tx {
    static let EOP: UInt64 = 1, IFCS: UInt64 = 2, IC: UInt64 = 4, RS: UInt64 = 8, DEXT: UInt64 = 0x20, VLE: UInt64 = 0x40, IDE: UInt64 = 0x80
    static let TSE: UInt64 = 4

    static func legacy(_ length: Int, cmd: UInt64, cso: Int = 0, css: Int = 0, special: UInt16 = 0) -> UInt64 {
        UInt64(length) | UInt64(cso) << 16 | cmd << 24 | UInt64(css) << 40 | UInt64(special) << 48
    }

    static func context(ipcss: Int, ipcso: Int, ipcse: Int, tucss: Int, tucso: Int, tucse: Int = 0,
                        paylen: Int = 0, tucmd: UInt64, hdrlen: Int = 0, mss: Int = 0) -> (UInt64, UInt64) {
        let low = UInt64(ipcss) | UInt64(ipcso) << 8 | UInt64(ipcse) << 16 | UInt64(tucss) << 32 | UInt64(tucso) << 40 | UInt64(tucse) << 48
        let high = UInt64(paylen) | (tucmd | DEXT) << 24 | UInt64(hdrlen) << 40 | UInt64(mss) << 48
        return (low, high)
    }

    static func data(_ length: Int, dcmd: UInt64, popts: UInt64 = 0, special: UInt16 = 0) -> UInt64 {
        UInt64(length) | 1 << 20 | (dcmd | DEXT) << 24 | popts << 40 | UInt64(special) << 48
    }
}

@Suite struct TransmitTests {
    @Test func legacyDescriptorSendsAndWritesBackDD() {
        let rig = Rig(.i82540EM)
        let tx = rig.setUpTx()
        rig.w(R.IMS, B.TXDW)
        let frame = Frames.ethernet(0x88B5, Frames.payload(200))
        tx.put(0, rig.buffer(frame), Tx.legacy(frame.count, cmd: Tx.EOP | Tx.IFCS | Tx.RS))
        rig.w(R.TDT, 1)
        rig.settle()
        #expect(rig.peer.frames == [frame] && rig.peer.fcs == [true])
        #expect(tx.sta(0) & 1 == 1)
        #expect(rig.r(R.TDH) == 1)
        #expect(rig.r(R.ICR) & (B.TXDW | B.TXQE) == B.TXDW | B.TXQE)
        #expect(rig.r(R.GPTC) == 1)
    }

    @Test func multiDescriptorPacketPaddingAndLegacyChecksum() {
        let rig = Rig(.i82540EM)
        let tx = rig.setUpTx()
        let short = Frames.ethernet(0x88B5, Frames.payload(10))   // 24 bytes → padded to 60
        tx.put(0, rig.buffer(Array(short[0..<14])), Tx.legacy(14, cmd: 0))
        tx.put(1, rig.buffer(Array(short[14...])), Tx.legacy(short.count - 14, cmd: Tx.EOP | Tx.IFCS | Tx.RS))
        // A UDP packet whose checksum the device inserts: CSS = UDP header, CSO = its checksum field,
        // the field seeded with the pseudo-header sum as drivers do.
        var udp = Frames.ethernet(0x0800, Frames.ipv4(17, Frames.udp(payload: Frames.payload(33))))
        let pseudo = Frames.sum(udp[26..<34], 17 + UInt32(8 + 33))
        Frames.put16(&udp, 40, pseudo)
        tx.put(2, rig.buffer(udp), Tx.legacy(udp.count, cmd: Tx.EOP | Tx.IFCS | Tx.IC, cso: 40, css: 34))
        rig.w(R.TDT, 3)
        rig.settle()
        #expect(rig.peer.frames.count == 2)
        #expect(rig.peer.frames[0] == short + [UInt8](repeating: 0, count: 60 - short.count))
        #expect(Frames.checksumsValid(rig.peer.frames[1]))
        #expect(tx.sta(0) & 1 == 0 && tx.sta(1) & 1 == 1)
    }

    @Test func contextAndDataDescriptorsInsertIPAndTCPChecksums() {
        let rig = Rig(.i82574L)
        let tx = rig.setUpTx()
        var frame = Frames.ethernet(0x0800, Frames.ipv4(6, Frames.tcp(payload: Frames.payload(300))))
        // Break both checksums; seed the TCP field with the pseudo-header sum (length included).
        Frames.put16(&frame, 24, 0xDEAD)
        Frames.put16(&frame, 50, Frames.sum(frame[26..<34], 6 + 320))
        let (cl, ch) = Tx.context(ipcss: 14, ipcso: 24, ipcse: 33, tucss: 34, tucso: 50, tucmd: 0x3)
        tx.put(0, cl, ch)
        tx.put(1, rig.buffer(frame), Tx.data(frame.count, dcmd: Tx.EOP | Tx.IFCS | Tx.RS, popts: 3))
        rig.w(R.TDT, 2)
        rig.settle()
        #expect(rig.peer.frames.count == 1)
        #expect(Frames.checksumsValid(rig.peer.frames[0]))
        #expect(tx.sta(1) & 1 == 1)
    }

    @Test func tcpSegmentationProducesCorrectSegments() {
        let rig = Rig(.i82574L)
        let tx = rig.setUpTx()
        let payload = Frames.payload(2500, seed: 3)
        var frame = Frames.ethernet(0x0800, Frames.ipv4(6, Frames.tcp(payload: payload, seq: 0xFFFF_FF00, flags: 0x19), id: 0x7000))
        // Pseudo-header sum without the length, as drivers seed it for TSO.
        Frames.put16(&frame, 50, Frames.sum(frame[26..<34], 6))
        let header = 54, mss = 1000
        let (cl, ch) = Tx.context(ipcss: 14, ipcso: 24, ipcse: 33, tucss: 34, tucso: 50, paylen: payload.count,
                                  tucmd: 0x3 | Tx.TSE, hdrlen: header, mss: mss)
        tx.put(0, cl, ch)
        tx.put(1, rig.buffer(Array(frame[0..<header])), Tx.data(header, dcmd: Tx.TSE, popts: 3))
        tx.put(2, rig.buffer(Array(frame[header...])), Tx.data(payload.count, dcmd: Tx.TSE | Tx.EOP | Tx.IFCS | Tx.RS))
        rig.w(R.TDT, 3)
        rig.settle()
        let segs = rig.peer.frames
        #expect(segs.map(\.count) == [1054, 1054, 554])
        for (i, s) in segs.enumerated() {
            #expect(Frames.checksumsValid(s))
            #expect(Int(Frames.be16(s, 16)) == s.count - 14)                       // IP total length
            #expect(Frames.be16(s, 18) == 0x7000 + UInt16(i))                      // IP identification
            #expect(Frames.be32(s, 38) == 0xFFFF_FF00 &+ UInt32(i * mss))         // sequence number
            #expect(s[47] == (i == 2 ? 0x19 : 0x10))                               // FIN/PSH on the last only
            #expect(Array(s[header...]) == Array(payload[(i * mss)..<min(payload.count, (i + 1) * mss)]))
        }
        #expect(rig.r(R.TSCTC) == 1 && rig.r(R.GPTC) == 3)
    }

    @Test func vlanInsertion() {
        let rig = Rig(.i82540EM)
        let tx = rig.setUpTx()
        rig.w(R.CTRL, rig.r(R.CTRL) | 1 << 30)
        let frame = Frames.ethernet(0x88B5, Frames.payload(100))
        tx.put(0, rig.buffer(frame), Tx.legacy(frame.count, cmd: Tx.EOP | Tx.IFCS | Tx.VLE, special: 0x3007))
        rig.w(R.TDT, 1)
        rig.settle()
        #expect(rig.peer.frames == [Array(frame[0..<12]) + [0x81, 0x00, 0x30, 0x07] + Array(frame[12...])])
    }

    @Test func withoutIFCSTheBufferCarriesTheFCS() {
        let rig = Rig(.i82540EM)
        let tx = rig.setUpTx()
        let frame = Frames.ethernet(0x88B5, Frames.payload(100))
        let crc = frame.withUnsafeBytes { EthernetCRC.fcs($0.baseAddress!, frame.count) }
        let withFCS = frame + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        tx.put(0, rig.buffer(withFCS), Tx.legacy(withFCS.count, cmd: Tx.EOP))
        tx.put(1, rig.buffer(withFCS.map { $0 ^ 1 }), Tx.legacy(withFCS.count, cmd: Tx.EOP))
        rig.w(R.TDT, 2)
        rig.settle()
        #expect(rig.peer.frames.first == frame)
        #expect(rig.peer.fcs == [true, false])
    }

    @Test func wireIsTheBottleneckForBackToBackFrames() {
        let rig = Rig(.i82574L)
        let tx = rig.setUpTx(count: 64)
        let frame = Frames.ethernet(0x88B5, Frames.payload(1500))
        let bus = rig.buffer(frame)
        for i in 0..<40 { tx.put(i, bus, Tx.legacy(frame.count, cmd: Tx.EOP | Tx.IFCS | Tx.RS)) }
        let start = rig.m.now
        rig.w(R.TDT, 40)
        rig.run(.milliseconds(2))
        #expect(rig.peer.frames.count == 40)
        // 40 frames of 1538 wire bytes at 8 ns: the last ends 40 × 12.304 µs after the first starts.
        #expect(rig.dev.port.busyUntil - start < .microseconds(40 * 12_304 / 1000 + 12))   // + first fetch and read
        #expect(rig.dev.port.busyUntil - start >= .nanoseconds(40 * 12_304))
    }
}
