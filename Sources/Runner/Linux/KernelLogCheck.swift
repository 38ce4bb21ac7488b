/// Reads the guest kernel's log for what fails a run on the Linux host (issue 6): a driver error or
/// warning, a kernel warning or oops, a transmit timeout, a hung task.
///
/// A kernel warning is a block (`------------[ cut here ]------------` … `---[ end trace … ]---`)
/// judged as one unit, by its first lines. Port I/O is carried (the UML kernel's virt-pci has an
/// I/O window, scripts/uml/), so a lib/logic_iomem.c warning about a port is a real problem: a
/// driver touched a port no device decodes.
public struct KernelLogCheck: Sendable {
    /// Lines (or warning blocks, by their first lines) that fail the run.
    public var problems: [String] = []

    /// Substrings that fail a run wherever they appear.
    static let fatal = ["BUG:", "Oops", "Kernel panic", "transmit timed out", "NETDEV WATCHDOG", "Tx Unit Hang",
                        "blocked for more than", "um virt-pci delay", "EXT4-fs error", "I/O error",
                        "Detected Hardware Unit Hang", "exception Emask", "failed command", "hard resetting link",
                        "Reset adapter", "unexpected virt-pci message"]
    /// Prefixes of driver messages: such a line with an error word fails the run.
    static let driverPrefixes = ["e1000", "8139too", "8139cp", "r8169", "ahci", "ata", "sd ", "scsi", "virtio", "virt-pci", "pci "]
    static let errorWords = ["error", "fail", "timeout", "timed out", "warn", "unable", "invalid", "bad ", "corrupt", "hang"]

    /// Reads `log`.
    public init(_ log: [String]) {
        var i = 0
        while i < log.count {
            let text = Self.stripTimestamp(log[i])
            if text.hasPrefix("------------[ cut here ]") {
                var j = i + 1
                while j < log.count && !Self.stripTimestamp(log[j]).hasPrefix("---[ end trace") { j += 1 }
                let block = log[(i + 1)..<min(j, log.count)].map(Self.stripTimestamp)
                problems.append(block.prefix(2).joined(separator: " / "))
                i = j + 1
                continue
            }
            if Self.isProblem(text) { problems.append(text) }
            i += 1
        }
    }

    static func isProblem(_ text: String) -> Bool {
        if text.hasPrefix("WARNING:") || text.hasPrefix("Call Trace") { return true }
        if fatal.contains(where: { text.contains($0) }) { return true }
        let lower = text.lowercased()
        guard driverPrefixes.contains(where: { lower.hasPrefix($0) }) else { return false }
        return errorWords.contains { lower.contains($0) }
    }

    /// The lines of `log` that fail the run.
    public static func problems(in log: [String]) -> [String] { KernelLogCheck(log).problems }

    /// A line without its `[    1.234567] ` timestamp.
    static func stripTimestamp(_ line: String) -> String {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return line }
        return String(line[line.index(after: close)...]).trimmingCharacters(in: .whitespaces)
    }
}
