import AHCIDriver
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import NativeDriverKit
import Testing

final class PortClient: BlockClient {
    var completions: [UInt64: BlockCompletion] = [:]
    var duplicates = 0
    func completed(_ c: BlockCompletion) {
        if completions.updateValue(c, forKey: c.id) != nil { duplicates += 1 }
    }
}

@Suite struct AHCIMultiPortTests {
    /// Ports 0 and 2 hold disks (an SSD and a 7200 rpm disk), port 1 is empty: the driver serves
    /// both disks independently, each with its own data, through the shared interrupt.
    @Test(arguments: ["msi", "intx"])
    func twoDisksAndAnEmptyPort(interrupts: String) throws {
        let m = Machine(configuration: MachineConfiguration(seed: 3, strict: true))
        let a = SATADisk(backend: MemoryBackend(sectors: 4096), model: "Disk A", serial: "A1")
        let b = SATADisk(backend: MemoryBackend(sectors: 8192), profile: .hdd7200, model: "Disk B", serial: "B2")
        _ = m.plug(AHCIController(ports: [a, nil, b]), at: PCIAddress(device: 4))
        let host = EmulatorHost(machine: m)
        host.driverParameters = ["interrupts": interrupts]
        host.register(AHCIDriver.self)
        try host.start()
        let driver = try #require(host.bound.first?.instance as? AHCIDriver)
        #expect(driver.disks.map(\.number) == [0, 2])
        #expect(driver.disks.map { $0.identify?.model } == ["Disk A", "Disk B"])
        #expect(driver.disks.map(\.geometry.blockCount) == [4096, 8192])
        let clients = [PortClient(), PortClient()]
        var id: UInt64 = 0
        var requests: [[BlockRequest]] = [[], []]
        for (i, disk) in driver.disks.enumerated() {
            host.onCPU { disk.setClient(clients[i]) }
            for k in 0..<16 {
                id += 1
                let lba = UInt64(k * 8)
                requests[i].append(BlockRequest(id: id, operation: .write, lba: lba, blockCount: 8,
                                                data: pattern(lba: lba, count: 8, generation: UInt8(i + 1))))
            }
        }
        host.onCPU { for i in 0..<2 { for r in requests[i] { try? driver.disks[i].submit(r) } } }
        m.scheduler.runUntilIdle(maxEvents: 5_000_000)
        var reads: [[BlockRequest]] = [[], []]
        for i in 0..<2 {
            #expect(requests[i].allSatisfy { clients[i].completions[$0.id]?.status == .success })
            for k in 0..<16 { id += 1; reads[i].append(BlockRequest(id: id, operation: .read, lba: UInt64(k * 8), blockCount: 8)) }
        }
        host.onCPU { for i in 0..<2 { for r in reads[i] { try? driver.disks[i].submit(r) } } }
        m.scheduler.runUntilIdle(maxEvents: 5_000_000)
        for i in 0..<2 {
            for r in reads[i] {
                #expect(clients[i].completions[r.id]?.data == pattern(lba: r.lba, count: 8, generation: UInt8(i + 1)))
            }
            #expect(clients[i].duplicates == 0)
        }
        host.detachAll()
        #expect(m.log.findings.map(\.description) == [])
    }
}
