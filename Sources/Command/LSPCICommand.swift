import ArgumentParser
import BoxlessRunner
import Foundation

/// `lspci`: the emulated machine, in lspci's style.
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
