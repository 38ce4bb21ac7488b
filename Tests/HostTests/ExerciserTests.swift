import BoxlessPlatform
import BoxlessRunner
import Testing

@Suite struct ExerciserTests {
    @Test(arguments: ["msix", "msi", "intx"])
    func endToEndInEveryInterruptMode(mode: String) throws {
        var o = ExerciseOptions()
        o.interrupts = mode
        o.operations = 60
        let s = try ExerciseRun.run(o)
        #expect(s.interrupt_mode == mode)
        #expect(s.findings == [])
        #expect(s.errors == 0 && s.operations == 60)
        #expect(s.passed)
    }

    @Test func sameSeedSameDigestDifferentSeedDifferentDigest() throws {
        var o = ExerciseOptions()
        o.operations = 40
        let a = try ExerciseRun.run(o), b = try ExerciseRun.run(o)
        #expect(a.digest == b.digest && a.events == b.events && a.virtual_ns == b.virtual_ns)
        o.seed = 2
        let c = try ExerciseRun.run(o)
        #expect(c.passed)
        #expect(c.digest != a.digest)
    }

    @Test func eventLogFileHasOneJSONObjectPerRecord() throws {
        let path = FileManagerShim.temporaryPath("events.jsonl")
        var o = ExerciseOptions()
        o.operations = 5
        o.eventLogPath = path
        let s = try ExerciseRun.run(o)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(UInt64(lines.count) == s.events)
        #expect(lines.first?.hasPrefix("{\"i\":0,") == true)
    }
}

import Foundation
enum FileManagerShim {
    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("boxless-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}
