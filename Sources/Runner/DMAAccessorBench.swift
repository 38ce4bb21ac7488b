import BoxlessPlatform
import TestDeviceDriver

/// Measures the kit's DMA accessors on the emulator host through a real driver's coherent buffer.
public enum DMAAccessorBench {
    /// Runs `rounds` sweeps; returns wall seconds and the number of accesses.
    public static func run(rounds: Int) throws -> (Double, Int) {
        let m = try BoxlessMachine(MachineSpec(slots: [.init(model: "exerciser", device: 3)]))
        try m.start()
        guard let d = m.driver(ExerciserDriver.self) else { throw RunnerError.probeFailed("exerciser driver did not bind") }
        let start = ContinuousClock.now   // wall time: the measurement itself
        let sum = m.host.onCPU { d.dmaSweep(rounds: rounds) }
        let wall = ContinuousClock.now - start
        precondition(sum != 1, "keeps the loop alive")
        m.host.detachAll()
        return (Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, rounds * 2048)
    }
}
