import Testing
@testable import BoxlessPlatform

@Suite struct InterruptTests {
    /// A function with 64-bit maskable MSI (4 vectors) and 4 MSI-X vectors in BAR0, decoding at 0xC000_0000.
    func setUp() -> (Machine, PCIFunction, RecordingSink, MSICapabilityLayout, MSIXCapabilityLayout) {
        var msi: MSICapabilityLayout!, msix: MSIXCapabilityLayout!
        let (m, _, f) = machineWith {
            $0.addBAR(0, .memory32(prefetchable: false), size: 4096)
            $0.setInterruptPin(1)
            msi = $0.addMSI(vectors: 4, is64Bit: true, perVectorMasking: true)
            msix = $0.addMSIX(tableSize: 4, tableBAR: 0, tableOffset: 0x800, pbaBAR: 0, pbaOffset: 0xC00)
        }
        let sink = RecordingSink(m)
        m.configWrite(slot3, offset: ConfigHeader.bar0, width: .dword, value: 0xC000_0000)
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: UInt32(ConfigHeader.commandMemorySpace))
        return (m, f, sink, msi, msix)
    }

    @Test func msiMaskingSetsPendingAndDeliversOnUnmask() {
        let (m, f, sink, msi, _) = setUp()
        m.configWrite(slot3, offset: msi.addressLow, width: .dword, value: 0xFEE0_0000)
        m.configWrite(slot3, offset: msi.data, width: .word, value: 0x40)
        m.configWrite(slot3, offset: msi.maskBits!, width: .dword, value: 0b0100)
        m.configWrite(slot3, offset: msi.control, width: .word, value: UInt32(2 << 4) | 1)   // 4 vectors, enable
        f.signalMSI(2)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.isEmpty)
        #expect(m.cfg32(slot3, msi.pendingBits!) == 0b0100)
        f.signalMSI(1)
        m.configWrite(slot3, offset: msi.maskBits!, width: .dword, value: 0)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.map(\.data) == [0x41, 0x42])
        #expect(m.cfg32(slot3, msi.pendingBits!) == 0)
        // Delivered after the configured latency.
        #expect(sink.messages[0].time == VirtualTime.zero + m.configuration.interruptLatency)
    }

    @Test func msiDisabledSuppressesTheMessage() {
        let (m, f, sink, _, _) = setUp()
        f.signalMSI(0)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.isEmpty)
    }

    @Test func msixVectorMaskFunctionMaskAndPendingBitArray() {
        let (m, f, sink, _, msix) = setUp()
        let table: UInt64 = 0xC000_0800, pba: UInt64 = 0xC000_0C00
        for v in 0..<4 {
            m.mmioWrite(table + UInt64(v) * 16, width: .dword, value: 0xFEE0_0000)
            m.mmioWrite(table + UInt64(v) * 16 + 4, width: .dword, value: 0)
            m.mmioWrite(table + UInt64(v) * 16 + 8, width: .dword, value: UInt64(0x50 + v))
        }
        // Entries reset masked (§6.8.2.9): enable, then signal vector 1 → pending bit, no message.
        m.configWrite(slot3, offset: msix.control, width: .word, value: UInt32(MSIXCapabilityLayout.controlEnable))
        f.signalMSIX(1)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.isEmpty)
        #expect(m.mmioRead(pba, width: .qword) == 0b10)
        // Unmask vector 1: it fires and its pending bit clears.
        m.mmioWrite(table + 16 + 12, width: .dword, value: 0)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.map(\.data) == [0x51])
        #expect(m.mmioRead(pba, width: .qword) == 0)
        // Function Mask holds every vector; clearing it delivers what is pending.
        m.mmioWrite(table + 3 * 16 + 12, width: .dword, value: 0)
        m.configWrite(slot3, offset: msix.control, width: .word, value: UInt32(MSIXCapabilityLayout.controlEnable | MSIXCapabilityLayout.controlFunctionMask))
        f.signalMSIX(3)
        m.scheduler.runUntilIdle()
        #expect(sink.messages.count == 1)
        #expect(f.msixVectorPending(3))
        m.configWrite(slot3, offset: msix.control, width: .word, value: UInt32(MSIXCapabilityLayout.controlEnable))
        m.scheduler.runUntilIdle()
        #expect(sink.messages.map(\.data) == [0x51, 0x53])
        // The PBA is read-only; table accesses must be whole aligned DWORDs or QWORDs.
        m.mmioWrite(pba, width: .dword, value: 0xFF)
        _ = m.mmioRead(table + 2, width: .word)
        #expect(m.findingCodes() == [.accessReadOnly, .accessWidth])
    }

    @Test func intxHonoursInterruptDisableAndStatus() {
        let (m, f, sink, _, _) = setUp()
        let line = INTxRouting.line(device: 3, pin: 1)
        f.setINTx(true)
        #expect(m.cfg16(slot3, ConfigHeader.status) & ConfigHeader.statusInterrupt != 0)
        m.scheduler.runUntilIdle()
        #expect(sink.lines.map(\.asserted) == [true])
        #expect(m.lineAsserted(line))
        // Interrupt Disable drops the line but Interrupt Status still shows the pin.
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: UInt32(ConfigHeader.commandMemorySpace | ConfigHeader.commandInterruptDisable))
        m.scheduler.runUntilIdle()
        #expect(!m.lineAsserted(line))
        #expect(sink.lines.map(\.asserted) == [true, false])
        #expect(m.cfg16(slot3, ConfigHeader.status) & ConfigHeader.statusInterrupt != 0)
        f.setINTx(false)
        #expect(m.cfg16(slot3, ConfigHeader.status) & ConfigHeader.statusInterrupt == 0)
    }

    @Test func intxLinesAreSharedWireOr() {
        let m = Machine()
        let sink = RecordingSink(m)
        // Device 3 pin A and device 2 pin B both reach line 19.
        let a = m.plug(RecordingModel { $0.setInterruptPin(1) }, at: PCIAddress(device: 3))
        let b = m.plug(RecordingModel { $0.setInterruptPin(2) }, at: PCIAddress(device: 2))
        #expect(a.intxLine == b.intxLine)
        a.setINTx(true); b.setINTx(true); a.setINTx(false)
        m.scheduler.runUntilIdle()
        #expect(m.lineAsserted(a.intxLine!))
        b.setINTx(false)
        m.scheduler.runUntilIdle()
        #expect(!m.lineAsserted(a.intxLine!))
    }

    @Test func msiEnableSilencesINTx() {
        let (m, f, _, msi, _) = setUp()
        f.setINTx(true)
        #expect(m.lineAsserted(f.intxLine!))
        m.configWrite(slot3, offset: msi.control, width: .word, value: 1)
        #expect(!m.lineAsserted(f.intxLine!))
    }
}
