import Testing
import Foundation
import HAL
import JPEG
@testable import Scenes

@Test func scratchBench() throws {
    let clock = ContinuousClock()
    func time(_ label: String, _ n: Int, _ body: (Int) throws -> Void) rethrows {
        for i in 0..<5 { try body(i) }
        let start = clock.now
        for i in 0..<n { try body(i) }
        let per = (clock.now - start) / n
        print(label, per)
    }
    for name in ["street", "busy", "night"] {
        let s = try #require(SceneCatalog.synthetic(named: name, seed: 42))
        try time("\(name) render 640x480", 200) { i in _ = try s.image(at: at(Double(i) / 15 + 20), width: 640, height: 480) }
        try time("\(name) render+encode 640x480 q75", 200) { i in _ = try s.frame(at: at(Double(i) / 15 + 20), width: 640, height: 480, quality: 75) }
        try time("\(name) render+encode 320x240 q75", 200) { i in _ = try s.frame(at: at(Double(i) / 15 + 20), width: 320, height: 240, quality: 75) }
        try time("\(name) render+encode 160x120 q75", 200) { i in _ = try s.frame(at: at(Double(i) / 15 + 20), width: 160, height: 120, quality: 75) }
    }
    let s = try #require(SceneCatalog.synthetic(named: "street", seed: 42))
    let img = try s.image(at: at(20), width: 640, height: 480)
    let c = JPEGCodec()
    try time("encode only 640x480 q75 422", 200) { _ in _ = try c.encode(img, quality: 75, subsampling: .s422) }
    let jpeg = try c.encode(img, quality: 75, subsampling: .s422)
    try time("decode 1/8 gray", 1000) { _ in _ = try c.decode(jpeg, format: .gray, scale: .eighth) }
    try time("decode 1/1 rgb", 200) { _ in _ = try c.decode(jpeg) }
}
