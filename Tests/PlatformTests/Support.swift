@testable import BoxlessPlatform

/// A minimal device for platform tests (STYLE.md §1: rust-vmm tests its bus with a `u8` device):
/// configurable BARs and capabilities, registers as plain storage, every access recorded.
final class RecordingModel: PCIDeviceModel {
    enum Access: Equatable { case read(bar: Int, offset: UInt64, width: AccessWidth), write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) }
    let name = "recording"
    var accesses: [Access] = []
    var storage: [Int: [UInt64: UInt64]] = [:]
    var configWrites: [(Int, AccessWidth, UInt32)] = []
    unowned var function: PCIFunction!
    let build: (inout ConfigSpaceBuilder) -> Void
    let express: Bool

    init(express: Bool = true, _ build: @escaping (inout ConfigSpaceBuilder) -> Void) {
        self.express = express
        self.build = build
    }

    func buildConfigSpace() -> ConfigSpaceBuilder {
        var b = ConfigSpaceBuilder(vendorID: 0x1234, deviceID: 0x0001, classCode: 0xFF_0000, express: express)
        build(&b)
        return b
    }
    func attach(to function: PCIFunction) { self.function = function }
    func read(bar: Int, offset: UInt64, width: AccessWidth) -> UInt64 {
        accesses.append(.read(bar: bar, offset: offset, width: width))
        return storage[bar]?[offset] ?? 0
    }
    func write(bar: Int, offset: UInt64, width: AccessWidth, value: UInt64) {
        accesses.append(.write(bar: bar, offset: offset, width: width, value: value))
        storage[bar, default: [:]][offset] = value
    }
    func configWritten(offset: Int, width: AccessWidth, value: UInt32) { configWrites.append((offset, width, value)) }
}

/// Records what reaches the interrupt controller.
final class RecordingSink: InterruptSink {
    var messages: [(time: VirtualTime, device: PCIAddress, address: UInt64, data: UInt32)] = []
    var lines: [(time: VirtualTime, line: Int, asserted: Bool)] = []
    unowned let machine: Machine
    init(_ m: Machine) { machine = m; m.interruptSink = self }
    func messageSignalled(from device: PCIAddress, address: UInt64, data: UInt32) { messages.append((machine.now, device, address, data)) }
    func lineChanged(_ line: Int, asserted: Bool) { lines.append((machine.now, line, asserted)) }
}

let slot3 = PCIAddress(device: 3)

/// A machine with one recording model at 00:03.0.
func machineWith(express: Bool = true, config: MachineConfiguration = MachineConfiguration(),
                 _ build: @escaping (inout ConfigSpaceBuilder) -> Void) -> (Machine, RecordingModel, PCIFunction) {
    let m = Machine(configuration: config)
    let model = RecordingModel(express: express, build)
    let f = m.plug(model, at: slot3)
    return (m, model, f)
}

extension Machine {
    func cfg16(_ a: PCIAddress, _ off: Int) -> UInt16 { UInt16(configRead(a, offset: off, width: .word)) }
    func cfg32(_ a: PCIAddress, _ off: Int) -> UInt32 { configRead(a, offset: off, width: .dword) }
    func findingCodes() -> [FindingCode] { log.findings.map(\.code) }
}
