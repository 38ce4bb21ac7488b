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
    /// Random reads only (the IOPS benchmark), checked against the shadow/base content.
    case randread
}

/// Drives a ``BlockDevice`` with a seeded workload at a queue depth and checks every read: it must
/// return the last data written (or the base content where nothing was written). Requests that
/// overlap a write in flight are never issued together, so "last written" is well defined.
public final class BlockWorkload: BlockClient {
    /// Settings.
    public struct Settings: Sendable {
        /// The workload.
        public var kind: WorkloadKind = .verify
        /// Requests to complete (reads and writes; flushes come on top).
        public var operations: Int = 1000
        /// Requests in flight at most.
        public var queueDepth: Int = 1
        /// Largest request in blocks (random sizes from 1 up to this; seq uses this size).
        public var maxBlocks: Int = 16
        /// Blocks of the device the workload touches (from 0); nil = the whole device.
        public var span: UInt64?
        /// Creates default settings.
        public init() {}
    }

    /// Results.
    public struct Result: Sendable {
        /// Requests completed (reads, writes, flushes).
        public var operations = 0
        /// Reads completed.
        public var reads = 0
        /// Writes completed.
        public var writes = 0
        /// Flushes completed.
        public var flushes = 0
        /// Bytes moved.
        public var bytes = 0
        /// Requests that failed (status != success).
        public var errors = 0
        /// Reads whose data differed from the expected data.
        public var mismatches = 0
        /// The first mismatch: LBA.
        public var firstMismatchLBA: UInt64?
        /// Errors by kind, e.g. "media error at LBA 100".
        public var errorSamples: [String] = []
    }

    let device: any BlockDevice
    let host: EmulatorHost
    let settings: Settings
    var rng: SeededRandom
    /// Expected content of written blocks; unwritten blocks read as `base(lba)`.
    public private(set) var shadow: [UInt64: [UInt8]] = [:]
    let base: (UInt64) -> [UInt8]
    private var inFlight: [UInt64: (BlockRequest, Range<UInt64>)] = [:]
    private var nextID: UInt64 = 0
    private var issued = 0
    private var result = Result()
    private var plan: [(BlockOperation, UInt64, Int)] = []     // for verify/seq: a fixed sequence
    private var planIndex = 0
    private var blockSize: Int { device.geometry.blockSize }
    /// Called for each completion (hooks for power-loss tests).
    public var onCompletion: ((BlockRequest, BlockCompletion) -> Void)?
    /// For random workloads: issue a FLUSH (with nothing else in flight) after this many writes.
    public var flushEvery: Int?
    private var writesSinceFlush = 0

    /// Creates a workload; `base` gives the content of a block nobody wrote yet.
    public init(device: any BlockDevice, host: EmulatorHost, settings: Settings, random: SeededRandom,
                base: @escaping (UInt64) -> [UInt8]) {
        self.device = device; self.host = host; self.settings = settings; self.rng = random; self.base = base
    }

    private var span: UInt64 { min(settings.span ?? device.geometry.blockCount, device.geometry.blockCount) }

    /// Runs to completion (or until `maxEvents` scheduler events pass) and returns the results.
    public func run(maxEvents: UInt64 = 200_000_000) -> Result {
        host.onCPU { device.setClient(self) }
        makePlan()
        host.onCPU { fill() }
        let s = host.machine.scheduler
        let start = s.eventsRun
        while result.operations < totalOperations, s.eventsRun - start < maxEvents {
            if !s.step(notAfter: VirtualTime(rawValue: .max)) { break }
        }
        return result
    }

    private var totalOperations: Int { plan.isEmpty ? settings.operations : plan.count }

    private func makePlan() {
        let bs = UInt64(max(1, settings.maxBlocks))
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
            let count = Int(min(bs, span))
            let extents = (0..<n).map { (UInt64($0 * count) % (span - UInt64(count) + 1), count) }
            plan = extents.map { (.write, $0.0, $0.1) } + [(.flush, 0, 0)] + extents.map { (.read, $0.0, $0.1) }
        case .randrw, .randread:
            plan = []
        }
    }

    private func nextRequest() -> BlockRequest? {
        if !plan.isEmpty {
            guard planIndex < plan.count else { return nil }
            let (op, lba, count) = plan[planIndex]
            // A flush waits for everything before it; a read waits for writes it overlaps.
            if op == .flush && !inFlight.isEmpty { return nil }
            if inFlight.values.contains(where: { $0.0.operation == .flush }) { return nil }
            if op != .flush && conflicts(lba..<lba + UInt64(count), write: op == .write) { return nil }
            planIndex += 1
            return make(op, lba, count)
        }
        guard issued < settings.operations else { return nil }
        if inFlight.values.contains(where: { $0.0.operation == .flush }) { return nil }
        if let every = flushEvery, writesSinceFlush >= every {
            guard inFlight.isEmpty else { return nil }
            writesSinceFlush = 0
            return make(.flush, 0, 0)
        }
        let bs = UInt64(max(1, settings.maxBlocks))
        let count = settings.kind == .randread ? Int(bs) : Int(rng.next() % bs) + 1
        let lba = rng.next() % (span - UInt64(count) + 1)
        let write = settings.kind == .randrw && rng.next() % 2 == 0
        if conflicts(lba..<lba + UInt64(count), write: write) { return nil }
        if write { writesSinceFlush += 1 }
        return make(write ? .write : .read, lba, count)
    }

    private func conflicts(_ r: Range<UInt64>, write: Bool) -> Bool {
        inFlight.values.contains { $0.1.overlaps(r) && (write || $0.0.operation == .write) }
    }

    private func make(_ op: BlockOperation, _ lba: UInt64, _ count: Int) -> BlockRequest {
        var req = BlockRequest(id: nextID, operation: op, lba: lba, blockCount: count)
        nextID += 1
        issued += 1
        if op == .write {
            var data = [UInt8](repeating: 0, count: count * blockSize)
            var i = 0
            while i < data.count {
                let v = rng.next()
                for k in 0..<8 where i + k < data.count { data[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
                i += 8
            }
            req.data = data
        }
        return req
    }

    /// Issues requests until the queue is full or the next one must wait.
    private func fill() {
        while inFlight.count < settings.queueDepth, let req = nextRequest() {
            let range = req.lba..<req.lba + UInt64(req.blockCount)
            inFlight[req.id] = (req, range)
            do { try device.submit(req) } catch {
                inFlight[req.id] = nil
                result.errors += 1
                result.operations += 1
                if result.errorSamples.count < 16 { result.errorSamples.append("submit of request \(req.id) failed: \(error)") }
            }
        }
    }

    public func completed(_ c: BlockCompletion) {
        guard let (req, _) = inFlight.removeValue(forKey: c.id) else {
            result.errors += 1
            if result.errorSamples.count < 16 { result.errorSamples.append("completion for unknown or already completed request \(c.id)") }
            return
        }
        result.operations += 1
        onCompletion?(req, c)
        if c.status != .success {
            result.errors += 1
            if result.errorSamples.count < 16 { result.errorSamples.append("\(req.operation) of \(req.blockCount) blocks at LBA \(req.lba): \(c.status)") }
        } else {
            switch req.operation {
            case .write:
                result.writes += 1
                result.bytes += req.data.count
                for b in 0..<req.blockCount {
                    shadow[req.lba + UInt64(b)] = Array(req.data[b * blockSize..<(b + 1) * blockSize])
                }
            case .read:
                result.reads += 1
                result.bytes += c.data.count
                if c.data.count != req.blockCount * blockSize {
                    result.mismatches += 1
                    if result.firstMismatchLBA == nil { result.firstMismatchLBA = req.lba }
                } else {
                    for b in 0..<req.blockCount {
                        let lba = req.lba + UInt64(b)
                        let want = shadow[lba] ?? base(lba)
                        if !c.data[b * blockSize..<(b + 1) * blockSize].elementsEqual(want) {
                            result.mismatches += 1
                            if result.firstMismatchLBA == nil { result.firstMismatchLBA = lba }
                            break
                        }
                    }
                }
            case .flush:
                result.flushes += 1
            }
        }
        fill()
    }
}
