import ArgumentParser
import BoxlessRunner
import Foundation

/// `devices`: the catalog's models and their PCI IDs.
struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the device models and their PCI IDs.")
    @Flag(help: "Print one JSON object.") var json = false

    struct Entry: Encodable { let name: String; let vendor_id: String; let device_id: String; let kind: String; let description: String; let driver: String }
    struct Summary: Encodable { let devices: [Entry]; let passed: Bool }

    func run() throws {
        let list = DeviceCatalog.entries.map {
            Entry(name: $0.name, vendor_id: String(format: "%04x", $0.vendorID), device_id: String(format: "%04x", $0.deviceID),
                  kind: $0.kind, description: $0.description, driver: $0.driver.name)
        }
        if json { try printJSON(Summary(devices: list, passed: true)); return }
        for d in list { print("\(d.name)\t\(d.vendor_id):\(d.device_id)\t\(d.kind)\tdriver \(d.driver)\t\(d.description)") }
    }
}
