// BoxlessTesting: Boxless as values for Swift Testing (DESIGN.md, "Products"). A driver author's
// test target depends on this product and writes
//
//     let run = try Replay.run(ReplayOptions(trace: path, nic: "mynic"), adding: [myEntry])
//     #expect(run.passed)          // on failure Swift Testing prints the run: its first finding
//
// It re-exports what such a test needs and nothing else of the runner: the driver kit, the device
// kit (so the test can name models, findings and virtual time), and, one declaration at a time,
// the runner's catalog, option, summary and fault-plan types. Replay, disk workloads and machines
// here are thin wrappers over the runner's own (one replay loop, one workload), never copies.
@_exported import NativeDriverKit
@_exported import BoxlessDeviceKit

// The catalog: entries are values; a package adds its own (`DeviceCatalog.standard + [entry]`).
@_exported import struct BoxlessRunner.CatalogEntry
@_exported import struct BoxlessRunner.DeviceCatalog
@_exported import struct BoxlessRunner.DiagnosticRegister

// Replay: the options of `boxless replay`, its summary and its errors.
@_exported import struct BoxlessRunner.ReplayOptions
@_exported import enum BoxlessRunner.ReplayTiming
@_exported import enum BoxlessRunner.ReplayDirection
@_exported import enum BoxlessRunner.TruncatedPolicy
@_exported import struct BoxlessRunner.ReplaySummary
@_exported import protocol BoxlessRunner.FrameSource
@_exported import struct BoxlessRunner.TraceGenerator

// Disk workloads: the options of `boxless disk` and its summary.
@_exported import struct BoxlessRunner.DiskOptions
@_exported import struct BoxlessRunner.DiskSummary
@_exported import enum BoxlessRunner.WorkloadKind

// Machines and the errors runs throw.
@_exported import struct BoxlessRunner.MachineSpec
@_exported import enum BoxlessRunner.MachineError
@_exported import enum BoxlessRunner.RunnerError
@_exported import enum BoxlessRunner.LSPCI

// Fault plans (`--faults PLAN.yaml`): parse one with `FaultPlan.parse(yaml:)` or `FaultPlan.load(path:)`.
@_exported import struct BoxlessFaults.FaultPlan
@_exported import struct BoxlessFaults.FaultPlanError
@_exported import enum BoxlessFaults.FaultKind
@_exported import struct BoxlessRunner.FaultReport
@_exported import struct BoxlessRunner.FaultRecovery
