import Testing
import Foundation
@testable import AHCIModel
@testable import BoxlessPlatform

@Suite struct BackendTests {
    /// A fresh temporary directory (removed by the caller).
    func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("ahci-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    func read(_ b: any BlockBackend, _ lba: UInt64, _ n: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0xEE, count: n * 512)
        var failure: StorageError?
        out.withUnsafeMutableBytes { p in
            do throws(StorageError) { try b.read(lba: lba, count: n, into: p) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    func write(_ b: any BlockBackend, _ lba: UInt64, _ data: [UInt8]) throws {
        var failure: StorageError?
        data.withUnsafeBytes { p in
            do throws(StorageError) { try b.write(lba: lba, count: data.count / 512, from: p) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    @Test func memoryBackendIsSparse() throws {
        let tib: UInt64 = 1 << 40
        let b = MemoryBackend(bytes: tib)
        #expect(b.sectorCount == tib / 512 && b.allocatedBytes == 0)
        #expect(try read(b, b.sectorCount - 4, 4) == [UInt8](repeating: 0, count: 2048))
        let d = pattern(9, bytes: 1024)
        try write(b, b.sectorCount - 2, d)
        #expect(b.allocatedBytes == SparseSectorStore.chunkBytes)
        #expect(try read(b, b.sectorCount - 3, 3) == [UInt8](repeating: 0, count: 512) + d)
        #expect(throws: StorageError.outOfRange(lba: b.sectorCount - 1, count: 2, capacity: b.sectorCount)) {
            try read(b, b.sectorCount - 1, 2)
        }
    }

    @Test func overlayKeepsTheBaseUntouched() throws {
        let base = MemoryBackend(sectors: 1024)
        let old = pattern(1, bytes: 4096)
        try write(base, 100, old)
        let o = OverlayBackend(base: base)
        let new = pattern(2, bytes: 1024)
        try write(o, 102, new)                                   // a write straddling nothing but the middle
        #expect(try read(o, 100, 8) == Array(old[0..<1024]) + new + Array(old[2048...]))
        #expect(try read(base, 100, 8) == old)
        #expect(o.modifiedSectors == 2)
        #expect(try read(o, 102, 2) == new)                      // fully covered read
    }

    @Test func readOnlyImageIsNeverModifiedThroughTheController() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("disk.img").path
        let original = Data(pattern(5, bytes: 64 * 512))
        try original.write(to: URL(fileURLWithPath: path))
        let file = try FileBackend(path: path, writable: false)
        #expect(file.sectorCount == 64 && !file.isWritable)
        #expect(throws: StorageError.readOnly(label: path)) { try write(file, 0, pattern(1, bytes: 512)) }
        let disk = SATADisk(backend: OverlayBackend(base: file))
        let rig = Rig(disks: [disk])
        rig.bringUp()
        let d = pattern(6, bytes: 4096)
        rig.fill(Rig.dataBase, d)
        rig.prepare(0, 0, rw(ATACommand.writeDMAExt, lba: 8, count: 8), prds: [(Rig.dataBase, 4096, false)], write: true)
        rig.issue(0, 0)
        rig.settle()
        rig.prepare(0, 1, command(ATACommand.flushCacheExt))
        rig.issue(0, 1)
        rig.settle()
        #expect(rig.pr(0, PortRegister.tfd) == 0x50)
        #expect(try disk.contents(lba: 8, count: 8) == d)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
    }

    @Test func writableImagePersistsAfterFlush() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rw.img").path
        try Data(count: 16 * 512).write(to: URL(fileURLWithPath: path))
        let file = try FileBackend(path: path, writable: true)
        let d = pattern(7, bytes: 1024)
        try write(file, 3, d)
        try file.flush()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[1536..<2560]) == d)
        #expect(try read(file, 3, 2) == d)
    }

    @Test func openErrorsNameTheFileAndTheProblem() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope.img").path
        #expect(throws: StorageError.missing(path: missing)) { _ = try FileBackend(path: missing, writable: false) }
        #expect(throws: StorageError.notRegularFile(path: dir.path, kind: "directory")) { _ = try FileBackend(path: dir.path, writable: false) }
        let odd = dir.appendingPathComponent("odd.img").path
        try Data(count: 1000).write(to: URL(fileURLWithPath: odd))
        #expect(throws: StorageError.sizeNotMultipleOfSector(path: odd, size: 1000)) { _ = try FileBackend(path: odd, writable: false) }
        #expect(StorageError.sizeNotMultipleOfSector(path: odd, size: 1000).description.contains("not a multiple of the 512-byte sector size"))
        let empty = dir.appendingPathComponent("empty.img").path
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(throws: StorageError.empty(path: empty)) { _ = try FileBackend(path: empty, writable: false) }
        #expect(StorageError.missing(path: missing).description == "\(missing): no such file")
    }

    @Test func sparseStoreRunsAreOrderedAndMerged() {
        let s = SparseSectorStore()
        let d = [UInt8](repeating: 1, count: 512 * 130)
        d.withUnsafeBytes { s.write(lba: 300, count: 2, from: UnsafeRawBufferPointer(rebasing: $0[0..<1024])) }
        d.withUnsafeBytes { s.write(lba: 100, count: 130, from: $0) }     // crosses a chunk boundary
        #expect(s.runs == [100..<230, 300..<302])
        #expect(s.coverage(lba: 100, count: 130) == .full && s.coverage(lba: 99, count: 2) == .partial && s.coverage(lba: 0, count: 10) == .none)
        s.discard(lba: 100, count: 130)
        #expect(s.runs == [300..<302] && s.presentSectors == 2)
    }
}
