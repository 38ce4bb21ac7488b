#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BoxlessPlatform
import EmulatorHost
import NativeDriverKit

/// Which disk workload to run (`boxless disk --workload`).
public enum WorkloadKind: String, Sendable, CaseIterable {
    /// Write a seeded pattern, flush, read every written extent back and compare.
    case verify
    /// A seeded mix of reads and writes of random sizes and offsets, checked against a shadow copy.
    case randrw
    /// Sequential large writes, a flush, then sequential reads of the same range, compared.
    case seq
    /// Random reads only (the IOPS benchmark), checked against the base content.
    case randread
}

/// Drives a ``BlockDevice`` with a seeded workload at a queue depth and checks every read: it must
/// return the last data written (or the base content where nothing was written). Requests that
/// overlap a write in flight are never issued together, so "last written" is well defined.
///
/// A write that fails leaves its blocks' content unknown (a drive may have written part of it); reads
/// of those blocks are not compared until a later write succeeds.
public final class BlockWorkload: BlockClient {
    /// Settings.
    public struct Settings: Sendable {
        /// The workload.
        public var kind: WorkloadKind = .verify
        /// Requests to complete (reads and writes; flushes come on top).
        public var operations: Int = 1000
        /// Requests in flight at most.
        public var queueDepth: Int = 1
        /// Largest request in blocks (random sizes from 1 up to this; seq and randread use this size).
        public var maxBlocks: Int = 16
        /// Blocks of the device the workload touches (from 0); nil = the whole device.
        public var span: UInt64?
        /// Creates default settings.
        public init() {}
    }

    /// Results.
    public struct Result: Sendable {
        /// Requests completed (reads, writes, flushes), with or without error.
        public var operations = 0
        /// Reads completed successfully.
        public var reads = 0
        /// Writes completed successfully.
        public var writes = 0
        /// Flushes completed successfully.
        public var flushes = 0
        /// Bytes moved.
        public var bytes = 0
        /// Requests that failed (status != success, or refused by `submit`).
        public var errors = 0
        /// Of those, media errors.
        public var mediaErrors = 0
        /// Reads whose data differed from the expected data.
        public var mismatches = 0
        /// The first mismatch: LBA.
        public var firstMismatchLBA: UInt64?
        /// Requests still in flight when the run ended (non-zero only if it stalled or was stopped).
        public var inFlightAtEnd = 0
        /// Errors by kind, e.g. "read of 8 blocks at LBA 100: mediaError(lba: 100)".
        public var errorSamples: [String] = []
    }

    /// Fills `buffer` with the base content of `count` blocks from `lba` (what never-written blocks read as).
    public typealias BaseReader = (_ lba: UInt64, _ count: Int, _ buffer: UnsafeMutableRawBufferPointer) -> Void

    let device: any BlockDevice
    let host: any BlockWorkloadHost
    let settings: Settings
    var rng: SeededRandom
    /// Expected content of written blocks; unwritten blocks read as the base.
    public private(set) var shadow: [UInt64: [UInt8]] = [:]
    /// Original content of blocks captured before their first write (only with ``baseIsLive``).
    private var baseline: [UInt64: [UInt8]] = [:]
    /// Blocks whose content is unknown after a failed write.
    private var unknown: Set<UInt64> = []
    let baseReader: BaseReader
    /// Set when the base reader reads the very medium the workload writes (a writable image): each
    /// block's original content is then captured before its first write, so a misdirected write
    /// cannot change what the check expects.
    public var baseIsLive = false
    private var inFlight: [UInt64: (BlockRequest, Range<UInt64>)] = [:]
    private var nextID: UInt64 = 0
    private var issued = 0
    private var result = Result()
    private var plan: [(BlockOperation, UInt64, Int)] = []     // for verify/seq: a fixed sequence
    private var planIndex = 0
    private var scratch: [UInt8] = []
    private let blockSize: Int
    private var stopped = false
    /// Called for each completion, before the workload checks it (hooks for power-loss tests).
    public var onCompletion: ((BlockRequest, BlockCompletion) -> Void)?
    /// Called for each request just before it is submitted.
    public var onSubmit: ((BlockRequest) -> Void)?
    /// Called with the number of completed requests every 1024 completions (progress display).
    public var progress: ((Int) -> Void)?
    /// For random workloads: issue a FLUSH (with nothing else in flight) after this many writes.
    public var flushEvery: Int?
    private var writesSinceFlush = 0
    /// Whether to track which acknowledged writes a completed flush made durable, so that
    /// ``powerLost()`` can tell allowed losses from lost flushed data (off by default: it costs a set
    /// insertion per written block).
    public var tracksDurability = false
    /// Blocks whose last acknowledged write no completed flush covers yet.
    private var volatile: Set<UInt64> = []
    /// For each flush in flight, the blocks it covers (acknowledged before it was issued).
    private var flushCovers: [UInt64: Set<UInt64>] = [:]
    /// Requests submitted by ``runOne(_:)``, outside the workload, and their completions.
    private var outside: Set<UInt64> = []
    private var extra: [UInt64: BlockCompletion] = [:]

    /// Creates a workload; `baseRange` fills a buffer with the content of blocks nobody wrote yet.
    public init(device: any BlockDevice, host: any BlockWorkloadHost, settings: Settings, random: SeededRandom,
                baseRange: @escaping BaseReader) {
        self.device = device; self.host = host; self.settings = settings; self.rng = random; self.baseReader = baseRange
        blockSize = device.geometry.blockSize
    }

    /// Creates a workload; `base` gives the content of a block nobody wrote yet.
    public convenience init(device: any BlockDevice, host: EmulatorHost, settings: Settings, random: SeededRandom,
                            baseRange: @escaping BaseReader) {
        self.init(device: device, host: EmulatorWorkloadHost(host), settings: settings, random: random, baseRange: baseRange)
    }

    /// Creates a workload on the emulator host; `base` gives the content of a block nobody wrote yet.
    public convenience init(device: any BlockDevice, host: EmulatorHost, settings: Settings, random: SeededRandom,
                            base: @escaping (UInt64) -> [UInt8]) {
        let bs = device.geometry.blockSize
        self.init(device: device, host: EmulatorWorkloadHost(host), settings: settings, random: random, baseRange: { lba, count, buf in
            for b in 0..<count {
                let block = base(lba + UInt64(b))
                block.withUnsafeBytes { src in
                    (buf.baseAddress! + b * bs).copyMemory(from: src.baseAddress!, byteCount: min(bs, src.count))
                }
            }
        })
    }

    private var span: UInt64 { max(1, min(settings.span ?? device.geometry.blockCount, device.geometry.blockCount)) }
    /// Largest request, never more than the span.
    private var largest: Int { Int(min(UInt64(max(1, settings.maxBlocks)), span)) }

    /// Stops issuing requests and ends ``run()`` at the next event boundary (power cut).
    public func stop() { stopped = true }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopped }

    /// Runs to completion (or until the host ends the run — a limit, a stall, a host failure — or
    /// ``stop()``) and returns the results.
    public func run() -> Result {
        host.runAsDriver { device.setClient(self) }
        makePlan()
        host.runAsDriver { fill() }
        let total = totalOperations
        while result.operations < total, !stopped, host.step(progress: result.operations) {}
        result.inFlightAtEnd = inFlight.count
        if !stopped && result.operations < total && result.errorSamples.count < 16 {
            result.errorSamples.append("the workload stalled after \(result.operations) of \(total) requests with \(inFlight.count) in flight"
                                       + (host.failure.map { " (\($0))" } ?? ""))
        }
        return result
    }

    /// Submits one request outside the workload (a shutdown flush) and runs until it completes;
    /// nil when it was refused or the host ended the run first.
    public func runOne(_ r: BlockRequest) -> BlockCompletion? {
        var refused = false
        outside.insert(r.id)
        defer { outside.remove(r.id) }
        host.runAsDriver { do { try device.submit(r) } catch { refused = true } }
        guard !refused else { return nil }
        let before = result.operations
        while extra[r.id] == nil, host.step(progress: before) {}
        return extra.removeValue(forKey: r.id)
    }

    /// Requests the workload completes in all (verify and seq add their flush).
    public var totalOperations: Int { plan.isEmpty ? settings.operations : plan.count }

    private func makePlan() {
        let bs = UInt64(largest)
        switch settings.kind {
        case .verify:
            var writes: [(UInt64, Int)] = []
            let n = max(1, settings.operations / 2)
            for _ in 0..<n {
                let count = Int(rng.next() % bs) + 1
                let lba = rng.next() % (span - UInt64(count) + 1)
                writes.append((lba, count))
            }
            plan = writes.map { (.write, $0.0, $0.1) } + [(.flush, 0, 0)] + writes.map { (.read, $0.0, $0.1) }
        case .seq:
            let n = max(1, settings.operations / 2)
            let count = Int(bs)
            let slots = span / UInt64(count)          // whole extents that fit; wraps around after that
            let extents = (0..<n).map { (UInt64($0) % slots * UInt64(count), count) }
            plan = extents.map { (.write, $0.0, $0.1) } + [(.flush, 0, 0)] + extents.map { (.read, $0.0, $0.1) }
        case .randrw, .randread:
            plan = []
        }
    }

    private func nextRequest() -> BlockRequest? {
        if stopped { return nil }
        if !plan.isEmpty {
            guard planIndex < plan.count else { return nil }
            let (op, lba, count) = plan[planIndex]
            // A flush waits for everything before it; a read waits for writes it overlaps.
            if op == .flush && !inFlight.isEmpty { return nil }
            if flushInFlight { return nil }
            if op != .flush && conflicts(lba..<lba + UInt64(count), write: op == .write) { return nil }
            planIndex += 1
            return make(op, lba, count)
        }
        guard issued < settings.operations else { return nil }
        if flushInFlight { return nil }
        if let every = flushEvery, writesSinceFlush >= every {
            guard inFlight.isEmpty else { return nil }
            writesSinceFlush = 0
            return make(.flush, 0, 0)
        }
        let bs = UInt64(largest)
        let count = settings.kind == .randread ? Int(bs) : Int(rng.next() % bs) + 1
        let lba = rng.next() % (span - UInt64(count) + 1)
        let write = settings.kind == .randrw && rng.next() % 2 == 0
        // A conflicting request is dropped (not retried) and the queue waits for a completion; the
        // random stream stays the same whatever the timing, since timing is deterministic too.
        if conflicts(lba..<lba + UInt64(count), write: write) { return nil }
        if write { writesSinceFlush += 1 }
        return make(write ? .write : .read, lba, count)
    }

    /// Requests in flight by kind (so the common checks need no scan of ``inFlight``).
    private var writesInFlight = 0
    private var flushesInFlight = 0
    private var flushInFlight: Bool { flushesInFlight > 0 }

    private func conflicts(_ r: Range<UInt64>, write: Bool) -> Bool {
        // Reads never conflict with reads: with no write in flight, a read can always go.
        if !write && writesInFlight == 0 { return false }
        return inFlight.values.contains { $0.1.overlaps(r) && (write || $0.0.operation == .write) }
    }

    private func track(_ op: BlockOperation, _ delta: Int) {
        switch op {
        case .write: writesInFlight += delta
        case .flush: flushesInFlight += delta
        case .read: break
        }
    }

    private func make(_ op: BlockOperation, _ lba: UInt64, _ count: Int) -> BlockRequest {
        var req = BlockRequest(id: nextID, operation: op, lba: lba, blockCount: count)
        nextID += 1
        issued += 1
        if op == .write {
            if baseIsLive { captureBaseline(lba, count) }
            var data = [UInt8](repeating: 0, count: count * blockSize)
            data.withUnsafeMutableBytes { b in
                var i = 0
                while i + 8 <= b.count { b.storeBytes(of: rng.next().littleEndian, toByteOffset: i, as: UInt64.self); i += 8 }
                while i < b.count { b[i] = UInt8(truncatingIfNeeded: rng.next()); i += 1 }
            }
            req.data = data
        }
        return req
    }

    private func captureBaseline(_ lba: UInt64, _ count: Int) {
        for b in 0..<UInt64(count) where shadow[lba + b] == nil && baseline[lba + b] == nil && !unknown.contains(lba + b) {
            var block = [UInt8](repeating: 0, count: blockSize)
            block.withUnsafeMutableBytes { baseReader(lba + b, 1, $0) }
            baseline[lba + b] = block
        }
    }

    /// Issues requests until the queue is full or the next one must wait.
    private func fill() {
        while inFlight.count < settings.queueDepth, let req = nextRequest() {
            let range = req.lba..<req.lba + UInt64(req.blockCount)
            inFlight[req.id] = (req, range)
            track(req.operation, 1)
            onSubmit?(req)
            if tracksDurability && req.operation == .flush { flushCovers[req.id] = volatile }
            do { try device.submit(req) } catch {
                inFlight[req.id] = nil
                track(req.operation, -1)
                result.errors += 1
                result.operations += 1
                if req.operation == .write { forget(req.lba, req.blockCount) }
                if result.errorSamples.count < 16 { result.errorSamples.append("submit of \(req.operation) of \(req.blockCount) blocks at LBA \(req.lba) failed: \(error)") }
            }
        }
    }

    /// The disk lost power (ATA8-ACS: the volatile write cache is gone): blocks written since the
    /// last completed flush, and those of writes in flight, may now hold their old or new content,
    /// so reads of them are not compared until rewritten. Blocks a completed flush covered must
    /// still read as written — losing them is the durability bug the check exists for.
    /// Needs ``tracksDurability``.
    public func powerLost() {
        for lba in volatile { shadow[lba] = nil; unknown.insert(lba) }
        for (req, _) in inFlight.values where req.operation == .write { forget(req.lba, req.blockCount) }
        volatile.removeAll()
        for k in flushCovers.keys { flushCovers[k] = [] }
    }

    /// A failed write: its blocks may hold old, new or mixed data now.
    private func forget(_ lba: UInt64, _ count: Int) {
        for b in 0..<UInt64(count) { shadow[lba + b] = nil; unknown.insert(lba + b) }
    }

    public func completed(_ c: BlockCompletion) {
        if outside.contains(c.id), inFlight[c.id] == nil { extra[c.id] = c; return }
        guard let (req, _) = inFlight.removeValue(forKey: c.id).map({ e -> (BlockRequest, Range<UInt64>) in track(e.0.operation, -1); return e }) else {
            result.errors += 1
            if result.errorSamples.count < 16 { result.errorSamples.append("completion for unknown or already completed request \(c.id)") }
            return
        }
        result.operations += 1
        onCompletion?(req, c)
        if c.status != .success {
            result.errors += 1
            if case .mediaError = c.status { result.mediaErrors += 1 }
            if req.operation == .write { forget(req.lba, req.blockCount) }
            if result.errorSamples.count < 16 { result.errorSamples.append("\(req.operation) of \(req.blockCount) blocks at LBA \(req.lba): \(c.status)") }
        } else {
            switch req.operation {
            case .write:
                result.writes += 1
                result.bytes += req.data.count
                if tracksDurability { for b in 0..<UInt64(req.blockCount) { volatile.insert(req.lba + b) } }
                for b in 0..<req.blockCount {
                    let lba = req.lba + UInt64(b)
                    shadow[lba] = Array(req.data[b * blockSize..<(b + 1) * blockSize])
                    if !unknown.isEmpty { unknown.remove(lba) }
                }
            case .read:
                result.reads += 1
                result.bytes += c.data.count
                check(req, c.data)
            case .flush:
                result.flushes += 1
                if tracksDurability, let covered = flushCovers.removeValue(forKey: c.id) { volatile.subtract(covered) }
            }
        }
        if req.operation == .flush { flushCovers[c.id] = nil }
        if result.operations % 1024 == 0 { progress?(result.operations) }
        fill()
    }

    private func check(_ req: BlockRequest, _ data: [UInt8]) {
        let n = req.blockCount * blockSize
        guard data.count == n else {
            mismatch(req.lba)
            return
        }
        if scratch.count < n { scratch = [UInt8](repeating: 0, count: n) }
        scratch.withUnsafeMutableBytes { baseReader(req.lba, req.blockCount, UnsafeMutableRawBufferPointer(rebasing: $0[0..<n])) }
        if shadow.isEmpty && baseline.isEmpty && unknown.isEmpty {
            // Nothing written yet (randread): one comparison of the whole request.
            let same = data.withUnsafeBytes { d in scratch.withUnsafeBytes { s in memcmp(d.baseAddress!, s.baseAddress!, n) == 0 } }
            if !same { firstDifferingBlock(req, data) }
            return
        }
        firstDifferingBlock(req, data)
    }

    private func firstDifferingBlock(_ req: BlockRequest, _ data: [UInt8]) {
        let bs = blockSize
        data.withUnsafeBytes { d in
            for b in 0..<req.blockCount {
                let lba = req.lba + UInt64(b)
                if !unknown.isEmpty && unknown.contains(lba) { continue }
                let got = d.baseAddress! + b * bs
                let same: Bool
                if let want = shadow[lba] ?? baseline[lba] {
                    same = want.withUnsafeBytes { memcmp(got, $0.baseAddress!, bs) == 0 }
                } else {
                    same = scratch.withUnsafeBytes { memcmp(got, $0.baseAddress! + b * bs, bs) == 0 }
                }
                if !same { mismatch(lba); return }
            }
        }
    }

    private func mismatch(_ lba: UInt64) {
        result.mismatches += 1
        if result.firstMismatchLBA == nil { result.firstMismatchLBA = lba }
    }
}
