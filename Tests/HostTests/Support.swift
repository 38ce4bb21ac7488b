import BoxlessPlatform
import BoxlessRunner
@testable import EmulatorHost
import NativeDriverKit
import TestDeviceModel

/// A driver that does nothing on its own: tests drive the kit through it. It matches the exerciser
/// more specifically (subsystem IDs) than the real exerciser driver, so the host must prefer it.
final class ProbeOnlyDriver: PCIDriver {
    static let name = "probe-only"
    static let matchTable: [PCIMatch] = [PCIMatch(vendorID: 0x1234, deviceID: 0xB0C5, subsystemVendorID: 0x1234, subsystemID: 0x0001)]
    let device: any PCIDevice
    let context: any DriverContext
    var onRemove: () -> Void = {}
    init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device; self.context = context
    }
    func remove() { onRemove() }
}

/// An exerciser machine with the probe-only driver bound.
func probeOnlyMachine(seed: UInt64 = 1) throws -> (BoxlessMachine, ProbeOnlyDriver) {
    let m = try BoxlessMachine(MachineSpec(slots: [.init(model: "exerciser", device: 3)], seed: seed, strict: true))
    m.host.register(ProbeOnlyDriver.self)
    try m.start()
    return (m, m.driver(ProbeOnlyDriver.self)!)
}

extension BoxlessMachine {
    var findingCodes: [FindingCode] { machine.log.findings.map(\.code) }
}
