import Foundation
import Testing

@testable import Scenes

@Suite struct SceneCatalogTests {
    @Test func everyNameGivesItsScene() throws {
        for name in SceneCatalog.names {
            let scene = try SceneCatalog.scene(named: name, seed: 3)
            #expect(scene.name == name)
            #expect(scene is SyntheticScene)
            #expect(scene.frameRate == 15)
        }
        #expect(SceneCatalog.names.first == SceneCatalog.defaultName)
        #expect(try SceneCatalog.scene(named: "quiet", seed: 3).objects(at: at(1234)).isEmpty)
        // The street sees traffic now and then; busy, much more.
        func busyness(_ name: String) throws -> Int {
            let scene = try SceneCatalog.scene(named: name, seed: 3)
            return stride(from: 0, to: 3600, by: 5).filter { !scene.objects(at: at(Double($0))).isEmpty }.count
        }
        let street = try busyness("street")
        let busy = try busyness("busy")
        #expect(street > 20 && busy > street * 2, "street \(street), busy \(busy) of 720 samples")
    }

    @Test func aDirectoryNameGivesADirectoryScene() throws {
        let path = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(try SceneCatalog.scene(named: "quiet", seed: 1).frame(at: .zero, width: 160, height: 120, quality: 75).jpeg, to: "\(path)/a.jpg")
        let scene = try SceneCatalog.scene(named: path, seed: 0)
        #expect(scene is DirectoryScene)
        #expect(scene.name == path)
    }

    @Test func anUnknownNameListsTheNames() {
        #expect(throws: SceneError.unknownScene(name: "beach", available: SceneCatalog.names)) {
            try SceneCatalog.scene(named: "beach", seed: 0)
        }
        let message = SceneError.unknownScene(name: "beach", available: SceneCatalog.names).description
        #expect(SceneCatalog.names.allSatisfy { message.contains($0) })
    }
}
