import Foundation
import Testing

/// The tutorial's code is the example's code: every Swift block of "Write, test and break a PCI
/// driver" whose first line names an example file appears, line for line, in that file.
@Suite struct TutorialTests {
    static let article = "Sources/NativeDriverKit/NativeDriverKit.docc/WriteTestAndBreakAPCIDriver.md"

    /// The article's Swift blocks: the file each names and its lines after that first line.
    static func blocks() throws -> [(file: String, body: String)] {
        let lines = try Repository.text(article).components(separatedBy: "\n")
        var out: [(String, String)] = []
        var i = 0
        while i < lines.count {
            if lines[i] == "```swift", i + 1 < lines.count, lines[i + 1].hasPrefix("// Examples/") {
                let file = String(lines[i + 1].dropFirst(3))
                var j = i + 2, body: [String] = []
                while j < lines.count, lines[j] != "```" { body.append(lines[j]); j += 1 }
                out.append((file, body.joined(separator: "\n")))
                i = j
            }
            i += 1
        }
        return out
    }

    @Test func everyBlockIsInItsFile() throws {
        let blocks = try Self.blocks()
        #expect(blocks.count >= 12)
        for b in blocks {
            let text = try Repository.text(b.file)
            #expect(text.contains(b.body), "\(Self.article): the block from \(b.file) no longer matches that file:\n\(b.body)")
        }
    }

    @Test func theArticleCoversModelDriverTestsAndCommandLine() throws {
        let files = Set(try Self.blocks().map(\.file))
        for dir in ["Sources/WBX100Model/", "Sources/WhiteboxDriver/", "Sources/WhiteboxCatalog/", "Tests/WhiteboxTests/", "Sources/whitebox/"] {
            #expect(files.contains { $0.contains(dir) }, "no block from \(dir)")
        }
    }
}
