import NativeDriverKit

/// The driver's parameters (``DriverContext/parameter(_:)``), with their defaults.
///
/// - `interrupts` = `msi` | `intx` | `auto` (default `auto`: MSI, then INTx).
/// - `ncq` = `1` | `0` (default `1`): `0` forces READ/WRITE DMA EXT, one command at a time, even
///   when the HBA (CAP.SNCQ) and the device (IDENTIFY word 76 bit 8) support NCQ.
/// - `timeout_ms` = per-request watchdog in milliseconds (default 5000); FLUSH CACHE EXT gets six
///   times as long (flushing a large write cache is slow on real disks).
/// - `retries` = how many times a request that failed for a reason of its own (a timeout, an
///   interface or host-bus error) is issued again before it fails (default 3). A request that was
///   only aborted because another one failed is always issued again.
/// - `range_check` = `1` | `0` (default `1`): `0` sends requests beyond the capacity to the device
///   (which answers IDNF) instead of refusing them in `submit` — a fault-injection aid.
struct AHCIParameters: Sendable {
    var interruptModes: [InterruptMode] = [.msi, .intx]
    var ncq = true
    var timeout: Duration = .milliseconds(5000)
    var retries = 3
    var rangeCheck = true

    init(_ context: any DriverContext) throws(DriverError) {
        switch context.parameter("interrupts") ?? "auto" {
        case "msi": interruptModes = [.msi]
        case "intx": interruptModes = [.intx]
        case "auto": interruptModes = [.msi, .intx]
        case let other: throw .invalidArgument("interrupts=\(other) (expected msi, intx or auto)")
        }
        if let v = context.parameter("ncq") {
            guard v == "0" || v == "1" else { throw .invalidArgument("ncq=\(v) (expected 0 or 1)") }
            ncq = v == "1"
        }
        if let v = context.parameter("timeout_ms") {
            guard let ms = Int(v), ms > 0 else { throw .invalidArgument("timeout_ms=\(v) (expected a positive integer)") }
            timeout = .milliseconds(ms)
        }
        if let v = context.parameter("retries") {
            guard let n = Int(v), (0...100).contains(n) else { throw .invalidArgument("retries=\(v) (expected 0…100)") }
            retries = n
        }
        if let v = context.parameter("range_check") {
            guard v == "0" || v == "1" else { throw .invalidArgument("range_check=\(v) (expected 0 or 1)") }
            rangeCheck = v == "1"
        }
    }
}
