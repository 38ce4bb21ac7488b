import BoxlessTesting
import WBX100Model
import WhiteboxDriver

/// The example's catalog entry: the WBX-100 model, its driver, and what hosts need to know.
/// Only this file knows both the model and the driver (as only Boxless's runner does).
public enum Whitebox {
    /// `--nic wbx100`.
    public static let entry = CatalogEntry(
        name: "wbx100", vendorID: WBX100Device.vendorID, deviceID: WBX100Device.deviceID,
        description: "Whitebox WBX-100 Gigabit Ethernet (one RX and one TX ring, MSI; PCI 32-bit/33 MHz)",
        kind: "Ethernet controller", makeModel: { WBX100Device() }, driver: WhiteboxDriver.self,
        diagnosticRegisters: [
            DiagnosticRegister("CTRL", 0x00), DiagnosticRegister("STATUS", 0x04), DiagnosticRegister("IMR", 0x0C),
            DiagnosticRegister("RDH", 0x1C), DiagnosticRegister("RDT", 0x20), DiagnosticRegister("TDH", 0x3C),
            DiagnosticRegister("TDT", 0x40),
        ])

    /// Boxless's own models and the WBX-100.
    public static var catalog: DeviceCatalog { .standard + [entry] }
}
