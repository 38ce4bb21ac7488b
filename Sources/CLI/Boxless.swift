import ArgumentParser
import BoxlessRunner
import Foundation

/// `boxless`: the command line of the Boxless emulator (DESIGN.md, "Command line").
@main
struct Boxless: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boxless",
        abstract: "Deterministic PCI device emulation for driver development.",
        subcommands: [Devices.self, LSPCICommand.self, Replay.self, Disk.self, DiskBench.self, GenTrace.self, Bench.self, Exercise.self])

    /// Runs the command; any error becomes ONE line on stderr and a non-zero exit (DESIGN.md:
    /// bad input gets one clear error line, exit status 2; a run whose checks fail exits 1), while
    /// `--help` and `--version` print as usual.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("boxless: \(e.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("boxless: \(text)\n".utf8))
            // Bad input of any kind (unknown option, failed validation) exits 2, like CLIError;
            // 1 is kept for runs whose checks failed.
            Foundation.exit(2)
        }
    }
}

/// Prints `value` as one JSON object with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

/// A user-facing error: one line naming the file or option and the problem (exit status 2).
struct CLIError: Error, CustomStringConvertible {
    /// The line to print.
    let description: String
}

/// The error to throw for bad input; `main` prints it as one line.
func fail(_ message: String) -> CLIError { CLIError(description: message) }

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the device models and their PCI IDs.")
    @Flag(help: "Print one JSON object.") var json = false

    struct Entry: Encodable { let name: String; let vendor_id: String; let device_id: String; let kind: String; let description: String; let driver: String }
    struct Summary: Encodable { let devices: [Entry]; let passed: Bool }

    func run() throws {
        let list = DeviceCatalog.entries.map {
            Entry(name: $0.name, vendor_id: String(format: "%04x", $0.vendorID), device_id: String(format: "%04x", $0.deviceID),
                  kind: $0.kind, description: $0.description, driver: $0.driver.name)
        }
        if json { try printJSON(Summary(devices: list, passed: true)); return }
        for d in list { print("\(d.name)\t\(d.vendor_id):\(d.device_id)\t\(d.kind)\tdriver \(d.driver)\t\(d.description)") }
    }
}

struct LSPCICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lspci", abstract: "Show the emulated machine, as lspci does.")
    @Flag(name: .short, help: "Verbose: BARs, capabilities, drivers (like lspci -vv).") var verbose = false
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Devices to plug in, comma-separated catalog names (default: every model).") var devices: String?
    @Option(help: "The run's seed.") var seed: UInt64 = 1

    struct Summary: Encodable { let lspci: String; let functions: Int; let bound: [String]; let findings: [String]; let passed: Bool }

    func run() throws {
        let names = devices.map { $0.split(separator: ",").map(String.init) } ?? DeviceCatalog.entries.map(\.name)
        let slots = names.enumerated().map { MachineSpec.Slot(model: $0.element, device: UInt8(3 + $0.offset)) }
        let m: BoxlessMachine
        do {
            m = try BoxlessMachine(MachineSpec(slots: slots, seed: seed))
            try m.start()
        } catch { throw fail("\(error)") }
        m.machine.scheduler.runUntilIdle(maxEvents: 1_000_000)
        let text = LSPCI.render(m, verbose: verbose)
        let findings = m.machine.log.findings.map(\.description)
        if json {
            try printJSON(Summary(lspci: text, functions: m.machine.functions.count, bound: m.host.bound.map { "\($0.address) \($0.driverName)" },
                                  findings: findings, passed: findings.isEmpty))
        } else {
            print(text, terminator: "")
            for f in findings { print("finding: \(f)") }
        }
        m.host.detachAll()
        if !findings.isEmpty { throw ExitCode(1) }
    }
}

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
