import Foundation
import NativeDriverKit
import QEMUHost
import Testing

/// Whether QEMU is installed (the real-QEMU suites are skipped without it).
let qemuInstalled = FileManager.default.isExecutableFile(atPath: QEMUMachineSpec.defaultBinary)
let qemuMissing = "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

/// Records what a network driver delivers.
final class RecordingClient: NetworkClient {
    var frames: [[UInt8]] = []
    var completions: [(token: UInt64, success: Bool)] = []
    var links: [LinkState] = []
    func received(_ frame: UnsafeRawBufferPointer, info: ReceiveInfo) { frames.append(Array(frame)) }
    func transmitCompleted(token: UInt64, success: Bool) { completions.append((token, success)) }
    func linkChanged(_ state: LinkState) { links.append(state) }
}

extension QEMUHost {
    /// Runs in 1 ms slices until `condition` holds or `limit` of QEMU time passed; returns whether it held.
    func run(for limit: Duration, until condition: () -> Bool) throws -> Bool {
        let deadline = now + limit
        while now < deadline {
            if condition() { return true }
            try advance(by: .milliseconds(1))
        }
        return condition()
    }
}

/// A test Ethernet frame of `length` bytes to `destination`.
func testFrame(to destination: [UInt8], length: Int = 64, seed: UInt8) -> [UInt8] {
    var f = destination + [0x02, 0, 0, 0, 0, 0x02, 0x88, 0xB5]
    while f.count < length { f.append(UInt8(truncatingIfNeeded: f.count) &+ seed) }
    return f
}

/// QEMU's default station address for its NICs.
let qemuDefaultMAC: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]

/// A tiny test-only driver for the 82540EM/82574L: reads STATUS and the station address through
/// EERD (8254x SDM §13.4.4), takes one interrupt vector and counts the interrupts it claims.
final class RegisterProbeDriver: PCIDriver {
    static let name = "e1000-probe"
    static let matchTable: [PCIMatch] = [.device(0x8086, 0x100E), .device(0x8086, 0x10D3)]
    /// Register offsets (8254x SDM §13.4).
    enum Reg {
        static let status = 0x0008, eerd = 0x0014, icr = 0x00C0, ics = 0x00C8, ims = 0x00D0, imc = 0x00D8, ivar = 0x00E4
    }
    /// ICR.LSC.
    static let linkStatusChange: UInt32 = 1 << 2
    nonisolated(unsafe) static var parameters = "intx"

    let device: any PCIDevice
    let context: any DriverContext
    let bar0: DeviceRegion
    let status: UInt32
    var mac: [UInt8] = []
    var interrupts = 0
    let allocation: InterruptAllocation

    init(device: any PCIDevice, context: any DriverContext, match: PCIMatch) throws(DriverError) {
        self.device = device; self.context = context
        guard let r = device.region(0) else { throw .unsupportedDevice("no BAR0") }
        bar0 = r
        device.enable([.memorySpace, .busMaster])
        status = r.read32(Reg.status)
        let eerdStart: UInt32 = 1, eerdDone: UInt32 = device.identity.deviceID == 0x100E ? 1 << 4 : 1 << 1
        let addrShift: UInt32 = device.identity.deviceID == 0x100E ? 8 : 2
        for word in UInt32(0)..<3 {
            r.write32(Reg.eerd, word << addrShift | eerdStart)
            var v: UInt32 = 0
            guard context.wait(until: { v = r.read32(Reg.eerd); return v & eerdDone != 0 }, timeout: .milliseconds(50)) else {
                throw .timeout("EERD word \(word)")
            }
            mac += [UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
        }
        let modes: [InterruptMode] = context.parameter("interrupts") == "msix" ? [.msix] : [.intx]
        allocation = try device.allocateInterrupts(InterruptRequest(modes: modes, minimumVectors: 1, maximumVectors: 1))
        if allocation.mode == .msix {
            r.write32(Reg.ivar, 0x8008_8888)   // every cause (RxQ0/1, TxQ0/1, Other) → vector 0, valid (82574 DS §10.2.4.9)
        }
        try device.attachInterrupt(vector: 0, name: "probe") { [unowned self] in
            let icr = self.bar0.read32(Reg.icr)
            guard icr != 0 else { return .notMine }
            self.interrupts += 1
            return .handled
        }
    }

    /// ICR.Other (82574 DS §10.2.4.1: summarises LSC and the other non-queue causes for MSI-X).
    static let other: UInt32 = 1 << 24

    /// Raises a Link Status Change interrupt through ICS.
    func raise() {
        bar0.write32(Reg.ims, Self.linkStatusChange | (allocation.mode == .msix ? Self.other : 0))
        bar0.write32(Reg.ics, Self.linkStatusChange)
    }

    func remove() {
        bar0.write32(Reg.imc, 0xFFFF_FFFF)
        device.freeInterrupts()
    }
}
