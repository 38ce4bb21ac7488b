import ArgumentParser
import BoxlessRunner
import Foundation
import Synchronization

/// The `boxless` command line as a library entry point (DESIGN.md, "Command line"): every
/// subcommand — `devices`, `lspci`, `replay`, `disk`, `disk-bench`, `gen-trace`, `bench`,
/// `exercise` — with every option, check and report, over a catalog the caller chooses.
///
/// A package outside this repository makes its own tool with one line in its executable target's
/// `main.swift`:
///
/// ```swift
/// import BoxlessCommand
/// BoxlessCommand.main(catalog: .standard + [myEntry])
/// ```
///
/// Exit status: 0 when the run's checks pass, 1 when they fail, 2 for bad input (one line on
/// standard error naming the file or option and the problem).
public struct BoxlessCommand: ParsableCommand {
    /// The tool's name in help and error lines: the executable's file name (`boxless`, `whitebox`).
    static let toolName = Mutex("boxless")

    /// The root command: its name and subcommands (ArgumentParser's requirement).
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: toolName.withLock { $0 },
            abstract: "Deterministic PCI device emulation for driver development.",
            subcommands: [Devices.self, LSPCICommand.self, Replay.self, Disk.self, DiskBench.self, GenTrace.self, Bench.self, Exercise.self])
    }

    /// Creates the root command (ArgumentParser's requirement; the root itself only dispatches).
    public init() {}

    /// Runs `boxless` with the package's own catalog, ``DeviceCatalog/standard``.
    public static func main() { main(catalog: .standard) }

    /// Runs the command line over `catalog` (e.g. `.standard + [myEntry]`): sets it as the
    /// catalog every run uses, parses `arguments` (the process's own when nil) and exits. Any
    /// error becomes ONE line on standard error and exit status 2; a run whose checks fail exits 1;
    /// `--help` and `--version` print as usual.
    public static func main(catalog: DeviceCatalog, arguments: [String]? = nil) -> Never {
        DeviceCatalog.current = catalog
        let name = CommandLine.arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "boxless"
        toolName.withLock { $0 = name }
        TrapReport.arm(tool: name, arguments: arguments ?? Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("\(name): \(e.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("\(name): \(text)\n".utf8))
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
