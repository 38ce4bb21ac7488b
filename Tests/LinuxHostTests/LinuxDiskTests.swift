import BoxlessRunner
import Foundation
import Testing

@Suite("Linux host: ext4 on the AHCI model through Linux's ahci", .serialized, .enabled(if: umlAvailable, Comment(rawValue: umlMissing)))
struct LinuxDiskTests {
    func md5(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test("every file of a host-made ext4 image matches; a pattern is written, synced and read back on the overlay; the image is untouched")
    func readOnlyImageAndOverlay() throws {
        let image = TestPaths.temporary("ro.img")
        defer { try? FileManager.default.removeItem(atPath: image) }
        let count = try Ext4Image.make(at: image, sizeMiB: 32, seed: 7)
        let before = try md5(image)
        var o = DiskOptions()
        o.image = image
        let s = try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate())
        #expect(s.passed, "\(s.failures)")
        #expect(s.files_checked == count)
        #expect(s.mismatches == 0)
        #expect(s.driver.hasPrefix("linux ahci msi"))
        #expect(try md5(image) == before)
        #expect((s.kernel_log ?? []).contains { $0.contains("EXT4-fs (sda): mounted filesystem") })
    }

    @Test("--writable: the pattern reaches the image file (read back by debugfs after the run)")
    func writableImage() throws {
        let image = TestPaths.temporary("rw.img")
        defer { try? FileManager.default.removeItem(atPath: image) }
        try Ext4Image.make(at: image, sizeMiB: 32, seed: 8)
        var o = DiskOptions()
        o.image = image
        o.writable = true
        let s = try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate())
        #expect(s.passed, "\(s.failures)")
        let back = try #require(try Ext4Image.contents(of: "/boxless-pattern.txt", in: image))
        #expect(back.count == 1_288_895)
    }

    @Test("an image that is not ext4 is one clear error, before any guest starts")
    func notExt4() throws {
        let image = TestPaths.temporary("zero.img")
        defer { try? FileManager.default.removeItem(atPath: image) }
        FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20))
        var o = DiskOptions()
        o.image = image
        #expect { try LinuxDiskRun.run(o, files: LinuxGuestFiles.locate()) } throws: { "\($0)".contains("not an ext4 image") }
    }
}
