import Foundation
import NativeDriverKit
#if canImport(Glibc)
import Glibc
#endif

/// The far end of the NIC's cable: QEMU's `-netdev dgram` backend over UNIX datagram sockets, one
/// Ethernet frame (without FCS) per datagram.
///
/// ``send(_:)`` puts a frame on the wire towards the NIC; ``receive()`` returns what the NIC sent.
/// Frames arrive in QEMU when its main loop next runs, i.e. while the host's scheduler runs.
public final class QEMUNetworkPeer {
    private let fd: Int32
    private let qemuPath: String
    /// Frames sent so far.
    public private(set) var sent = 0
    /// Frames received so far.
    public private(set) var received = 0

    init(socket: Int32, qemuPath: String) { fd = socket; self.qemuPath = qemuPath }

    /// Sends one frame to the NIC.
    public func send(_ frame: [UInt8]) throws(QEMUHostError) {
        var a = try UnixSocket.address(qemuPath)
        while true {
            let n = frame.withUnsafeBytes { b in
                withUnsafePointer(to: &a) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            if n >= 0 { sent += 1; return }
            if errno == EINTR { continue }
            throw UnixSocket.errnoText("send to QEMU's network backend \(qemuPath)")
        }
    }

    /// The next frame the NIC sent, if one is waiting (never blocks).
    public func receive() -> [UInt8]? { receive(timeout: .zero) }

    /// The next frame the NIC sent, waiting up to `timeout` of wall time for one.
    public func receive(timeout: Duration) -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(clamping: Instant.picoseconds(of: timeout) / 1_000_000_000)
        guard poll(&p, 1, max(0, ms)) > 0 else { return nil }
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard n >= 0 else { return nil }
        received += 1
        return Array(buf[0..<n])
    }

    /// Every frame waiting now.
    public func receiveAll() -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let f = receive() { out.append(f) }
        return out
    }
}
