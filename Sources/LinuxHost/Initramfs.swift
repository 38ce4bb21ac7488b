/// An initramfs image: a "newc" cpio archive (the format the kernel unpacks at boot, Linux's
/// Documentation/driver-api/early-userspace/buffer-format.rst). Built in memory, deterministic:
/// fixed inode numbers in insertion order, owner root, time zero.
public struct Initramfs {
    /// One entry.
    public enum Entry {
        /// A directory.
        case directory(path: String, mode: UInt32)
        /// A regular file.
        case file(path: String, mode: UInt32, contents: [UInt8])
        /// A symbolic link.
        case symlink(path: String, target: String)
        /// A character device node (e.g. /dev/console before devtmpfs is mounted).
        case characterDevice(path: String, mode: UInt32, major: UInt32, minor: UInt32)
    }

    /// The entries, in archive order.
    public private(set) var entries: [Entry] = []

    /// Creates an empty archive.
    public init() {}

    /// Adds an entry (parents must be added first).
    public mutating func add(_ e: Entry) { entries.append(e) }

    /// The archive's bytes.
    public func archive() -> [UInt8] {
        var out: [UInt8] = []
        func pad4() { while out.count % 4 != 0 { out.append(0) } }
        func header(ino: Int, mode: UInt32, size: Int, rdev: (UInt32, UInt32), name: String) {
            let nameBytes = Array(name.utf8)
            let fields: [UInt32] = [UInt32(ino), mode, 0, 0, 1, 0, UInt32(size), 0, 0, rdev.0, rdev.1, UInt32(nameBytes.count + 1), 0]
            out.append(contentsOf: Array("070701".utf8))
            for f in fields {
                let h = String(f, radix: 16, uppercase: true)
                out.append(contentsOf: Array((String(repeating: "0", count: 8 - h.count) + h).utf8))
            }
            out.append(contentsOf: nameBytes)
            out.append(0)
            pad4()
        }
        for (i, e) in entries.enumerated() {
            switch e {
            case .directory(let p, let m):
                header(ino: i + 1, mode: 0o040000 | m, size: 0, rdev: (0, 0), name: p)
            case .file(let p, let m, let c):
                header(ino: i + 1, mode: 0o100000 | m, size: c.count, rdev: (0, 0), name: p)
                out.append(contentsOf: c); pad4()
            case .symlink(let p, let t):
                let tb = Array(t.utf8)
                header(ino: i + 1, mode: 0o120777, size: tb.count, rdev: (0, 0), name: p)
                out.append(contentsOf: tb); pad4()
            case .characterDevice(let p, let m, let major, let minor):
                header(ino: i + 1, mode: 0o020000 | m, size: 0, rdev: (major, minor), name: p)
            }
        }
        header(ino: 0, mode: 0, size: 0, rdev: (0, 0), name: "TRAILER!!!")
        return out
    }
}
