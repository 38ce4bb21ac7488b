import BoxlessPlatform

extension VirtualDuration {
    /// A duration as plans and command lines write it: `20ms`, `5us`, `100ns`, `1.5s`, `0`.
    public init?(argument: String) {
        guard let d = PlanValues.duration(argument) else { return nil }
        self = d
    }
}
