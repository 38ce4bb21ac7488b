import BoxlessPlatform
import E1000Driver
import E1000Model
import EmulatorHost
import NativeDriverKit
import Testing

@Suite struct ProbeAndLinkTests {
    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func probeReadsTheStationAddressAndDetachesCleanly(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        let d = try #require(rig.driver, "no driver bound: \(rig.host.probeFailures.map { "\($0.error)" })")
        #expect(rig.host.bound.map(\.driverName) == ["e1000"])
        #expect(d.macAddress.array == Rig.defaultMAC)
        #expect(d.chip == (chip == .i82540EM ? .i82540EM : .i82574L))
        #expect(d.interruptMode == (chip == .i82540EM ? .intx : .msix))
        #expect(d.phyIdentifier >> 16 == 0x0141)
        #expect(d.maximumFrameSize == 1514)
        #expect(rig.finish() == [])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func stationAddressComesFromTheEEPROM(chip: E1000Device.Chip) throws {
        let mac: [UInt8] = [0x00, 0x1B, 0x21, 0xAB, 0xCD, 0xEF]
        let rig = try Rig(chip: chip, mac: mac)
        #expect(rig.driver?.macAddress.array == mac)
        #expect(rig.finish() == [])
    }

    @Test(arguments: ["msix", "msi", "intx"])
    func the82574LWorksInEveryInterruptMode(mode: String) throws {
        let rig = try Rig(chip: .i82574L, parameters: ["interrupts": mode])
        let d = try #require(rig.driver)
        #expect(d.interruptMode.description == mode)
        #expect(d.interruptVectors == (mode == "msix" ? 3 : 1))
        try rig.openAndWaitForLink()
        let sent = (0..<200).map { Frames.numbered($0, length: 60 + $0 % 200) }
        for f in sent { rig.send(f) }
        for i in 0..<50 { #expect(rig.transmit(Frames.numbered(1000 + i, length: 100, to: Rig.peerMAC), token: UInt64(i)) == .queued) }
        rig.run(.milliseconds(5))
        #expect(rig.client.frames == sent)
        #expect(rig.client.completions.map(\.token) == (0..<50).map { UInt64($0) })
        #expect(rig.wire.frames.count == 50)
        #expect(d.counters.interrupts > 0)
        #expect(rig.finish() == [])
    }

    @Test func the82540EMFallsBackToINTx() throws {
        let rig = try Rig(chip: .i82540EM, parameters: ["interrupts": "msix"])
        #expect(rig.driver?.interruptMode == .intx)
        #expect(rig.host.driverLog.contains { $0.level == .warning && $0.message.contains("INTx") })
        #expect(rig.finish() == [])
    }

    @Test func badParametersFailTheProbeWithAClearError() throws {
        let rig = try Rig(chip: .i82574L, parameters: ["interrupts": "polling"])
        #expect(rig.driver == nil)
        let failure = try #require(rig.host.probeFailures.first)
        #expect("\(failure.error)".contains("interrupts=polling"))
        rig.host.detachAll()
        #expect(!rig.machine.log.findings.contains { $0.code == .dmaLeak || $0.code == .resourceLeak })
    }

    /// Redirects the EERD read of the checksum word (3Fh) to word 0, as a corrupted EEPROM would
    /// read: the probe must fail with a clear error and release everything it took.
    final class CorruptChecksumWord: FaultInjector {
        let addressShift: UInt64
        init(chip: E1000Device.Chip) { addressShift = chip == .i82540EM ? 8 : 2 }
        func registerAccess(_ site: AccessSite) -> AccessFault {
            let eerd: UInt64 = 0x14, checksumWord: UInt64 = 0x3F, start: UInt64 = 1
            guard site.isWrite, site.bar == 0, site.offset == eerd,
                  (site.value >> addressShift) & 0xFF == checksumWord else { return .none }
            return .replaceWrite(start)
        }
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func badEEPROMChecksumFailsTheProbeCleanly(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip, faults: CorruptChecksumWord(chip: chip))
        #expect(rig.driver == nil)
        let failure = try #require(rig.host.probeFailures.first)
        #expect("\(failure.error)".contains("EEPROM checksum invalid"))
        rig.host.detachAll()
        // Only the probe failure itself: no DMA, interrupt or timer left behind.
        #expect(rig.machine.log.findings.map(\.code) == [.driverError])
    }

    @Test(arguments: [E1000Device.Chip.i82540EM, .i82574L])
    func linkComesUpAndIsReportedOnce(chip: E1000Device.Chip) throws {
        let rig = try Rig(chip: chip)
        let d = try #require(rig.driver)
        // Probe does not wait for auto-negotiation.
        #expect(!d.linkState.up)
        try rig.openAndWaitForLink()
        rig.run(.seconds(5))     // watchdog runs; no change, no further report
        #expect(rig.client.links == [LinkState(up: true, speedMbps: 1000, fullDuplex: true)])
        #expect(d.linkState == LinkState(up: true, speedMbps: 1000, fullDuplex: true))
        #expect(rig.finish() == [])
    }

    @Test func openAfterLinkUpReportsTheLinkAtOpen() throws {
        let rig = try Rig(chip: .i82574L)
        rig.run(.seconds(5))
        let d = try #require(rig.driver)
        #expect(d.linkState.up)
        let client = rig.client
        try rig.host.onCPU { () throws(DriverError) in try d.open(client: client) }
        #expect(client.links.map(\.up) == [true])
        #expect(rig.finish() == [])
    }
}
