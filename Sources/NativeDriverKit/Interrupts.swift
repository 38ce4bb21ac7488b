/// An interrupt mechanism a driver may ask for.
public enum InterruptMode: UInt8, Sendable, CustomStringConvertible {
    /// MSI-X: independent vectors, each with its own mask.
    case msix
    /// MSI: one or a power-of-two block of vectors.
    case msi
    /// Legacy INTx: one shared, level-triggered line.
    case intx
    /// `msix`, `msi` or `intx`.
    public var description: String { ["msix", "msi", "intx"][Int(rawValue)] }
}

/// What a driver asks for: the modes to try, in its order of preference, and how many vectors.
public struct InterruptRequest: Sendable {
    /// Modes to try in order (e.g. `[.msix, .msi, .intx]`).
    public var modes: [InterruptMode]
    /// Fewest vectors the driver can work with (INTx and single MSI always give 1).
    public var minimumVectors: Int
    /// Most vectors the driver can use.
    public var maximumVectors: Int
    /// Creates a request.
    public init(modes: [InterruptMode], minimumVectors: Int = 1, maximumVectors: Int = 1) {
        self.modes = modes; self.minimumVectors = minimumVectors; self.maximumVectors = maximumVectors
    }
}

/// What the host granted.
public struct InterruptAllocation: Sendable, Equatable {
    /// The mode in use.
    public var mode: InterruptMode
    /// Number of vectors, numbered 0..<count.
    public var vectorCount: Int
    /// Creates an allocation record.
    public init(mode: InterruptMode, vectorCount: Int) { self.mode = mode; self.vectorCount = vectorCount }
}

/// A handler's answer, like Linux's `irqreturn_t`: on a shared INTx line, `notMine` lets the host
/// find the right handler and detect a line nobody services.
public enum InterruptResult: Sendable {
    /// The device raised it and the handler dealt with it.
    case handled
    /// Not this device's interrupt.
    case notMine
}
