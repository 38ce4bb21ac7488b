import BoxlessRunner
import Testing

/// The kernel-log verdict, on logs written for the purpose (fast; no guest).
@Suite struct KernelLogCheckTests {
    @Test func cleanBootPasses() {
        let log = ["[    0.09] e1000: Intel(R) PRO/1000 Network Driver", "[    0.09] e1000: Copyright (c) 1999-2006 Intel Corporation.",
                   "[    1.20] e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX/TX"]
        let c = KernelLogCheck(log)
        #expect(c.problems.isEmpty)
    }

    @Test func driverErrorsAndTimeoutsFail() {
        let log = ["[ 1.0] e1000 0000:00:00.0 eth0: Unable to allocate interrupt Error: -38",
                   "[ 9.0] e1000e 0000:00:00.0 eth0: Detected Hardware Unit Hang:",
                   "[ 9.1] NETDEV WATCHDOG: eth0 (e1000): transmit queue 0 timed out",
                   "[ 9.2] ata1.00: failed command: READ FPDMA QUEUED",
                   "[ 9.3] INFO: task sync:42 blocked for more than 20 seconds."]
        #expect(KernelLogCheck(log).problems.count == 5)
    }

    @Test("every warning block fails, one problem per block; a port no device decodes and an unassigned BAR too")
    func warningBlocksFail() {
        let portIO = ["[ 0.8] ------------[ cut here ]------------",
                      "[ 0.8] WARNING: CPU: 0 PID: 1 at lib/logic_iomem.c:190 __raw_writel+0x55/0x79",
                      "[ 0.8] Invalid writeql of 0x4000001 at address 4", "[ 0.8] Call Trace:",
                      "[ 0.8] ---[ end trace 0000000000000000 ]---",
                      "[ 0.8] pci 0000:00:00.0: BAR 2: failed to assign [io  size 0x0020]"]
        let other = ["[ 2.0] ------------[ cut here ]------------",
                     "[ 2.0] WARNING: CPU: 0 PID: 32 at drivers/net/ethernet/intel/e1000e/netdev.c:123 e1000_foo+0x1/0x2",
                     "[ 2.0] Call Trace:", "[ 2.0] ---[ end trace 0000000000000000 ]---"]
        let c = KernelLogCheck(portIO + other)
        #expect(c.problems.count == 3)
        #expect(c.problems[0].contains("lib/logic_iomem.c"))
        #expect(c.problems[1].contains("failed to assign"))
        #expect(c.problems[2].contains("e1000e/netdev.c"))
    }
}
