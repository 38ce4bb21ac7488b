import Testing
@testable import BoxlessPlatform

@Suite struct ConfigSpaceTests {
    @Test func masksReadOnlyReadWriteAndWriteOneToClear() {
        var s = ConfigSpace(size: 256)
        s.set(0x40, .dword, 0xAABB_CCDD)
        s.setWritable(0x40, .dword, 0x0000_FFFF)
        s.setWriteOneToClear(0x40, .dword, 0xFF00_0000)
        s.write(0x40, .dword, 0x0100_1234)
        // Low half takes the value; bits 31:24 clear where 1 was written (bit 24 only); 23:16 read-only.
        #expect(s.read(0x40, .dword) == 0xAABB_1234 & ~0x0100_0000)
        s.write(0x42, .byte, 0xFF)          // read-only byte
        #expect(s.read(0x42, .byte) == 0xBB)
        s.write(0x43, .byte, 0xFF)          // clear all RW1C bits of byte 3
        #expect(s.read(0x43, .byte) == 0x00)
    }

    @Test func commandAndStatusFollowTheSpecification() {
        let (m, _, f) = machineWith { _ in }
        m.configWrite(slot3, offset: ConfigHeader.command, width: .word, value: 0xFFFF)
        #expect(m.cfg16(slot3, ConfigHeader.command) == 0x0547)   // only I/O, Mem, BM, PER, SERR, DisINTx are RW
        f.config.setBits16(ConfigHeader.status, ConfigHeader.statusReceivedMasterAbort | ConfigHeader.statusSignaledTargetAbort, true)
        m.configWrite(slot3, offset: ConfigHeader.status, width: .word, value: UInt32(ConfigHeader.statusReceivedMasterAbort))
        let st = m.cfg16(slot3, ConfigHeader.status)
        #expect(st & ConfigHeader.statusReceivedMasterAbort == 0)
        #expect(st & ConfigHeader.statusSignaledTargetAbort != 0)
        m.configWrite(slot3, offset: ConfigHeader.vendorID, width: .word, value: 0xBEEF)
        #expect(m.cfg16(slot3, ConfigHeader.vendorID) == 0x1234)
    }

    /// BAR sizing (PCI Local Bus 3.0 §6.2.5.1): write all ones, read back, decode size and type.
    @Test(arguments: [
        (BARKind.io, UInt64(32)), (.memory32(prefetchable: false), 4096), (.memory32(prefetchable: true), 1 << 20),
        (.memory64(prefetchable: true), 16384), (.memory64(prefetchable: false), 8 << 30),
    ])
    func barSizingProtocol(kind: BARKind, size: UInt64) {
        let (m, _, _) = machineWith { $0.addBAR(1, kind, size: size) }
        let off = ConfigHeader.bar0 + 4
        m.configWrite(slot3, offset: off, width: .dword, value: 0xFFFF_FFFF)
        let low = m.cfg32(slot3, off)
        #expect(low & 0xF == (kind == .io ? 0x1 : kind.typeBits))
        var mask = UInt64(low & (kind.isMemory ? 0xFFFF_FFF0 : 0xFFFF_FFFC))
        if kind.is64Bit {
            m.configWrite(slot3, offset: off + 4, width: .dword, value: 0xFFFF_FFFF)
            mask |= UInt64(m.cfg32(slot3, off + 4)) << 32
        } else {
            mask |= 0xFFFF_FFFF_0000_0000
        }
        #expect(~mask &+ 1 == size)
        // An address written back sticks in the writable bits only.
        m.configWrite(slot3, offset: off, width: .dword, value: 0x1234_5678)
        #expect(UInt64(m.cfg32(slot3, off)) & ~(size - 1) & 0xFFFF_FFF0 == 0x1234_5678 & ~(size - 1) & 0xFFFF_FFF0)
    }

    @Test func enumerationSizesAndAssignsEveryBARKindThroughBothMechanisms() throws {
        for useECAM in [false, true] {
            let (m, _, f) = machineWith {
                $0.addBAR(0, .memory64(prefetchable: true), size: 16384)
                $0.addBAR(2, .memory32(prefetchable: false), size: 4096)
                $0.addBAR(4, .io, size: 32)
                $0.setInterruptPin(1)
            }
            let mech: any ConfigMechanism = useECAM ? ECAMConfigMechanism(m) : LegacyConfigMechanism(m)
            let found = try Enumerator().enumerate(mech)
            #expect(found.count == 1)
            let bars = found[0].bars
            #expect(bars.map(\.index) == [0, 2, 4])
            #expect(bars.map(\.size) == [16384, 4096, 32])
            #expect(bars[0].base >= AddressWindows.standard.memory64.lowerBound && bars[0].base % 16384 == 0)
            #expect(AddressWindows.standard.memory32.contains(bars[1].base))
            #expect(AddressWindows.standard.io.contains(bars[2].base))
            #expect(f.barBase(0) == bars[0].base && f.barBase(2) == bars[1].base && f.barBase(4) == bars[2].base)
            #expect(found[0].interruptLine == INTxRouting.line(device: 3, pin: 1))
            // Decoding stays off until a driver enables it.
            #expect(m.cfg16(slot3, ConfigHeader.command) & 3 == 0)
        }
    }

    @Test func capabilityListWalksInOrder() {
        let (m, _, _) = machineWith {
            $0.addBAR(0, .memory32(prefetchable: false), size: 4096)
            $0.addPowerManagement()
            $0.addMSI(vectors: 4, is64Bit: true, perVectorMasking: true)
            $0.addMSIX(tableSize: 8, tableBAR: 0, tableOffset: 0x800, pbaBAR: 0, pbaOffset: 0xC00)
            $0.addPCIExpress()
            $0.addExtendedCapability(CapabilityID.extendedAER, version: 2, body: [UInt8](repeating: 0, count: 0x44))
            $0.addExtendedCapability(CapabilityID.extendedSerialNumber, version: 1, body: [1, 2, 3, 4, 5, 6, 7, 8])
        }
        #expect(m.cfg16(slot3, ConfigHeader.status) & ConfigHeader.statusCapabilitiesList != 0)
        var ids: [UInt8] = [], ptr = Int(m.configRead(slot3, offset: 0x34, width: .byte))
        while ptr != 0 {
            ids.append(UInt8(m.configRead(slot3, offset: ptr, width: .byte)))
            ptr = Int(m.configRead(slot3, offset: ptr + 1, width: .byte))
        }
        #expect(ids == [CapabilityID.powerManagement, CapabilityID.msi, CapabilityID.msix, CapabilityID.pciExpress])
        var ext: [UInt16] = [], e = 0x100
        while e != 0 {
            let h = m.cfg32(slot3, e)
            ext.append(UInt16(h & 0xFFFF))
            e = Int(h >> 20)
        }
        #expect(ext == [CapabilityID.extendedAER, CapabilityID.extendedSerialNumber])
    }

    @Test func conventionalFunctionHasNoExtendedSpace() {
        let (m, _, _) = machineWith(express: false) { _ in }
        #expect(m.configRead(slot3, offset: 0x100, width: .dword) == 0xFFFF_FFFF)
        #expect(m.findingCodes() == [.configAccess])
        #expect(m.configRead(PCIAddress(device: 9), offset: 0, width: .dword) == 0xFFFF_FFFF)   // empty slot
    }
}
