import Foundation
import QEMUHost

/// Whether QEMU is installed (every suite here is skipped without it).
let qemuInstalled = FileManager.default.isExecutableFile(atPath: QEMUMachineSpec.defaultBinary)
let qemuMissing = "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86): QEMU differential tests skipped"

/// The repository, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// The bundled trace.
let mixedTrace = repositoryRoot.appendingPathComponent("Traces/mixed-200.pcap").path
/// Small captures of the shared tcpdump corpus (next to the repository).
let tcpdumpTraces = ["LACP.pcap", "DTP.pcap", "dns_tcp.pcap", "UDLD.pcap", "HSRP_coup.pcap", "bgp-4byte-asn.pcap"]
    .map { repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/traces/tcpdump/" + $0).path }
    .filter { FileManager.default.fileExists(atPath: $0) }
