import Foundation
@testable import QEMUHost
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A fake qtest peer: the other end of a socketpair, with replies scripted in advance.
final class FakePeer {
    let client: QTestConnection
    let fd: Int32
    init() {
        var fds: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        client = QTestConnection(fileDescriptor: fds[0])
        fd = fds[1]
    }
    deinit { close(fd) }
    func reply(_ s: String) { _ = s.withCString { Glibc.send(fd, $0, strlen($0), 0) } }
    /// What the client sent so far.
    func sent() -> [String] {
        var out = [UInt8](repeating: 0, count: 65536)
        let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n <= 0 ? [] : String(decoding: out[0..<n], as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

@Suite("qtest protocol (fake peer)")
struct QTestProtocolTests {
    @Test func repliesAndInterleavedIRQLines() throws {
        let p = FakePeer()
        p.reply("IRQ raise 23\nOK 0x0000000012345678\nIRQ lower 23\nIRQ raise 5\nOK\n")
        #expect(try p.client.value("readl 0xc0000008") == 0x1234_5678)
        #expect(p.client.hasIRQEvents)
        try p.client.command("writel 0xc00000c8 0x4")
        #expect(p.client.takeIRQEvents() == [QTestIRQEvent(line: 23, raised: true), QTestIRQEvent(line: 23, raised: false),
                                             QTestIRQEvent(line: 5, raised: true)])
        #expect(p.client.takeIRQEvents().isEmpty)
        #expect(p.sent() == ["readl 0xc0000008", "writel 0xc00000c8 0x4"])
    }

    @Test func failReplyIsATypedErrorAndTheConnectionGoesOn() throws {
        let p = FakePeer()
        p.reply("FAIL Unknown command 'bogus'\nOK 0x0102\n")
        #expect(throws: QEMUHostError.commandFailed(command: "bogus", reply: "FAIL Unknown command 'bogus'")) {
            try p.client.command("bogus")
        }
        #expect(try p.client.value("inw 0xc000") == 0x102)
    }

    @Test func malformedAndClosed() throws {
        let p = FakePeer()
        p.reply("HELLO\n")
        #expect(throws: QEMUHostError.malformedReply(command: "readb 0x0", reply: "HELLO")) { try p.client.command("readb 0x0") }
        p.reply("OK nothex\n")
        #expect(throws: QEMUHostError.malformedReply(command: "readb 0x1", reply: "OK nothex")) { try p.client.value("readb 0x1") }
        shutdown(p.fd, Int32(SHUT_RDWR))
        #expect(throws: QEMUHostError.self) { try p.client.command("readb 0x2") }
        // A broken connection stays broken, at once.
        #expect(p.client.failure != nil)
        #expect(throws: QEMUHostError.self) { try p.client.command("readb 0x3") }
    }

    @Test func bulkMemoryUsesHexForSmallAndBase64ForLarge() throws {
        let p = FakePeer()
        p.reply("OK 0x78563412aabb\nOK\n")
        var small = [UInt8](repeating: 0, count: 6)
        try small.withUnsafeMutableBytes { try p.client.readBytes(0x10_0000, into: $0) }
        #expect(small == [0x78, 0x56, 0x34, 0x12, 0xAA, 0xBB])
        try [UInt8]([1, 2, 0xFE]).withUnsafeBytes { try p.client.writeBytes(0x10_0010, from: $0) }
        #expect(p.sent() == ["read 0x100000 6", "write 0x100010 3 0x0102fe"])

        let big = (0..<100).map { UInt8($0) }
        p.reply("OK " + Data(big).base64EncodedString() + "\nOK\n")
        var got = [UInt8](repeating: 0, count: 100)
        try got.withUnsafeMutableBytes { try p.client.readBytes(0x20_0000, into: $0) }
        #expect(got == big)
        try big.withUnsafeBytes { try p.client.writeBytes(0x20_0000, from: $0) }
        #expect(p.sent() == ["b64read 0x200000 100", "b64write 0x200000 100 " + Data(big).base64EncodedString()])
    }

    @Test func waitForIRQTimesOutAndWakesOnALine() throws {
        let p = FakePeer()
        #expect(try p.client.waitForIRQ(timeout: .milliseconds(5)) == false)
        p.reply("IRQ raise 16\nIRQ lower 16\n")
        #expect(try p.client.waitForIRQ(timeout: .seconds(5)))
        #expect(p.client.takeIRQEvents().count == 2)
    }

    @Test func hexParsing() {
        #expect(QTestConnection.parseHex("0x00ff") == 0xFF)
        #expect(QTestConnection.parseHexBytes("0x0aFF", count: 2) == [0x0A, 0xFF])
        #expect(QTestConnection.parseHexBytes("0x0a", count: 2) == nil)
        #expect([UInt8]([0, 0xAB]).withUnsafeBytes { QTestConnection.hexBytes($0) } == "0x00ab")
    }

    @Test func guestMemoryAllocatorAlignsAndMerges() {
        var m = GuestMemoryAllocator(0x10_0000..<0x20_0000)
        let a = m.allocate(size: 100, alignment: 4096)!
        let b = m.allocate(size: 10, alignment: 16)!
        #expect(a.lowerBound == 0x10_0000 && a.count == 128)
        #expect(b.lowerBound == 0x10_0080)
        m.release(a); m.release(b)
        #expect(m.free == [0x10_0000..<0x20_0000])
        #expect(m.allocate(size: 0x20_0000, alignment: 64) == nil)
    }

    @Test func q35INTxRouting() {
        #expect(QEMUHost.gsi(device: 3, pin: 1) == 23)    // observed: e1000 in slot 3 raises GSI 23
        #expect(QEMUHost.gsi(device: 4, pin: 1) == 20)
        #expect(QEMUHost.gsi(device: 31, pin: 1) == 16)
    }
}
