import Foundation
import HAL
import JPEG
import Testing

@testable import Scenes

@Suite struct DirectorySceneTests {
    /// Writes frames of `scene` at the given seconds to a new directory as 0.jpg, 1.jpg, ...
    func recording(_ scene: some Scene, seconds: [Double], width: Int = 320, height: Int = 240) throws -> (path: String, files: [[UInt8]]) {
        let path = try temporaryDirectory()
        var files: [[UInt8]] = []
        for (index, second) in seconds.enumerated() {
            let jpeg = try scene.frame(at: at(second), width: width, height: height, quality: 80).jpeg
            try write(jpeg, to: "\(path)/frame-\(index).jpg")
            files.append(jpeg)
        }
        return (path, files)
    }

    @Test func filesAreReplayedByteForByteInNameOrderAndLoop() throws {
        let (path, files) = try recording(SceneCatalog.scene(named: "busy", seed: 1), seconds: [0, 1, 2])
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write([0x00], to: "\(path)/notes.txt")
        let scene = try DirectoryScene(path: path, frameRate: 2)
        #expect(scene.fileNames == ["frame-0.jpg", "frame-1.jpg", "frame-2.jpg"])
        #expect(scene.name == path)
        for index in 0..<7 {
            let frame = try scene.frame(at: at(Double(index) / 2 + 0.1), width: 320, height: 240, quality: 10)
            #expect(frame.index == index)
            #expect(frame.jpeg == files[index % 3])
        }
    }

    @Test func otherSizesAreReencoded() throws {
        let (path, _) = try recording(SceneCatalog.scene(named: "street", seed: 1), seconds: [0, 1], width: 640, height: 480)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scene = try DirectoryScene(path: path)
        for (width, height) in [(160, 120), (320, 240), (100, 50), (800, 600)] {
            let frame = try scene.frame(at: .zero, width: width, height: height, quality: 70)
            #expect(JPEG.isComplete(frame.jpeg))
            let image = try codec.decode(frame.jpeg)
            #expect(image.width == width && image.height == height)
        }
        // Shrinking keeps the picture: the 1/4 size frame looks like the original shrunk.
        let original = try codec.decode(try scene.frame(at: .zero, width: 640, height: 480, quality: 70).jpeg, scale: .quarter)
        let small = try codec.decode(try scene.frame(at: .zero, width: 160, height: 120, quality: 90).jpeg)
        let error = zip(original.pixels, small.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(Double(error) / Double(small.pixels.count) < 12)
    }

    @Test func motionBetweenFilesIsOneObject() throws {
        // The scripted person crosses from 0:30 to 0:40; at 0:20 and 0:25 nothing moves.
        let scene = try #require(SceneCatalog.synthetic(named: "scripted", seed: 2))
        let (path, _) = try recording(scene, seconds: [20, 25, 33, 36])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replay = try DirectoryScene(path: path, frameRate: 1)
        #expect(replay.objects(at: at(1)).isEmpty, "two empty street frames differ only by noise and the overlay")
        let arriving = try #require(replay.objects(at: at(2)).first)
        #expect(arriving.kind == "motion")
        let person = try #require(scene.objects(at: at(33)).first)
        #expect(arriving.x <= person.x + 0.05 && arriving.x + arriving.width >= person.x + person.width - 0.05)
        #expect(arriving.y <= person.y + 0.05 && arriving.y + arriving.height >= person.y + person.height - 0.1)
        #expect(replay.objects(at: at(3)).count == 1)
        // Looping: the first file follows the last, which has the person in it.
        #expect(replay.objects(at: at(0)).count == 1)
    }

    @Test func darknessComesFromBrightness() throws {
        let (dayPath, _) = try recording(SceneCatalog.scene(named: "quiet", seed: 1), seconds: [0])
        let (nightPath, _) = try recording(SceneCatalog.scene(named: "night", seed: 1), seconds: [0])
        defer {
            try? FileManager.default.removeItem(atPath: dayPath)
            try? FileManager.default.removeItem(atPath: nightPath)
        }
        #expect(!(try DirectoryScene(path: dayPath)).isDark(at: .zero))
        #expect(try DirectoryScene(path: nightPath).isDark(at: .zero))
        #expect(try DirectoryScene(path: dayPath).objects(at: .zero).isEmpty, "a single file never moves")
    }

    @Test func unusableDirectoriesAreTypedErrors() throws {
        let missing = "/nonexistent/vigil-scenes"
        #expect(throws: SceneError.directoryNotFound(path: missing)) { try DirectoryScene(path: missing) }
        let empty = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: SceneError.noJPEGFiles(path: empty)) { try DirectoryScene(path: empty) }
        try write([1, 2, 3], to: "\(empty)/readme.md")
        #expect(throws: SceneError.noJPEGFiles(path: empty)) { try DirectoryScene(path: empty) }
        #expect(throws: SceneError.notADirectory(path: "\(empty)/readme.md")) { try DirectoryScene(path: "\(empty)/readme.md") }
        try write([0xFF, 0xD8, 0x00, 0xFF, 0xD9], to: "\(empty)/broken.JPG")
        let error = #expect(throws: SceneError.self) { try DirectoryScene(path: empty) }
        guard case .undecodableFile(let file, let codecError)? = error else {
            Issue.record("expected undecodableFile, got \(String(describing: error))")
            return
        }
        #expect(file == "\(empty)/broken.JPG")
        #expect(codecError.call.hasPrefix("tj"))
        #expect(SceneError.noJPEGFiles(path: empty).description.contains(empty))
    }
}
