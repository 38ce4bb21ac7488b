import NativeDriverKit

/// A driver for the Whitebox WBX-100 (README.md, "Datasheet"), written against NativeDriverKit
/// only: reset, station address, one receive and one transmit ring, MSI or INTx, a bottom half
/// that does the work and a 1 ms watchdog that runs it too (so a lost interrupt costs at most a
/// millisecond).
public final class WhiteboxDriver: PCIDriver {
    /// `whitebox`.
    public static let name = "whitebox"
    /// The WBX-100 (vendor 0x1234, device 0xB100).
    public static let matchTable = [PCIMatch.device(0x1234, 0xB100)]

    let device: any PCIDevice
    let context: any DriverContext
    let regs: DeviceRegion
    let parameters: Parameters
    /// The station address, read from RAL/RAH at probe.
    public let macAddress: MACAddress
    var rx: Ring?
    var tx: Ring?
    var rxNext = 0
    var txNext = 0, txClean = 0
    var txTokens: [UInt64?] = []
    var client: (any NetworkClient)?
    var link = LinkState.down
    var poll: (any DeferredWork)?
    var watchdog: (any DriverTimer)?
    var counts = NetworkStatistics()

    /// Probes: enables memory decoding and bus mastering, resets the device (§3.1), reads the
    /// station address (§3.4) and takes one interrupt vector.
    public init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device; self.context = context
        parameters = try Parameters(context)
        guard let r = device.region(0), r.kind == .memory, r.size >= 0x100 else {
            throw .unsupportedDevice("BAR0 is not a 256-byte memory region")
        }
        regs = r
        device.enable([.memorySpace, .busMaster])
        r.write32(Reg.CTRL, Bit.RST)
        guard context.wait(until: { r.read32(Reg.CTRL) & Bit.RST == 0 }, timeout: .milliseconds(1)) else {
            device.disable([.memorySpace, .busMaster])
            throw .timeout("CTRL.RST did not clear within 1 ms")
        }
        let low = r.read32(Reg.RAL), high = r.read32(Reg.RAH)
        macAddress = MACAddress(UInt8(low & 0xFF), UInt8(low >> 8 & 0xFF), UInt8(low >> 16 & 0xFF), UInt8(low >> 24),
                                UInt8(high & 0xFF), UInt8(high >> 8 & 0xFF))
        do {
            _ = try device.allocateInterrupts(InterruptRequest(modes: parameters.modes))
            try device.attachInterrupt(vector: 0, name: "whitebox") { [unowned self] in self.interrupt() }
        } catch {
            device.freeInterrupts()
            device.disable([.memorySpace, .busMaster])
            throw error
        }
        poll = context.makeDeferredWork(name: "whitebox-poll") { [unowned self] in self.service() }
        context.log(.info, "WBX-100 at \(device.location), station address \(macAddress)")
    }

    /// Stops the device and releases every ring, interrupt and timer.
    public func remove() {
        close()
        regs.write32(Reg.IMR, 0)
        device.freeInterrupts()
        device.disable([.memorySpace, .busMaster])
    }
}
