import NativeDriverKit

extension E1000Driver {
    /// The controllers this driver serves; the match table's `driverData` is the raw value.
    public enum Chip: Int, Sendable, CustomStringConvertible {
        /// Intel 82540EM, conventional PCI, 8086:100E (SDM).
        case i82540EM = 0
        /// Intel 82574L, PCIe x1 with MSI-X, 8086:10D3 (82574 DS).
        case i82574L = 1

        /// `82540EM` or `82574L`.
        public var description: String { self == .i82540EM ? "82540EM" : "82574L" }

        /// EERD layout (SDM §5.3.1 / 82574 DS EERD).
        var eerd: EERDLayout {
            switch self {
            case .i82540EM: return EERDLayout(start: 1 << 0, done: 1 << 4, addressShift: 8)
            case .i82574L: return EERDLayout(start: 1 << 0, done: 1 << 1, addressShift: 2)
            }
        }

        /// Interrupt causes the chip defines (IMC is never written with reserved bits).
        var definedCauses: UInt32 { self == .i82540EM ? Cause.defined82540EM : Cause.defined82574L }

        /// Expected PHY_ID2 model bits: M88E1011 (0C2xh) on the 82540EM, BME1000 (0CBxh) on the 82574L.
        var phyID2Model: UInt16 { self == .i82540EM ? 0x0C20 : 0x0CB0 }

        /// IPGT for the chip's copper PHY (SDM Table 13-77; 82574 DS TIPG).
        var ipgt: UInt32 { self == .i82540EM ? TIPG.IPGT_82540EM : TIPG.IPGT_82574L }
    }
}

/// What the user chose through the driver parameters, checked once at probe.
///
/// Parameters (all optional):
/// - `interrupts` = `msix` | `msi` | `intx` | `auto` (default `auto`: MSI-X, then MSI, then INTx on
///   the 82574L; the 82540EM has only INTx and ignores the others with a warning).
/// - `itr_ns` = minimum nanoseconds between interrupts (ITR/EITR), default 125000 (8000/s); 0
///   disables moderation.
/// - `jumbo` = `0`/`1` or an MTU in 1501…9216 (`1` = 9000): long packets (RCTL.LPE), received
///   across several 2048-byte buffers.
/// - `vlan_strip` = `0`/`1`: strip received 802.1Q tags into ``ReceiveInfo/vlanTag`` and insert
///   transmit tags in hardware (CTRL.VME). Default 0: frames arrive byte-identical and transmit tags
///   are inserted by the driver.
/// - `rx_csum` = `0`/`1`: receive checksum offload indications (RXCSUM), default 1.
/// - `rx_descriptors`, `tx_descriptors` = ring sizes, powers of two in 64…4096 (default 256).
/// - `napi_budget` = frames per poll before it yields, 1…1024 (default 64).
struct E1000Configuration {
    var interruptModes: [InterruptMode]
    var interruptNanoseconds: Int
    var mtu: Int
    var vlanStrip: Bool
    var receiveChecksum: Bool
    var rxDescriptors: Int
    var txDescriptors: Int
    var budget: Int

    /// Standard Ethernet MTU.
    static let standardMTU = 1500
    /// MTU that `jumbo=1` selects.
    static let defaultJumboMTU = 9000
    /// Largest MTU accepted (the 82574's 9 KB jumbo limit, SDM/82574 DS).
    static let largestMTU = 9216
    /// Ethernet header bytes (destination, source, EtherType).
    static let ethernetHeader = 14
    /// An 802.1Q tag.
    static let vlanTagBytes = 4
    /// Default ITR interval: 125 µs, i.e. at most 8000 interrupts a second.
    static let defaultInterruptNanoseconds = 125_000

    init(context: any DriverContext, chip: E1000Driver.Chip) throws(DriverError) {
        func flag(_ name: String, _ def: Bool) throws(DriverError) -> Bool {
            switch context.parameter(name) {
            case nil: return def
            case "1", "on", "yes", "true": return true
            case "0", "off", "no", "false": return false
            case let v?: throw .invalidArgument("parameter \(name)=\(v): expected 0 or 1")
            }
        }
        func number(_ name: String, _ def: Int, _ range: ClosedRange<Int>) throws(DriverError) -> Int {
            guard let s = context.parameter(name) else { return def }
            guard let v = Int(s), range.contains(v) else {
                throw .invalidArgument("parameter \(name)=\(s): expected an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        func ring(_ name: String) throws(DriverError) -> Int {
            let n = try number(name, 256, 64...4096)
            guard n.nonzeroBitCount == 1 else { throw .invalidArgument("parameter \(name)=\(n): expected a power of two") }
            return n
        }

        let requested = context.parameter("interrupts") ?? "auto"
        let modes: [InterruptMode]
        switch requested {
        case "msix": modes = [.msix]
        case "msi": modes = [.msi]
        case "intx": modes = [.intx]
        case "auto": modes = [.msix, .msi, .intx]
        default: throw .invalidArgument("parameter interrupts=\(requested): expected msix, msi, intx or auto")
        }
        if chip == .i82540EM {
            // The 82540EM's capability list holds only Power Management (SDM §6.3.3): INTx it is.
            if requested == "msix" || requested == "msi" {
                context.log(.warning, "interrupts=\(requested) ignored: the 82540EM has neither MSI nor MSI-X; using INTx")
            }
            interruptModes = [.intx]
        } else {
            interruptModes = modes
        }
        interruptNanoseconds = try number("itr_ns", Self.defaultInterruptNanoseconds, 0...(Int(ITR.INTERVAL_MASK) * ITR.unitNanoseconds))
        switch context.parameter("jumbo") {
        case nil, "0", "off", "no", "false": mtu = Self.standardMTU
        case "1", "on", "yes", "true": mtu = Self.defaultJumboMTU
        case let s?:
            guard let v = Int(s), (Self.standardMTU + 1)...Self.largestMTU ~= v else {
                throw .invalidArgument("parameter jumbo=\(s): expected 0, 1 or an MTU in \(Self.standardMTU + 1)...\(Self.largestMTU)")
            }
            mtu = v
        }
        vlanStrip = try flag("vlan_strip", false)
        receiveChecksum = try flag("rx_csum", true)
        rxDescriptors = try ring("rx_descriptors")
        txDescriptors = try ring("tx_descriptors")
        budget = try number("napi_budget", 64, 1...1024)
    }

    /// Long packets enabled (RCTL.LPE).
    var jumbo: Bool { mtu > Self.standardMTU }
    /// Largest frame without FCS (and without an 802.1Q tag) the interface sends and receives.
    var maximumFrame: Int { mtu + Self.ethernetHeader }
    /// The ITR/EITR INTERVAL value for `interruptNanoseconds`.
    var itrInterval: UInt32 {
        UInt32((interruptNanoseconds + ITR.unitNanoseconds / 2) / ITR.unitNanoseconds) & ITR.INTERVAL_MASK
    }
}
