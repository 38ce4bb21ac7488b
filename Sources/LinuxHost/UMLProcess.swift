import CVhostUser
import Glibc

/// One User-Mode Linux process: the kernel binary started with a command line, its console on a
/// pipe (the kernel log), a second console line (`/dev/tty1` in the guest) on another pipe for the
/// guest agent, and a watchdog.
///
/// UML runs in its own process group behind a small `/bin/sh` watchdog that holds the read end of a
/// pipe only this process writes: when we stop, or die however we die, the pipe closes and the
/// watchdog kills the whole group (UML's helper processes included), so no guest outlives a run.
public final class UMLProcess {
    /// The kernel's process ID (the group leader).
    public let pid: pid_t
    /// Read end of the kernel console (con0: stdout and stderr).
    public let consoleDescriptor: Int32
    /// Read end of the agent line (con1 output).
    public let agentDescriptor: Int32
    private var watchdogWriteEnd: Int32
    private var agentInputWriteEnd: Int32
    private var reaped = false
    /// Exit status once the process ended (nil while running).
    public private(set) var exitStatus: Int32?

    /// The watchdog: fd 0 is the watchdog pipe; when it reads end-of-file it kills the group. (A
    /// background list's standard input is /dev/null in a non-interactive shell, hence fd 5.) UML
    /// runs without address-space randomization (setarch -R): its physical memory layout follows
    /// where the host placed its binary, and a layout that moves moves every DMA address.
    static let watchdogScript = """
        exec 5<&0 </dev/null
        ( read -r _ <&5 || kill -KILL 0 ) &
        if [ -n "$BOXLESS_UML_DIR" ]; then cd "$BOXLESS_UML_DIR" || exit 2; fi
        exec setarch "$(uname -m)" -R "$@" 5<&-
        """

    /// Starts `kernel` with `arguments` (without the console settings, which this adds) and
    /// `environment` added to this process's environment.
    /// `outputPipeBytes`: the capacity of the two output pipes. The guest waits when one is full
    /// (until the host reads it); a larger pipe means fewer such waits.
    public init(kernel: String, arguments: [String], environment: [String: String] = [:],
                outputPipeBytes: Int = 1 << 20) throws(LinuxHostError) {
        guard access(kernel, X_OK) == 0 else {
            throw .missing("UML kernel \(kernel) is missing: run `make linux` (scripts/build-uml.sh) first")
        }
        func makePipe() throws(LinuxHostError) -> (Int32, Int32) {
            var fds: [Int32] = [0, 0]
            let rc = boxless_pipe_cloexec(&fds)
            guard rc == 0 else { throw .system("pipe: \(String(cString: strerror(-rc)))") }
            return (fds[0], fds[1])
        }
        let watchdog = try makePipe(), console = try makePipe(), agentIn = try makePipe(), agentOut = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, watchdog.0, 0)
        posix_spawn_file_actions_adddup2(&actions, console.1, 1)
        posix_spawn_file_actions_adddup2(&actions, console.1, 2)
        posix_spawn_file_actions_adddup2(&actions, agentIn.0, 3)
        posix_spawn_file_actions_adddup2(&actions, agentOut.1, 4)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        let argv = ["/bin/sh", "-c", Self.watchdogScript, "uml-watchdog", kernel]
            + arguments + ["con0=null,fd:1", "con1=fd:3,fd:4", "con=null", "ssl=null"]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var env: [String] = []
        var i = 0
        while let e = environ[i] { let v = String(cString: e); if !environment.keys.contains(where: { v.hasPrefix($0 + "=") }) { env.append(v) }; i += 1 }
        env += environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var cenv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for e in cenv { free(e) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attr, &cargs, &cenv)
        for fd in [watchdog.0, console.1, agentIn.0, agentOut.1] { close(fd) }
        guard rc == 0 else {
            for fd in [watchdog.1, console.0, agentIn.1, agentOut.0] { close(fd) }
            throw .system("cannot start \(kernel): \(String(cString: strerror(rc)))")
        }
        pid = child
        consoleDescriptor = console.0
        agentDescriptor = agentOut.0
        watchdogWriteEnd = watchdog.1
        agentInputWriteEnd = agentIn.1
        for fd in [consoleDescriptor, agentDescriptor] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            // Room for what the guest prints between two reads (in time travel the host reads only
            // while the guest waits for the calendar; a guest that fills a pipe waits too).
            _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(clamping: outputPipeBytes))
        }
    }

    deinit { stop() }

    /// Whether the kernel still runs (reaps it if it ended).
    public var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            reaped = true
            exitStatus = status
            return false
        }
        return r == 0
    }

    /// Kills the guest (the watchdog takes the whole group down) and reaps it.
    public func stop() {
        if watchdogWriteEnd >= 0 { close(watchdogWriteEnd); watchdogWriteEnd = -1 }
        if agentInputWriteEnd >= 0 { close(agentInputWriteEnd); agentInputWriteEnd = -1 }
        if !reaped {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = true
            exitStatus = exitStatus ?? status
        }
    }

    /// Closes the read ends (after ``stop()``, once their last bytes were read).
    public func closeOutputs() {
        close(consoleDescriptor)
        close(agentDescriptor)
    }
}
