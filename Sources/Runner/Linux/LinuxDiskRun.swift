import AHCIModel
import BoxlessPlatform
import Foundation
import LinuxHost

/// `boxless disk --host linux`: Linux's own ahci and sd drivers and its ext4 file system, in a
/// User-Mode Linux guest, on Boxless's AHCI controller and SATA disk.
///
/// The guest mounts the image read-only and reports every file's SHA-256; the host compares them
/// with what e2fsprogs' debugfs reads from the same image (``Ext4Image``). Then it mounts the disk
/// read-write, writes a pattern file, syncs, unmounts, drops its caches, mounts again and reports
/// the file's SHA-256, which must be the pattern's. Without `--writable` the writes go to an
/// overlay and the image file is not touched; with it they reach the file, and the host reads the
/// pattern back out of the image with debugfs as well. With no `--image`, the host makes one.
public enum LinuxDiskRun {
    /// Lines of `seq 1 N` written as the pattern file (about 1.3 MB).
    static let patternLines = 200_000
    /// The pattern file's name in the image's root.
    static let patternFile = "boxless-pattern.txt"

    /// The pattern's bytes: what `seq 1 N` prints.
    static var pattern: [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(patternLines * 7)
        for i in 1...patternLines { b.append(contentsOf: Array(String(i).utf8)); b.append(0x0A) }
        return b
    }

    static let script = """
        i=0; while [ ! -b /dev/sda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
        [ -b /dev/sda ] || { say ERROR no disk appeared; exit 1; }
        say DISK $(cat /sys/block/sda/size)
        mount -t ext4 -o ro /dev/sda /mnt || { say ERROR read-only mount failed; exit 1; }
        cd /mnt && find . -type f | sort | while read -r f; do say FILE $(sha256sum "$f" | cut -d' ' -f1) "$f"; done
        cd /
        umount /mnt || say ERROR umount failed
        mount -t ext4 /dev/sda /mnt || { say ERROR read-write mount failed; exit 1; }
        seq 1 \(patternLines) > /mnt/\(patternFile) || say ERROR pattern write failed
        sync
        umount /mnt || say ERROR umount failed
        echo 3 > /proc/sys/vm/drop_caches
        mount -t ext4 -o ro /dev/sda /mnt || { say ERROR second mount failed; exit 1; }
        say PATTERN $(sha256sum /mnt/\(patternFile) | cut -d' ' -f1)
        umount /mnt

        """

    /// Runs the job. `files` locates the guest kernel. With `timeTravel` (the default) the guest runs
    /// on the machine's simulated clock and the run repeats, digest included.
    public static func run(_ o: DiskOptions, files: LinuxGuestFiles, timeTravel: Bool = true) throws -> DiskSummary {
        _ = try LinuxSession.entry(o.controller, nic: false)
        guard o.controller == "ahci" else { throw RunnerError.badOption("--controller \(o.controller) is not available (controllers: ahci)") }
        let profile = try o.diskProfile()
        let wallStart = ContinuousClock.now
        var madeImage: String?
        defer { if let m = madeImage { try? FileManager.default.removeItem(atPath: m) } }
        let imagePath: String
        if let p = o.image { imagePath = p } else {
            let p = NSTemporaryDirectory() + "boxless-linux-disk-\(getpid())-\(o.seed).img"
            do { try Ext4Image.make(at: p, sizeMiB: Int((o.size ?? DiskOptions.defaultSize) >> 20), seed: o.seed) } catch {
                throw RunnerError.hostFailed("cannot make the ext4 image: \(error)")
            }
            madeImage = p
            imagePath = p
        }
        let expected: [String: String]
        do { expected = try Ext4Image.checksums(of: imagePath) } catch {
            throw RunnerError.cannotRead(imagePath, "not an ext4 image e2fsprogs can read (\(error))")
        }
        let file: FileBackend
        do { file = try FileBackend(path: imagePath, writable: o.writable) } catch { throw RunnerError.cannotRead(imagePath, error.description) }
        let medium: any BlockBackend = o.writable ? file : OverlayBackend(base: file)
        let controller = AHCIController(ports: [SATADisk(backend: medium, profile: profile)])
        let session: LinuxSession
        let spec = MachineSpec(slots: [.init(model: o.controller, device: 1)], seed: o.seed, strict: o.strict)
        do { session = try LinuxSession(spec: spec, make: { _ in controller }, timeTravel: timeTravel, files: files) }
        catch let e as LinuxHostError { throw RunnerError.hostFailed("Linux host: \(e.description)") }
        defer { session.close() }
        var failures: [String] = []
        do {
            try session.boot(LinuxGuestImage(script: LinuxJobScripts.reportPCI + script))
            if try !session.waitForDone(timeoutSeconds: 120) { failures.append("the guest did not finish its script within 120 s") }
        } catch { throw RunnerError.hostFailed("Linux host: \(error.description)") }
        session.close()

        failures += session.reports("ERROR").map { "guest: \($0)" }
        var reported: [String: String] = [:]
        for l in session.reports("FILE") {
            let p = l.split(separator: " ", maxSplits: 1)
            if p.count == 2 { reported[String(p[1])] = String(p[0]) }
        }
        var mismatches = 0
        for (path, sum) in expected.sorted(by: { $0.key < $1.key }) {
            guard let got = reported[path] else { failures.append("\(path): in the image but not read by the guest"); mismatches += 1; continue }
            if got != sum { failures.append("\(path): the guest read SHA-256 \(got), the image holds \(sum)"); mismatches += 1 }
        }
        for path in reported.keys.sorted() where expected[path] == nil {
            failures.append("\(path): read by the guest but not in the image"); mismatches += 1
        }
        let want = Ext4Image.sha256(pattern)
        let got = session.reports("PATTERN").first
        if got != want {
            failures.append("pattern file: the guest wrote, synced and read back SHA-256 \(got ?? "nothing"), expected \(want)"); mismatches += 1
        }
        if o.writable {
            do {
                let back = try Ext4Image.contents(of: "/" + patternFile, in: imagePath)
                if back.map(Ext4Image.sha256) != want {
                    failures.append("pattern file in the image (read by debugfs after the run) differs from what the guest wrote"); mismatches += 1
                }
            } catch { failures.append("cannot read the pattern back from \(imagePath): \(error)") }
        }
        let problems = session.kernelProblems
        if !problems.isEmpty { failures.append("guest kernel log: \(problems.count) problems (first: \(problems[0]))") }
        let pci = session.reports("PCI").first ?? ""
        let driver = "linux " + (pci.split(separator: " ").dropFirst().joined(separator: " "))
        var s = DiskSummary(
            host: "linux", controller: "ahci", device: controller.name, driver: driver, profile: o.profile,
            image: o.image, writable: o.writable, sectors: medium.sectorCount, workload: "linux-ext4",
            queue_depth: 0, device_queue_depth: 0, seed: o.seed, operations: expected.count + 1,
            reads: reported.count + 1, writes: 1, flushes: 1, bytes: 0, errors: problems.count, media_errors: 0,
            mismatches: mismatches, overlay_sectors: nil, virtual_ns: session.machine.now.nanoseconds,
            wall_ns: DiskRun.nanoseconds(ContinuousClock.now - wallStart), workload_virtual_ns: session.machine.now.nanoseconds,
            workload_wall_ns: DiskRun.nanoseconds(ContinuousClock.now - wallStart), events: session.machine.log.count,
            digest: timeTravel ? session.machine.log.digest : "nondeterministic", findings: session.findings, error_samples: Array(problems.prefix(10)),
            passed: failures.isEmpty, failures: failures)
        s.kernel_log = session.kernelLog
        s.files_checked = reported.count
        return s
    }
}
