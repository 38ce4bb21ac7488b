import Foundation
import LinuxHost

/// Where the Linux host's guest parts are: the UML kernel, busybox and the guest agent that
/// `make linux` (scripts/build-uml.sh) builds into `.build-linux/`. `BOXLESS_LINUX_DIR` overrides.
public struct LinuxGuestFiles: Sendable {
    /// The folder.
    public let directory: String
    /// The UML kernel.
    public var kernel: String { directory + "/linux" }
    /// Static busybox.
    public var busybox: String { directory + "/busybox" }
    /// The guest agent (Guest/boxless-agent.c).
    public var agent: String { directory + "/boxless-agent" }
    /// The guest's random seed library (Guest/uml-seed.c).
    public var seedLibrary: String { directory + "/libboxless-seed.so" }

    /// Uses `directory` as is.
    public init(directory: String) { self.directory = directory }

    /// Finds the folder: `BOXLESS_LINUX_DIR` if set (and only it), else `.build-linux` in the current
    /// directory or next to the package the executable was built in. Throws one line naming what is
    /// missing.
    public static func locate() throws(LinuxHostError) -> LinuxGuestFiles {
        var candidates: [String] = []
        if let e = ProcessInfo.processInfo.environment["BOXLESS_LINUX_DIR"], !e.isEmpty {
            let f = LinuxGuestFiles(directory: e)
            guard [f.kernel, f.busybox, f.agent].allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }),
                  FileManager.default.fileExists(atPath: f.seedLibrary) else {
                throw .missing("BOXLESS_LINUX_DIR=\(e) does not hold the UML kernel, busybox, the guest agent and the seed library: run `scripts/build-uml.sh \(e)`")
            }
            return f
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build-linux")
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(url.path + "/.build-linux")
            url = url.deletingLastPathComponent()
        }
        for c in candidates {
            let f = LinuxGuestFiles(directory: c)
            if [f.kernel, f.busybox, f.agent].allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }),
               FileManager.default.fileExists(atPath: f.seedLibrary) { return f }
        }
        throw .missing("the Linux host needs a UML kernel, busybox, the guest agent and the seed library in .build-linux/ (or BOXLESS_LINUX_DIR): run `make linux`")
    }
}

/// The guest's initramfs for one job: busybox, the agent, the files the job needs and an `/init`
/// that mounts the pseudo file systems, runs the job's script and powers off.
public struct LinuxGuestImage {
    /// The job's shell script (busybox `sh`), run by `/init` after the common set-up; it reports
    /// with `say WORDS…` (a line on the agent channel, `/dev/tty1`).
    public var script: String
    /// Extra files: path in the guest → bytes.
    public var files: [(path: String, contents: [UInt8])] = []

    /// Creates an image running `script`.
    public init(script: String) { self.script = script }

    /// The common start of `/init`.
    static let prelude = """
        #!/bin/busybox sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        mount -t devtmpfs dev /dev
        say() { echo "$*" > /dev/tty1; }
        finish() { say DONE; sync; poweroff -f; }
        trap finish EXIT
        say BOOTED

        """

    /// Writes the archive to `path`.
    public func write(to path: String, files guestFiles: LinuxGuestFiles) throws(LinuxHostError) {
        guard let busybox = FileManager.default.contents(atPath: guestFiles.busybox),
              let agent = FileManager.default.contents(atPath: guestFiles.agent) else {
            throw .missing("cannot read \(guestFiles.busybox) or \(guestFiles.agent)")
        }
        var a = Initramfs()
        for d in ["bin", "sbin", "dev", "proc", "sys", "mnt", "tmp", "etc"] { a.add(.directory(path: d, mode: 0o755)) }
        a.add(.characterDevice(path: "dev/console", mode: 0o600, major: 5, minor: 1))
        a.add(.file(path: "bin/busybox", mode: 0o755, contents: Array(busybox)))
        a.add(.file(path: "bin/boxless-agent", mode: 0o755, contents: Array(agent)))
        for f in files { a.add(.file(path: f.path, mode: 0o644, contents: f.contents)) }
        a.add(.file(path: "init", mode: 0o755, contents: Array((Self.prelude + script + "\n").utf8)))
        guard FileManager.default.createFile(atPath: path, contents: Data(a.archive())) else {
            throw .system("cannot write the initramfs \(path)")
        }
    }
}
