import AHCIDriver
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import Testing

/// Records every completion; notes a second completion of the same id as a failure.
final class RecordingClient: BlockClient {
    var completions: [UInt64: BlockCompletion] = [:]
    var duplicates: [UInt64] = []
    /// Called after each completion is recorded (e.g. to submit the next request).
    var onCompletion: ((BlockCompletion) -> Void)?

    func completed(_ c: BlockCompletion) {
        if completions[c.id] != nil { duplicates.append(c.id) }
        completions[c.id] = c
        onCompletion?(c)
    }
}

/// A machine with an AHCI controller, one disk, and the AHCI driver bound to it.
final class Rig {
    static let sectors: UInt64 = 16_384          // 8 MiB
    let machine: Machine
    let host: EmulatorHost
    let disk: SATADisk
    let driver: AHCIDriver
    let client = RecordingClient()
    private var nextID: UInt64 = 1

    init(backend: any BlockBackend = MemoryBackend(sectors: Rig.sectors), parameters: [String: String] = [:],
         model: String = "Boxless SSD", disk makeDisk: ((any BlockBackend) -> SATADisk)? = nil) throws {
        machine = Machine(configuration: MachineConfiguration(seed: 1, strict: true))
        disk = makeDisk?(backend) ?? SATADisk(backend: backend, model: model, serial: "BX0001", firmware: "1.0")
        _ = machine.plug(AHCIController(ports: [disk]), at: PCIAddress(device: 4))
        host = EmulatorHost(machine: machine)
        host.driverParameters = parameters
        host.register(AHCIDriver.self)
        try host.start()
        guard let d = host.bound.first?.instance as? AHCIDriver else {
            throw RigError.notBound(host.probeFailures.map { "\($0.error)" }.joined(separator: "; "))
        }
        driver = d
        let client = self.client
        host.onCPU { d.setClient(client) }
    }

    enum RigError: Error { case notBound(String) }

    var device: any BlockDevice { driver }

    /// Submits on the CPU; returns the error `submit` threw, if any.
    func submitError(_ r: BlockRequest) -> DriverError? {
        let driver = self.driver
        return host.onCPU { () -> DriverError? in
            do throws(DriverError) { try driver.submit(r); return nil } catch { return error }
        }
    }

    func newID() -> UInt64 { defer { nextID += 1 }; return nextID }

    /// Runs `requests` keeping up to `depth` (at most the driver's queue depth) outstanding (submitting the next from each completion),
    /// then runs the machine until it is idle. Returns the completions in request order.
    func run(_ requests: [BlockRequest], depth requested: Int) -> [BlockCompletion] {
        let depth = min(requested, driver.geometry.maximumQueueDepth)
        var next = 0
        let driver = self.driver
        func fill() {
            while next < requests.count, outstanding() < depth {
                do { try driver.submit(requests[next]); next += 1 } catch { Issue.record("submit \(requests[next].id): \(error)"); next += 1 }
            }
        }
        var done = 0
        func outstanding() -> Int { next - done }
        client.onCompletion = { _ in done += 1; fill() }
        host.onCPU { fill() }
        machine.scheduler.runUntilIdle(maxEvents: 20_000_000)
        client.onCompletion = nil
        #expect(client.duplicates.isEmpty, "completed more than once: \(client.duplicates)")
        return requests.map { client.completions[$0.id] ?? BlockCompletion(id: $0.id, status: .deviceError("never completed")) }
    }

    func read(_ lba: UInt64, _ count: Int) -> BlockRequest {
        BlockRequest(id: newID(), operation: .read, lba: lba, blockCount: count)
    }
    func write(_ lba: UInt64, _ data: [UInt8]) -> BlockRequest {
        BlockRequest(id: newID(), operation: .write, lba: lba, blockCount: data.count / 512, data: data)
    }
    func flush() -> BlockRequest { BlockRequest(id: newID(), operation: .flush) }

    /// Findings, as text (empty when the run was clean).
    var findings: [String] { machine.log.findings.map(\.description) }

    /// Detaches and returns the findings of the whole run.
    func detach() -> [String] {
        host.detachAll()
        return findings
    }
}

/// Deterministic contents of `count` sectors at `lba` for generation `generation`.
func pattern(lba: UInt64, count: Int, generation: UInt8 = 0) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count * 512)
    for s in 0..<count {
        let sector = lba + UInt64(s)
        for i in 0..<512 {
            out[s * 512 + i] = UInt8(truncatingIfNeeded: sector &* 131 &+ UInt64(i) &* 7 &+ UInt64(generation) &* 29 &+ UInt64(i >> 8))
        }
    }
    return out
}

/// A small deterministic generator for test workloads.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
