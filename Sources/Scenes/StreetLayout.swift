/// The static part of a synthetic street scene, chosen once from the seed: sky, a row of
/// buildings with windows on the horizon, trees and street lamps on the far sidewalk, a
/// two-lane road and a near sidewalk. Everything is in normalised coordinates, so one layout
/// draws at any resolution.
struct StreetLayout: Sendable, Hashable {
    /// Rows (normalised y) where the bands of the street meet.
    static let horizon = 0.45
    static let farKerb = 0.56
    static let laneLine = 0.70
    static let nearKerb = 0.84

    struct Building: Sendable, Hashable {
        var left: Double
        var right: Double
        var top: Double
        var wall: RGB
        var columns: Int
        var rows: Int
        /// One bit a window (row-major): lit at night.
        var litWindows: UInt64
    }

    struct Tree: Sendable, Hashable {
        var x: Double
        var height: Double
        var crown: RGB
    }

    var skyTop: RGB
    var skyHorizon: RGB
    var buildings: [Building]
    var trees: [Tree]
    var lamps: [Double]
    var pavement: RGB
    var road: RGB

    init(seed: UInt64) {
        var random = SceneRandom(seed: seed, stream: 1)
        skyTop = RGB(70, 120, 190).varied(by: 20, &random)
        skyHorizon = RGB(185, 205, 225).varied(by: 15, &random)
        pavement = RGB(150, 148, 140).varied(by: 12, &random)
        road = RGB(78, 80, 84).varied(by: 8, &random)

        let palette = [RGB(150, 90, 70), RGB(190, 170, 140), RGB(120, 120, 125), RGB(200, 190, 170), RGB(110, 80, 60)]
        buildings = []
        var x = random.uniform(-0.05...0.0)
        while x < 1 {
            let width = random.uniform(0.10...0.26)
            let wall = random.element(of: palette).varied(by: 18, &random)
            let top = random.uniform(0.06...0.30)
            buildings.append(
                Building(
                    left: x, right: x + width, top: top, wall: wall, columns: max(2, Int(width * 22)),
                    rows: max(2, Int((Self.horizon - top) * 16)), litWindows: random.next()))
            x += width + (random.chance(0.3) ? random.uniform(0.01...0.05) : 0)
        }
        trees = (0..<random.integer(1...3)).map { _ in
            Tree(x: random.uniform(0.05...0.95), height: random.uniform(0.14...0.22), crown: RGB(60, 110, 50).varied(by: 20, &random))
        }
        lamps = (0..<random.integer(1...2)).map { _ in random.uniform(0.1...0.9) }
    }

    func draw(on canvas: Canvas) {
        let width = Double(canvas.width)
        let height = Double(canvas.height)
        func px(_ x: Double) -> Int { Int((x * width).rounded()) }
        func py(_ y: Double) -> Int { Int((y * height).rounded()) }
        let full = canvas.width

        // Sky, a vertical gradient down to the horizon.
        let horizonRow = py(Self.horizon)
        for row in 0..<min(horizonRow, canvas.height) {
            let color = skyTop.mixed(with: skyHorizon, Double(row) / Double(max(horizonRow, 1)))
            canvas.fill(x0: 0, y0: row, x1: full, y1: row + 1, color)
        }

        for building in buildings { draw(building, on: canvas, px: px, py: py) }

        // The far sidewalk, the road with its kerbs and lane markings, the near sidewalk.
        let joint = pavement.scaled(200)
        canvas.fill(x0: 0, y0: horizonRow, x1: full, y1: py(Self.farKerb), pavement)
        canvas.fill(x0: 0, y0: py(Self.nearKerb), x1: full, y1: canvas.height, pavement)
        let thin = max(1, canvas.height / 240)
        for step in stride(from: 0.0, to: 1.0, by: 0.06) {
            canvas.fill(x0: px(step), y0: horizonRow, x1: px(step) + thin, y1: py(Self.farKerb), joint)
        }
        for step in stride(from: 0.0, to: 1.0, by: 0.12) {
            canvas.fill(x0: px(step), y0: py(Self.nearKerb), x1: px(step) + thin, y1: canvas.height, joint)
        }
        canvas.fill(x0: 0, y0: py(0.92), x1: full, y1: py(0.92) + thin, joint)
        canvas.fill(x0: 0, y0: py(Self.farKerb), x1: full, y1: py(Self.nearKerb), road)
        let kerb = RGB(185, 185, 180)
        canvas.fill(x0: 0, y0: py(Self.farKerb), x1: full, y1: py(Self.farKerb) + 2 * thin, kerb)
        canvas.fill(x0: 0, y0: py(Self.nearKerb) - 2 * thin, x1: full, y1: py(Self.nearKerb), kerb)
        for dash in stride(from: 0.02, to: 1.0, by: 0.11) {
            canvas.fill(x0: px(dash), y0: py(Self.laneLine), x1: px(dash + 0.06), y1: py(Self.laneLine) + 2 * thin, RGB(220, 220, 205))
        }

        for tree in trees {
            let base = Self.farKerb - 0.01
            canvas.fill(x0: px(tree.x - 0.006), y0: py(base - tree.height * 0.45), x1: px(tree.x + 0.006), y1: py(base), RGB(90, 65, 45))
            canvas.fillEllipse(
                cx: tree.x * width, cy: (base - tree.height * 0.65) * height, rx: tree.height * 0.35 * height,
                ry: tree.height * 0.38 * height, tree.crown)
        }
        for lamp in lamps {
            canvas.fill(x0: px(lamp) - thin, y0: py(0.24), x1: px(lamp) + thin + 1, y1: py(Self.farKerb - 0.005), RGB(50, 52, 55))
            canvas.fill(x0: px(lamp - 0.012), y0: py(0.225), x1: px(lamp + 0.012), y1: py(0.24), RGB(240, 230, 180), emissive: true)
        }
    }

    private func draw(_ building: Building, on canvas: Canvas, px: (Double) -> Int, py: (Double) -> Int) {
        let left = px(building.left)
        let right = px(building.right)
        let top = py(building.top)
        let bottom = py(Self.horizon)
        canvas.fill(x0: left, y0: top, x1: right, y1: bottom, building.wall)
        canvas.fill(x0: left, y0: top, x1: right, y1: top + max(1, (bottom - top) / 40), building.wall.scaled(170))
        let cellWidth = Double(right - left) / Double(building.columns)
        let cellHeight = Double(bottom - top) / Double(building.rows)
        let glass = RGB(60, 75, 95)
        let lit = RGB(250, 220, 150)
        for row in 0..<(building.rows - 1) {
            for column in 0..<building.columns {
                let bit = (row * building.columns + column) % 64
                let isLit = canvas.lighting.isNight && (building.litWindows >> UInt64(bit)) & 3 == 3
                let x0 = left + Int(Double(column) * cellWidth + cellWidth * 0.25)
                let y0 = top + Int(Double(row) * cellHeight + cellHeight * 0.3)
                canvas.fill(
                    x0: x0, y0: y0, x1: x0 + max(1, Int(cellWidth * 0.5)), y1: y0 + max(1, Int(cellHeight * 0.5)),
                    isLit ? lit : glass, emissive: isLit)
            }
        }
    }
}
