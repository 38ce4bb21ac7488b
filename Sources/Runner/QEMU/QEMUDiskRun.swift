import BoxlessPlatform
import Foundation
import NativeDriverKit
import QEMUHost

/// `boxless disk --host qemu`: our AHCI driver on QEMU's `ich9-ahci` with one `ide-hd` on port 0,
/// and any workload of ``BlockWorkload`` (through ``QEMUWorkloadHost``), checked the same way: every
/// read returns the last data written, or the base content where nothing was written.
///
/// The disk: a user image is put behind a qcow2 overlay (`qemu-img create -f qcow2 -b IMAGE -F raw`)
/// in a private temporary directory, so the image is never modified (a temporary copy if `qemu-img`
/// is missing); `--writable` hands QEMU the image itself; without an image, a sparse temporary raw file
/// of `--size` bytes (zeros). The machine's q35 has its own ICH9 AHCI at 00:1f.2 with no disk; the
/// run uses the controller in slot ``slot``.
public enum QEMUDiskRun {
    /// The controller's slot on bus 0.
    public static let slot: UInt8 = 4

    /// Runs a workload on QEMU's AHCI and checks it. `binary` overrides the QEMU binary.
    public static func run(_ o: DiskOptions, binary: String = QEMUMachineSpec.defaultBinary,
                           progress: ((Int) -> Void)? = nil) throws -> DiskSummary {
        let wallStart = ContinuousClock.now
        guard o.controller == "ahci" else { throw RunnerError.badOption("--controller \(o.controller) is not available (controllers: ahci)") }
        try o.validate()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RunnerError.hostFailed(QEMUHostError.binaryMissing(path: binary).description)
        }
        let disk = try QEMUDiskImage(o)
        defer { disk.remove() }
        let drive = "if=none,id=d0,file=\(disk.path.replacingOccurrences(of: ",", with: ",,")),format=\(disk.format),cache=unsafe"
        let host = QEMUHost(machine: QEMUMachineSpec(device: "ich9-ahci", deviceProperties: ["id=ahci"], slot: slot, attachNetwork: false,
                                                     extraArguments: ["-machine", "sata=off", "-drive", drive, "-device", "ide-hd,drive=d0,bus=ahci.0"],
                                                     binary: binary))
        host.driverParameters = o.driverParameters
        host.register(DeviceCatalog.entry(named: "ahci")!.driver)
        defer { host.stop() }
        do { try host.start() } catch { throw QEMUModels.runnerError(error) }
        guard let bound = host.bound.first(where: { $0.location.device == slot }), let device = bound.instance as? any BlockDevice else {
            let why = host.probeFailures.first { $0.location.device == slot }.map { "\($0.driverName) probe failed: \($0.error)" } ?? "no driver bound"
            throw RunnerError.probeFailed("ahci on QEMU (ich9-ahci): \(why)")
        }
        let g = device.geometry
        let s = try o.settings(for: g, disk: o.image ?? "--size \(disk.bytes)")
        let adapter = QEMUWorkloadHost(host)
        let w = BlockWorkload(device: device, host: adapter, settings: s, random: SeededRandom(seed: o.seed).split("workload"),
                              baseRange: { lba, n, buf in disk.read(lba: lba, count: n, into: buf) })
        w.progress = progress
        w.baseIsLive = o.writable
        let v0 = host.now, w0 = ContinuousClock.now
        var failures: [String] = []
        let r = w.run()
        if let e = adapter.hostError { throw QEMUModels.runnerError(e) }
        let workloadWall = ContinuousClock.now - w0
        let v1 = host.now
        if r.operations == w.totalOperations {
            let f = w.runOne(BlockRequest(id: UInt64.max, operation: .flush))
            if let e = adapter.hostError { throw QEMUModels.runnerError(e) }
            if f?.status != .success { failures.append("the shutdown flush failed: \(f.map { "\($0.status)" } ?? "no completion")") }
        }
        if r.errors > 0 { failures.append("\(r.errors) requests failed") }
        if r.mismatches > 0 { failures.append("\(r.mismatches) reads returned data other than the last written (first at LBA \(r.firstMismatchLBA ?? 0))") }
        if r.operations < w.totalOperations { failures.append("only \(r.operations) of \(w.totalOperations) requests completed") }
        host.detachAll()
        if !host.warnings.isEmpty { failures.append("\(host.warnings.count) host warnings (first: \(host.warnings[0]))") }
        let errors = host.log.filter { $0.level >= .error }
        if !errors.isEmpty { failures.append("\(errors.count) driver errors logged (first: \(errors[0].source): \(errors[0].message))") }
        let commands = host.qtestCommands
        host.stop()
        if !o.writable, let img = o.image, disk.imageChanged(img) { failures.append("\(img) was modified") }
        return DiskSummary(
            host: "qemu", controller: o.controller, device: "ich9-ahci", driver: bound.driverName, profile: "qemu ide-hd",
            image: o.image, writable: o.writable, sectors: g.blockCount, workload: o.workload.rawValue,
            queue_depth: s.queueDepth, device_queue_depth: g.maximumQueueDepth, seed: o.seed,
            operations: r.operations, reads: r.reads, writes: r.writes, flushes: r.flushes, bytes: r.bytes,
            errors: r.errors, media_errors: r.mediaErrors, mismatches: r.mismatches, overlay_sectors: nil,
            virtual_ns: UInt64(max(0, (v1 - v0) / .nanoseconds(1))), wall_ns: DiskRun.nanoseconds(ContinuousClock.now - wallStart),
            workload_virtual_ns: UInt64(max(0, (v1 - v0) / .nanoseconds(1))), workload_wall_ns: DiskRun.nanoseconds(workloadWall),
            events: UInt64(commands), digest: "nondeterministic", findings: [], error_samples: r.errorSamples,
            passed: failures.isEmpty, failures: failures)
    }
}

/// The file QEMU's disk reads: an overlay over the user's image, the image itself, or a temporary
/// raw file; and the base content the check expects.
final class QEMUDiskImage {
    let directory: String
    let path: String
    let format: String
    let bytes: UInt64
    private let base: FileHandle?
    private let imageSize: UInt64
    private let imageModified: Date?

    init(_ o: DiskOptions) throws {
        var template = Array("/tmp/boxless-qemu-disk-XXXXXX".utf8CString)
        guard let d = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RunnerError.cannotWrite("/tmp", "cannot create a temporary directory")
        }
        directory = String(cString: d)
        let fm = FileManager.default
        if let image = o.image {
            let abs = URL(fileURLWithPath: image).standardizedFileURL.path
            guard fm.fileExists(atPath: abs) else { rmdir(directory); throw RunnerError.cannotRead(image, "no such file") }
            guard let h = FileHandle(forReadingAtPath: abs) else { rmdir(directory); throw RunnerError.cannotRead(image, "cannot open for reading") }
            let attrs = try? fm.attributesOfItem(atPath: abs)
            let size = (attrs?[.size] as? NSNumber)?.uint64Value ?? 0
            imageModified = attrs?[.modificationDate] as? Date
            guard size > 0, size % 512 == 0 else {
                rmdir(directory)
                throw RunnerError.badOption("\(image): the image is \(size) bytes, not a positive multiple of the 512-byte sector size")
            }
            if let want = o.size, want != size {
                rmdir(directory)
                throw RunnerError.badOption("\(image): the image is \(size) bytes but --size asks for \(want) bytes (leave --size out to use the image's size)")
            }
            base = h; imageSize = size; bytes = size
            if o.writable {
                path = abs; format = "raw"
            } else if let qemuImg = ["/usr/bin/qemu-img", "/usr/local/bin/qemu-img"].first(where: fm.isExecutableFile(atPath:)) {
                path = directory + "/overlay.qcow2"; format = "qcow2"
                let p = Process()
                p.executableURL = URL(fileURLWithPath: qemuImg)
                p.arguments = ["create", "-q", "-f", "qcow2", "-b", abs, "-F", "raw", path]
                p.standardOutput = FileHandle.nullDevice
                let err = Pipe()
                p.standardError = err
                try p.run()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else {
                    let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    rmdir(directory)
                    throw RunnerError.cannotWrite(path, "qemu-img create failed: \(msg.split(separator: "\n").first ?? "")")
                }
            } else {
                path = directory + "/copy.raw"; format = "raw"
                do { try fm.copyItem(atPath: abs, toPath: path) } catch {
                    rmdir(directory)
                    throw RunnerError.cannotWrite(path, "cannot copy the image: \(error.localizedDescription)")
                }
            }
        } else {
            let size = o.size ?? DiskOptions.defaultSize
            guard size % 512 == 0 else { rmdir(directory); throw RunnerError.badOption("--size \(size) bytes is not a multiple of the 512-byte sector size") }
            path = directory + "/disk.raw"; format = "raw"; bytes = size; base = nil; imageSize = 0; imageModified = nil
            guard fm.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw RunnerError.cannotWrite(path, "cannot create the disk file")
            }
            try h.truncate(atOffset: size)
            try h.close()
        }
    }

    /// Fills `buffer` with the base content of `count` blocks at `lba` (zeros past the image or without one).
    func read(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) {
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        guard let base else { return }
        let off = lba * 512
        guard off < imageSize else { return }
        let n = Int(min(UInt64(count * 512), imageSize - off))
        guard let _ = try? base.seek(toOffset: off), let data = try? base.read(upToCount: n) else {
            buffer.initializeMemory(as: UInt8.self, repeating: 0xFF)
            return
        }
        data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: min(data.count, buffer.count)) }
    }

    /// Whether the user's image changed size or modification time.
    func imageChanged(_ image: String) -> Bool {
        let attrs = try? FileManager.default.attributesOfItem(atPath: image)
        return (attrs?[.size] as? NSNumber)?.uint64Value != imageSize || attrs?[.modificationDate] as? Date != imageModified
    }

    /// Removes the temporary files.
    func remove() {
        try? base?.close()
        for f in ["overlay.qcow2", "copy.raw", "disk.raw"] { unlink(directory + "/" + f) }
        rmdir(directory)
    }
}
