import PacketCapture

/// A replay's `--capture-rx` and `--capture-tx` files, the same on every host: classic pcap
/// through libpcap, or pcapng (the file name ends in `.pcapng`) whose frames can carry a comment —
/// what injected faults did around them. A write or close that fails is kept, not lost: the run
/// ends with that error (one line naming the file), and nothing after it is written to that file.
final class ReplayCaptures {
    /// One capture file.
    private enum File {
        case pcap(PcapWriter)
        case pcapng(PcapngWriter)

        init(path: String) throws(PcapError) {
            if path.hasSuffix(".pcapng") { self = .pcapng(try PcapngWriter(path: path)) } else { self = .pcap(try PcapWriter(path: path)) }
        }

        var path: String {
            switch self {
            case .pcap(let w): return w.path
            case .pcapng(let w): return w.path
            }
        }

        func write(_ frame: UnsafeRawBufferPointer, at t: UInt64, comment: String?) throws(PcapError) {
            switch self {
            case .pcap(let w): try w.write(timestampNanoseconds: t, bytes: Array(frame))
            case .pcapng(let w): try w.write(timestampNanoseconds: t, bytes: frame, comment: comment)
            }
        }

        func close() throws(PcapError) {
            switch self {
            case .pcap(let w): try w.close()
            case .pcapng(let w): try w.close()
            }
        }
    }

    private var rx: File?
    private var tx: File?
    /// The first write or close error.
    private(set) var error: RunnerError?

    /// Opens the files the options name.
    init(_ o: ReplayOptions) throws(RunnerError) {
        do {
            if let p = o.captureRX { rx = try File(path: p) }
            if let p = o.captureTX { tx = try File(path: p) }
        } catch { throw .cannotWrite(error.file ?? "capture", error.description) }
    }

    /// Whether a receive capture is being written.
    var capturesRX: Bool { rx != nil }
    /// Whether a wire capture is being written.
    var capturesTX: Bool { tx != nil }

    /// Writes a frame the driver (or guest) delivered.
    func received(_ frame: UnsafeRawBufferPointer, at nanoseconds: UInt64, comment: String? = nil) {
        write(&rx, frame, nanoseconds, comment)
    }

    /// Writes a frame seen on the wire.
    func transmitted(_ frame: UnsafeRawBufferPointer, at nanoseconds: UInt64, comment: String? = nil) {
        write(&tx, frame, nanoseconds, comment)
    }

    private func write(_ w: inout File?, _ frame: UnsafeRawBufferPointer, _ t: UInt64, _ comment: String?) {
        guard let file = w else { return }
        do { try file.write(frame, at: t, comment: comment) } catch {
            if self.error == nil { self.error = .cannotWrite(error.file ?? file.path, error.description) }
            w = nil
        }
    }

    /// Closes both files; throws the first error of the run.
    func close() throws(RunnerError) {
        for f in [rx, tx] {
            guard let f else { continue }
            do { try f.close() } catch { if self.error == nil { self.error = .cannotWrite(error.file ?? f.path, error.description) } }
        }
        rx = nil; tx = nil
        if let e = error { throw e }
    }
}
