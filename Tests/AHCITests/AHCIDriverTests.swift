import AHCIDriver
import AHCIModel
import BoxlessPlatform
import EmulatorHost
import Foundation
import NativeDriverKit
import Testing

@Suite struct AHCIDriverTests {
    // MARK: probe

    @Test func probeReadsIdentifyAndServesTheGeometry() throws {
        let rig = try Rig(model: "Boxless Test Disk")
        let g = rig.device.geometry
        #expect(g.blockSize == 512)
        #expect(g.blockCount == Rig.sectors)
        #expect(g.maximumQueueDepth == 32)
        #expect(rig.driver.disks.count == 1)
        let id = try #require(rig.driver.disks.first?.identify)
        #expect(id.model == "Boxless Test Disk")
        #expect(id.serial == "BX0001")
        #expect(id.firmware == "1.0")
        #expect(id.supportsNCQ && id.supportsLBA48)
        #expect(rig.driver.disks.first?.ncqEnabled == true)
        let noisy = rig.host.driverLog.filter { $0.level >= .warning }.map(\.message)
        #expect(noisy == [])
        #expect(rig.detach() == [])
    }

    @Test func ncqOffGivesQueueDepthOneAndAFullQueueIsRefused() throws {
        let rig = try Rig(parameters: ["ncq": "0"])
        #expect(rig.device.geometry.maximumQueueDepth == 1)
        #expect(rig.driver.disks.first?.ncqEnabled == false)
        let a = rig.read(0, 1), b = rig.read(1, 1)
        #expect(rig.submitError(a) == nil)
        let second = rig.submitError(b)
        guard case .resourceUnavailable? = second else { Issue.record("second submit: \(String(describing: second))"); return }
        rig.machine.scheduler.runUntilIdle(maxEvents: 1_000_000)
        #expect(rig.client.completions[a.id]?.status == .success)
        #expect(rig.detach() == [])
    }

    // MARK: data path

    /// Writes a random mix of requests, flushes, reads every written range back and compares.
    @Test(arguments: [("1", "msi", 32), ("1", "intx", 32), ("1", "msi", 1), ("0", "msi", 1), ("0", "intx", 1)])
    func writeFlushReadBackVerifies(ncq: String, interrupts: String, depth: Int) throws {
        let rig = try Rig(parameters: ["ncq": ncq, "interrupts": interrupts])
        #expect(rig.driver.interruptMode == (interrupts == "msi" ? .msi : .intx))
        var rng = TestRandom(state: 7)
        var shadow: [UInt64: [UInt8]] = [:]              // sector → contents
        var writes: [BlockRequest] = []
        for gen in 0..<96 {
            let count = 1 + rng.below(16)
            let lba = UInt64(rng.below(Int(Rig.sectors) - count))
            let data = pattern(lba: lba, count: count, generation: UInt8(gen & 0xFF))
            writes.append(rig.write(lba, data))
        }
        // Writes in one batch may overlap; the shadow keeps the last one written for each sector only
        // when no two in-flight writes overlap, so issue overlapping writes in separate rounds.
        var rounds: [[BlockRequest]] = [[]]
        var claimed = Set<UInt64>()
        for w in writes {
            let sectors = (w.lba..<(w.lba + UInt64(w.blockCount)))
            if sectors.contains(where: claimed.contains) { rounds.append([]); claimed = [] }
            rounds[rounds.count - 1].append(w)
            claimed.formUnion(sectors)
        }
        for round in rounds {
            for c in rig.run(round, depth: depth) { #expect(c.status == .success, "write \(c.id): \(c.status)") }
            for w in round {
                for s in 0..<w.blockCount { shadow[w.lba + UInt64(s)] = Array(w.data[(s * 512)..<((s + 1) * 512)]) }
            }
        }
        let f = rig.flush()
        #expect(rig.run([f], depth: 1).first?.status == .success)
        let reads = writes.map { rig.read($0.lba, $0.blockCount) }
        var mismatches = 0
        for (r, c) in zip(reads, rig.run(reads, depth: depth)) {
            #expect(c.status == .success)
            guard c.data.count == r.blockCount * 512 else { mismatches += 1; continue }
            for s in 0..<r.blockCount where Array(c.data[(s * 512)..<((s + 1) * 512)]) != shadow[r.lba + UInt64(s)] { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(rig.host.driverErrors == 0)
        #expect(rig.detach() == [])
    }

    /// A flush completes after every write submitted before it, and before any request after it.
    @Test func flushIsOrderedAfterEarlierWrites() throws {
        let rig = try Rig()
        var order: [UInt64] = []
        var requests: [BlockRequest] = []
        for i in 0..<20 { requests.append(rig.write(UInt64(i * 8), pattern(lba: UInt64(i * 8), count: 8))) }
        let f = rig.flush()
        requests.append(f)
        for i in 0..<8 { requests.append(rig.read(UInt64(i * 8), 8)) }
        rig.client.onCompletion = { order.append($0.id) }
        let driver = rig.driver
        rig.host.onCPU { for r in requests { try? driver.submit(r) } }
        rig.machine.scheduler.runUntilIdle(maxEvents: 5_000_000)
        #expect(order.count == requests.count)
        let flushAt = try #require(order.firstIndex(of: f.id))
        #expect(Set(order[..<flushAt]) == Set(requests[..<20].map(\.id)))
        #expect(rig.detach() == [])
    }

    // MARK: errors

    /// Reads over a bad range fail with a media error on a bad block; every other request succeeds.
    @Test(arguments: ["1", "0"])
    func mediaErrorIsReportedAndOthersAreServed(ncq: String) throws {
        let rig = try Rig(parameters: ["ncq": ncq])
        let good = (0..<32).map { rig.write(UInt64($0 * 16), pattern(lba: UInt64($0 * 16), count: 16)) }
        for c in rig.run(good, depth: 32) { #expect(c.status == .success) }
        rig.disk.markBad(lbaRange: 100..<104)
        var reads: [BlockRequest] = []
        for i in 0..<32 { reads.append(rig.read(UInt64(i * 16), 16)) }     // block 96..<112 covers the bad range
        let results = rig.run(reads, depth: 32)
        for (r, c) in zip(reads, results) {
            if r.lba == 96 {
                guard case .mediaError(let lba) = c.status else { Issue.record("read at 96: \(c.status)"); continue }
                #expect((100..<104).contains(lba))
                #expect(c.data.isEmpty)
            } else {
                #expect(c.status == .success, "read at \(r.lba): \(c.status)")
                #expect(c.data == pattern(lba: r.lba, count: 16))
            }
        }
        #expect(rig.driver.disks.first?.mediaErrors == 1)
        #expect(rig.host.driverErrors == 0)
        // The port keeps working after the error.
        let after = rig.run([rig.read(200, 8)], depth: 1)
        #expect(after.first?.status == .success)
        #expect(rig.detach() == [])
    }

    @Test func requestsBeyondCapacityAreRefusedOrFailWithIDNF() throws {
        // Default: refused in submit.
        let rig = try Rig()
        let thrown = rig.submitError(rig.read(Rig.sectors - 2, 4))
        guard case .invalidArgument? = thrown else { Issue.record("submit beyond capacity: \(String(describing: thrown))"); return }
        #expect(rig.detach() == [])

        // range_check=0: the device answers IDNF, which reaches the caller; neighbours still succeed.
        for ncq in ["1", "0"] {
            let rig = try Rig(parameters: ["range_check": "0", "ncq": ncq])
            let ok1 = rig.read(0, 8), bad = rig.read(Rig.sectors - 2, 4), ok2 = rig.read(Rig.sectors - 8, 8)
            let results = rig.run([ok1, bad, ok2], depth: 32)
            #expect(results[0].status == .success)
            #expect(results[2].status == .success)
            guard case .invalid(let why) = results[1].status else { Issue.record("ncq=\(ncq) IDNF read: \(results[1].status)"); continue }
            #expect(why.contains("IDNF"))
            #expect(rig.detach() == [])
        }
    }

    // MARK: power loss

    @Test func flushedWritesSurvivePowerLoss() throws {
        let backend = MemoryBackend(sectors: Rig.sectors)
        let first = try Rig(backend: backend)
        let durable = (0..<16).map { (i: Int) -> BlockRequest in first.write(UInt64(i * 8), pattern(lba: UInt64(i * 8), count: 8, generation: 1)) }
        for c in first.run(durable, depth: 32) { #expect(c.status == .success) }
        #expect(first.run([first.flush()], depth: 1).first?.status == .success)
        // Written after the flush and never flushed: may be lost, must not corrupt the flushed data.
        let volatile = (0..<8).map { (i: Int) -> BlockRequest in
            let lba = UInt64(4096 + i * 8)
            return first.write(lba, pattern(lba: lba, count: 8, generation: 2))
        }
        for c in first.run(volatile, depth: 32) { #expect(c.status == .success) }
        first.disk.powerLoss()
        first.host.detachAll()

        let second = try Rig(backend: backend)
        let reads = (0..<16).map { second.read(UInt64($0 * 8), 8) }
        for (r, c) in zip(reads, second.run(reads, depth: 32)) {
            #expect(c.status == .success)
            #expect(c.data == pattern(lba: r.lba, count: 8, generation: 1), "flushed data at \(r.lba) lost")
        }
        let unflushed = (0..<8).map { second.read(UInt64(4096 + $0 * 8), 8) }
        for (r, c) in zip(unflushed, second.run(unflushed, depth: 32)) {
            #expect(c.status == .success)
            #expect(c.data == pattern(lba: r.lba, count: 8, generation: 2) || c.data == [UInt8](repeating: 0, count: 4096),
                    "unflushed data at \(r.lba) is neither old nor new")
        }
        #expect(second.detach() == [])
    }

    // MARK: detach

    @Test func detachFailsOutstandingRequestsOnceAndLeavesNothingBehind() throws {
        let rig = try Rig()
        let requests = (0..<32).map { rig.read(UInt64($0 * 8), 8) }
        let driver = rig.driver
        rig.host.onCPU { for r in requests { try? driver.submit(r) } }
        // Detach at once, with everything in flight.
        rig.host.detachAll()
        #expect(rig.client.completions.count == 32)
        #expect(rig.client.duplicates.isEmpty)
        for c in rig.client.completions.values { #expect(c.status == .deviceError("device removed")) }
        rig.machine.scheduler.runUntilIdle(maxEvents: 1_000_000)
        #expect(rig.findings == [])
    }

    // MARK: a real file system image

    @Test func readsTheSuperblockOfAnExt4Image() throws {
        let mkfs = "/sbin/mkfs.ext4"
        guard FileManager.default.isExecutableFile(atPath: mkfs) else {
            print("skipping the ext4 test: \(mkfs) is missing (Debian package e2fsprogs)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-ahci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("ext4.img").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mkfs)
        p.arguments = ["-q", "-F", image, "4M"]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "mkfs.ext4 exited with \(p.terminationStatus)")
        let before = try Data(contentsOf: URL(fileURLWithPath: image))

        let base = try FileBackend(path: image, writable: false)
        let rig = try Rig(backend: OverlayBackend(base: base))
        #expect(rig.device.geometry.blockCount == 8192)
        // The superblock is at byte 1024: sectors 2–3. s_magic (0xEF53) is at offset 56 (byte 1080).
        let results = rig.run([rig.read(2, 2)], depth: 1)
        let c = try #require(results.first)
        #expect(c.status == .success)
        #expect(c.data.count == 1024)
        if c.data.count == 1024 { #expect(UInt16(c.data[56]) | UInt16(c.data[57]) << 8 == 0xEF53) }
        // Writes land in the overlay, never in the image.
        let written = rig.run([rig.write(2, [UInt8](repeating: 0xAA, count: 1024)), rig.flush()], depth: 1)
        #expect(written.allSatisfy { $0.status == .success })
        #expect(rig.detach() == [])
        #expect(try Data(contentsOf: URL(fileURLWithPath: image)) == before)
    }
}
