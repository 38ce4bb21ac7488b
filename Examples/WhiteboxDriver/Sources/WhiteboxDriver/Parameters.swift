import NativeDriverKit

/// The driver's parameters (`--param name=value`, like module parameters).
struct Parameters {
    /// `interrupts=msi|intx`: the interrupt mode to ask for first (default MSI, then INTx).
    var modes: [InterruptMode] = [.msi, .intx]
    /// `ring=N`: descriptors per ring (default 64).
    var ringSize = 64
    /// `bug=…`: a planted bug, for the example's tests to catch (nil: the correct driver).
    var bug: PlantedBug?

    /// Reads them from the context; a bad value is an error naming it.
    init(_ context: any DriverContext) throws(DriverError) {
        if let m = context.parameter("interrupts") {
            switch m {
            case "msi": modes = [.msi, .intx]
            case "intx": modes = [.intx]
            default: throw .invalidArgument("interrupts=\(m): expected msi or intx")
            }
        }
        if let r = context.parameter("ring") {
            guard let n = Int(r), (4...256).contains(n) else { throw .invalidArgument("ring=\(r): expected 4…256") }
            ringSize = n
        }
        if let b = context.parameter("bug") {
            guard let bug = PlantedBug(rawValue: b) else { throw .invalidArgument("bug=\(b): unknown") }
            self.bug = bug
        }
    }
}

/// Bugs the driver can be told to have, so its tests show they catch them.
enum PlantedBug: String {
    /// Delivers each received frame four bytes short (as if stripping an FCS the device does not
    /// append): the replay check sees every frame differ.
    case shortReceive = "short-rx"
    /// Enables the receiver before programming its ring (datasheet §4.3 forbids it): strict mode
    /// reports `wbx100.ringWrittenWhileEnabled`.
    case ringWhileEnabled = "ring-while-enabled"
}
