import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX helpers for UNIX-domain sockets (all created close-on-exec, so a second QEMU never
/// inherits another machine's sockets).
enum UnixSocket {
    static func errnoText(_ what: String) -> QEMUHostError {
        .system("\(what): \(String(cString: strerror(errno)))")
    }

    static func address(_ path: String) throws(QEMUHostError) -> sockaddr_un {
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: a.sun_path) else { throw .system("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &a.sun_path) { p in
            p.copyBytes(from: bytes)
            p[bytes.count] = 0
        }
        return a
    }

    private static func bind(_ fd: Int32, _ path: String) throws(QEMUHostError) {
        var a = try address(path)
        unlink(path)
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        if r != 0 { let e = errnoText("bind \(path)"); close(fd); throw e }
    }

    /// A listening stream socket at `path`.
    static func listen(at path: String) throws(QEMUHostError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw errnoText("socket") }
        try bind(fd, path)
        guard Glibc.listen(fd, 1) == 0 else { let e = errnoText("listen \(path)"); close(fd); throw e }
        return fd
    }

    /// A datagram socket bound at `path`.
    static func datagram(at path: String) throws(QEMUHostError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw errnoText("socket") }
        try bind(fd, path)
        return fd
    }

    /// Accepts one connection within `timeoutMilliseconds`, checking `stillWaiting` every 50 ms
    /// (it returns false when the peer process died). Returns nil if it gave up.
    static func accept(_ fd: Int32, timeoutMilliseconds: Int, stillWaiting: () -> Bool) throws(QEMUHostError) -> Int32? {
        var waited = 0
        while waited < timeoutMilliseconds {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, 50)
            if r < 0 && errno != EINTR { throw errnoText("poll") }
            if r > 0 {
                let c = Glibc.accept(fd, nil, nil)
                if c >= 0 { _ = fcntl(c, F_SETFD, FD_CLOEXEC); return c }
                if errno != EINTR && errno != EAGAIN { throw errnoText("accept") }
            }
            waited += 50
            if !stillWaiting() { return nil }
        }
        return nil
    }
}
