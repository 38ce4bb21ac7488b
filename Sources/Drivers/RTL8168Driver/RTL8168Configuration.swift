import NativeDriverKit

/// What the user chose through the driver parameters, checked once at probe.
///
/// Parameters (all optional):
/// - `interrupts` = `msix` | `msi` | `intx` | `auto` (default: MSI-X, then MSI, then INTx).
/// - `napi_budget` = frames per poll before it yields, 1…1024 (default 64).
/// - `rx_descriptors`, `tx_descriptors` = ring sizes, 16…1024 (default 256; DS §8: at most 1024).
/// - `vlan_strip` = `0`/`1`: strip received tags into ``ReceiveInfo/vlanTag`` (C+CR.RxVlan). Default 0.
/// - `rx_csum` = `0`/`1`: receive checksum offload (C+CR.RxChkSum). Default 1.
/// - `intr_mitigate` = the IntrMitigate value (default 0: no mitigation).
struct RTL8168Configuration {
    var interruptModes: [InterruptMode]
    var budget: Int
    var rxDescriptors: Int
    var txDescriptors: Int
    var vlanStrip: Bool
    var receiveChecksum: Bool
    var intrMitigate: UInt16

    init(context: any DriverContext) throws(DriverError) {
        func int(_ name: String, _ def: Int, _ range: ClosedRange<Int>) throws(DriverError) -> Int {
            guard let s = context.parameter(name) else { return def }
            guard let v = Int(s), range.contains(v) else { throw .invalidArgument("\(name)=\(s) is not in \(range)") }
            return v
        }
        func flag(_ name: String, _ def: Bool) throws(DriverError) -> Bool {
            guard let s = context.parameter(name) else { return def }
            switch s { case "0": return false; case "1": return true
            default: throw .invalidArgument("\(name)=\(s) is not 0 or 1") }
        }
        switch context.parameter("interrupts") ?? "auto" {
        case "auto": interruptModes = [.msix, .msi, .intx]
        case "msix": interruptModes = [.msix]
        case "msi": interruptModes = [.msi]
        case "intx": interruptModes = [.intx]
        case let s: throw .invalidArgument("interrupts=\(s) is not msix, msi, intx or auto")
        }
        budget = try int("napi_budget", 64, 1...1024)
        rxDescriptors = try int("rx_descriptors", 256, 16...1024)
        txDescriptors = try int("tx_descriptors", 256, 16...1024)
        vlanStrip = try flag("vlan_strip", false)
        receiveChecksum = try flag("rx_csum", true)
        intrMitigate = UInt16(try int("intr_mitigate", 0, 0...0xFFFF))
    }
}
