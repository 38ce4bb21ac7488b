import PacketCapture

/// A replay's `--capture-rx` and `--capture-tx` files, written through libpcap on every host. A
/// write or close that fails is kept, not lost: the run ends with that error (one line naming the
/// file), and nothing after it is written to that file.
final class ReplayCaptures {
    private var rx: PcapWriter?
    private var tx: PcapWriter?
    /// The first write or close error.
    private(set) var error: RunnerError?

    /// Opens the files the options name.
    init(_ o: ReplayOptions) throws(RunnerError) {
        do {
            if let p = o.captureRX { rx = try PcapWriter(path: p) }
            if let p = o.captureTX { tx = try PcapWriter(path: p) }
        } catch { throw .cannotWrite(error.file ?? "capture", error.description) }
    }

    /// Whether a receive capture is being written.
    var capturesRX: Bool { rx != nil }

    /// Writes a frame the driver (or guest) delivered.
    func received(_ frame: UnsafeRawBufferPointer, at nanoseconds: UInt64) { write(&rx, frame, nanoseconds) }

    /// Writes a frame seen on the wire.
    func transmitted(_ frame: UnsafeRawBufferPointer, at nanoseconds: UInt64) { write(&tx, frame, nanoseconds) }

    private func write(_ w: inout PcapWriter?, _ frame: UnsafeRawBufferPointer, _ t: UInt64) {
        guard let writer = w else { return }
        do { try writer.write(timestampNanoseconds: t, bytes: Array(frame)) } catch {
            if self.error == nil { self.error = .cannotWrite(error.file ?? writer.path, error.description) }
            w = nil
        }
    }

    /// Closes both files; throws the first error of the run.
    func close() throws(RunnerError) {
        for w in [rx, tx] {
            guard let w else { continue }
            do { try w.close() } catch { if self.error == nil { self.error = .cannotWrite(error.file ?? w.path, error.description) } }
        }
        rx = nil; tx = nil
        if let e = error { throw e }
    }
}
