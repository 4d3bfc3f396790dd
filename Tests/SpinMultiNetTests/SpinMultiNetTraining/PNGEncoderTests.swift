import Foundation
import XCTest
@testable import SpinMultiNetTraining

/// A parity plot's PNG file holds exactly the canvas it was drawn on.
final class PNGEncoderTests: XCTestCase {
    /// What `decode` reads back: (height, width, 3) RGB bytes.
    struct Image { var width: Int, height: Int, rgb: [UInt8] }

    enum DecodeError: Error, Equatable {
        case signature, truncated, badCRC(chunk: String), chunkOrder, header, filterType(UInt8)
    }

    /// Chunks with their CRCs, an 8-bit RGB non-interlaced header, and the IDAT stream inflated
    /// by zlib and unfiltered (any of the five filter types): the independent reader the tests
    /// compare with.
    static func decode(_ file: [UInt8]) throws -> Image {
        guard Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw DecodeError.signature }
        func word(_ k: Int) -> Int { file[k..<(k + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var chunks: [(type: String, data: [UInt8])] = []
        var p = 8
        while p < file.count {
            guard p + 12 <= file.count, p + 12 + word(p) <= file.count else { throw DecodeError.truncated }
            let n = word(p), type = String(decoding: file[(p + 4)..<(p + 8)], as: UTF8.self)
            guard UInt32(word(p + 8 + n)) == crc32(Array(file[(p + 4)..<(p + 8 + n)])) else { throw DecodeError.badCRC(chunk: type) }
            chunks.append((type, Array(file[(p + 8)..<(p + 8 + n)])))
            p += 12 + n
        }
        guard chunks.first?.type == "IHDR", chunks.last?.type == "IEND", chunks.filter({ $0.type == "IEND" }).count == 1 else { throw DecodeError.chunkOrder }
        let header = chunks[0].data
        guard header.count == 13, Array(header[8...]) == [8, 2, 0, 0, 0] else { throw DecodeError.header }
        let width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }, height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let stride = 3 * width
        let raw = try Zlib.decompress(chunks.filter { $0.type == "IDAT" }.flatMap(\.data), count: height * (1 + stride))
        var rgb = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let type = raw[y * (stride + 1)]
            for i in 0..<stride {
                let a = i >= 3 ? Int(rgb[y * stride + i - 3]) : 0, b = y > 0 ? Int(rgb[(y - 1) * stride + i]) : 0
                let c = i >= 3 && y > 0 ? Int(rgb[(y - 1) * stride + i - 3]) : 0
                let predictor: Int
                switch type {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let e = a + b - c, da = abs(e - a), db = abs(e - b), dc = abs(e - c)
                    predictor = da <= db && da <= dc ? a : db <= dc ? b : c
                default: throw DecodeError.filterType(type)
                }
                rgb[y * stride + i] = raw[y * (stride + 1) + 1 + i] &+ UInt8(predictor)
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }

    /// CRC-32 of PNG (ISO 3309), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    static func forcePlot() -> ParityPlot {
        var plot = ParityPlot(title: "Force components", unit: "eV/Å")
        plot.points = (0..<300).map { k in
            let x = 4 * sin(Double(k))
            return (x, x + 0.2 * cos(Double(7 * k)), k % 3)
        }
        plot.groups = ["afm1", "afm2", "fm"]
        return plot
    }

    /// The file written for a plot decodes to the canvas's pixels and is compressed.
    func testPlotFileDecodesToItsCanvas() throws {
        let plot = Self.forcePlot()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-plot-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(try plot.png()).write(to: url)
        let file = [UInt8](try Data(contentsOf: url))
        let image = try Self.decode(file)
        let canvas = plot.canvas()
        XCTAssertEqual(image.width, canvas.width)
        XCTAssertEqual(image.height, canvas.height)
        XCTAssertTrue(image.rgb == canvas.pixels, "decoded pixels differ from the canvas")
        XCTAssertTrue(canvas.pixels.contains { $0 != 255 }, "the canvas is not blank")
        XCTAssertLessThan(file.count, canvas.pixels.count / 20, "the IDAT stream is compressed")
    }

    /// The reader catches a changed byte, so the test above can fail.
    func testDecoderRejectsACorruptFile() throws {
        var file = try Self.forcePlot().png()
        file[file.count / 2] ^= 0x10
        XCTAssertThrowsError(try Self.decode(file)) { XCTAssertEqual($0 as? DecodeError, .badCRC(chunk: "IDAT")) }
        XCTAssertThrowsError(try Zlib.decompress([0x78, 0x9C, 1, 2, 3], count: 10))
    }
}
