import ArgumentParser
import BoxlessRunner
import Foundation

/// `exercise`: a block workload through the exerciser and its driver.
struct Exercise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a seeded block workload through the exerciser (synthetic device) and its driver, and check it.")
    @Option(help: "The run's seed.") var seed: UInt64 = 1
    @Option(help: "Interrupt mode for the driver: msix, msi, intx or auto.") var interrupts = "auto"
    @Option(help: "Block operations.") var ops = 200
    @Flag(help: "Turn strict mode off.") var lenient = false
    @Option(help: "Write the event log as JSON Lines to this file.") var eventLog: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard ["msix", "msi", "intx", "auto"].contains(interrupts) else {
            throw ValidationError("--interrupts must be msix, msi, intx or auto (got '\(interrupts)')")
        }
        guard (1...1_000_000).contains(ops) else { throw ValidationError("--ops must be 1…1000000 (got \(ops))") }
    }

    func run() throws {
        var o = ExerciseOptions()
        o.seed = seed; o.interrupts = interrupts; o.operations = ops; o.strict = !lenient; o.eventLogPath = eventLog
        let s: ExerciseSummary
        do { s = try ExerciseRun.run(o) } catch { throw fail("\(error)") }
        if json { try printJSON(s) } else {
            print("exerciser via \(s.driver) (\(s.interrupt_mode)): \(s.operations) ops, \(s.bytes) bytes, \(s.errors) errors")
            print("virtual \(Double(s.virtual_ns) / 1e6) ms, wall \(Double(s.wall_ns) / 1e6) ms, \(s.events) events")
            print("digest \(s.digest)")
            for f in s.findings { print("finding: \(f)") }
            print(s.passed ? "PASSED" : "FAILED")
        }
        if !s.passed { throw ExitCode(1) }
    }
}
