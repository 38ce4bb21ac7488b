#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw disk image file (no header: sector *n* is at byte offset *n × 512*), accessed with
/// `pread`/`pwrite`; ``flush()`` is `fsync`.
///
/// Opened read-only unless `writable` is set; a read-only backend never modifies the file (use
/// ``OverlayBackend`` on top to accept writes without touching it). Opening checks, in order, and
/// throws a ``StorageError`` naming the path for: a missing file, something that is not a regular
/// file (a directory, a device…), a file that cannot be opened, an empty file, and a size that is not
/// a multiple of 512 bytes.
public final class FileBackend: BlockBackend {
    /// The path as given.
    public let path: String
    public let sectorSize = BlockGeometry.sectorSize
    public let sectorCount: UInt64
    public let isWritable: Bool
    public var label: String { path }
    private let fd: Int32

    /// Opens the raw image at `path`, for writing too if `writable`.
    public init(path: String, writable: Bool) throws(StorageError) {
        self.path = path
        self.isWritable = writable
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw .missing(path: path) }
            throw .unreadable(path: path, reason: Self.message(e))
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else { throw .notRegularFile(path: path, kind: Self.kindName(type)) }
        let fd = open(path, writable ? O_RDWR : O_RDONLY)
        if fd < 0 {
            let e = errno
            throw writable ? .unwritable(path: path, reason: Self.message(e)) : .unreadable(path: path, reason: Self.message(e))
        }
        var st2 = stat()
        guard fstat(fd, &st2) == 0 else {
            let e = errno
            close(fd)
            throw .unreadable(path: path, reason: Self.message(e))
        }
        let size = UInt64(st2.st_size)
        guard size > 0 else { close(fd); throw .empty(path: path) }
        guard size % UInt64(BlockGeometry.sectorSize) == 0 else { close(fd); throw .sizeNotMultipleOfSector(path: path, size: size) }
        self.fd = fd
        self.sectorCount = size / UInt64(BlockGeometry.sectorSize)
    }

    deinit { close(fd) }

    public func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) {
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        var done = 0
        let base = off_t(lba) * off_t(sectorSize)
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, base + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read of \(count) sectors at LBA \(lba)", reason: Self.message(errno))
            }
            if n == 0 {
                throw .io(path: path, operation: "read of \(count) sectors at LBA \(lba)", reason: "unexpected end of file (the image shrank?)")
            }
            done += n
        }
    }

    public func write(lba: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) throws(StorageError) {
        guard isWritable else { throw .readOnly(label: path) }
        try checkRange(lba: lba, count: count, bufferBytes: buffer.count)
        var done = 0
        let base = off_t(lba) * off_t(sectorSize)
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, base + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write of \(count) sectors at LBA \(lba)", reason: Self.message(errno))
            }
            done += n
        }
    }

    public func flush() throws(StorageError) {
        guard isWritable else { return }
        if fsync(fd) != 0 { throw .io(path: path, operation: "fsync", reason: Self.message(errno)) }
    }

    private static func message(_ e: Int32) -> String {
        guard let p = strerror(e) else { return "errno \(e)" }
        return String(cString: p)
    }

    private static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "directory"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFLNK: return "symbolic link"
        default: return "special file"
        }
    }
}
