import HAL
import Testing

@testable import Scenes

@Suite struct SceneScriptTests {
    @Test func randomScriptsAreReproducibleAndPlausible() {
        let hour = Duration.seconds(3600)
        let script = SceneScript.random(seed: 12, duration: hour, meanGap: .seconds(20))
        #expect(script == SceneScript.random(seed: 12, duration: hour, meanGap: .seconds(20)))
        #expect(script != SceneScript.random(seed: 13, duration: hour, meanGap: .seconds(20)))
        let appearances = script.appearances
        // About 3600 / 20 = 180 arrivals, all ending within the hour.
        #expect((120...240).contains(appearances.count), "\(appearances.count) appearances")
        #expect(appearances.allSatisfy { $0.start >= .zero && $0.end <= hour && $0.duration > .zero })
        #expect(zip(appearances, appearances.dropFirst()).allSatisfy { $0.start <= $1.start })
        #expect(Set(appearances.map(\.kind)) == Set(ObjectKind.allCases))
        #expect(appearances.contains { $0.movesRight } && appearances.contains { !$0.movesRight })
        let gaps = zip(appearances, appearances.dropFirst()).map { ($1.start - $0.start).seconds }
        #expect(gaps.max()! > 40 && gaps.min()! < 5, "gaps should vary widely")
        // Objects walk in from outside the image and leave it.
        for appearance in appearances {
            let start = appearance.box(at: 0)
            #expect(start.x + start.width <= 0 || start.x >= 1)
        }
    }

    @Test func aRepeatingScriptStartsOverWithNewIDs() {
        let person = SceneScript.Appearance(
            start: .seconds(5), duration: .seconds(10), kind: .person, from: (0.2, 0.5), to: (0.8, 0.5), size: 0.3)
        let overrun = SceneScript.Appearance(
            start: .seconds(55), duration: .seconds(10), kind: .car, from: (0.1, 0.7), to: (0.9, 0.7), size: 0.2)
        let script = SceneScript([person, overrun], repeatingEvery: .seconds(60))
        #expect(script.objects(at: at(10)).map(\.id) == [0])
        #expect(script.objects(at: at(70)).map(\.id) == [2])
        #expect(script.objects(at: at(70)).first?.center.x == script.objects(at: at(10)).first?.center.x)
        // The car that starts at 0:55 is still there at 1:02, and its next pass at 1:58.
        #expect(script.objects(at: at(62)).map(\.id) == [1])
        #expect(script.objects(at: at(118)).map(\.id) == [3])
        #expect(SceneScript([person]).objects(at: at(70)).isEmpty)
    }

    @Test func boxesAreClippedToTheImage() {
        let entering = SceneScript.Appearance(
            start: .zero, duration: .seconds(10), kind: .person, from: (-0.1, 0.5), to: (0.9, 0.5), size: 0.4)
        let script = SceneScript([entering])
        #expect(script.objects(at: at(0)).isEmpty)
        let partly = try! #require(script.objects(at: at(0.5)).first)
        #expect(partly.x == 0 && partly.width < entering.width)
        let whole = try! #require(script.objects(at: at(5)).first)
        #expect(abs(whole.width - entering.width) < 1e-12)
        #expect(abs(whole.center.x - 0.4) < 1e-12)
    }
}
