/// Draws a scripted object into its box: a person, a car or an animal, facing the way it
/// moves, with colours chosen from its id and legs that move as it walks.
struct Sprite {
    /// The box in pixels.
    let x: Double
    let y: Double
    let width: Double
    let height: Double
    /// Whether the sprite faces towards smaller x: its local coordinates are then mirrored.
    let mirrored: Bool
    let canvas: Canvas

    init(_ placement: SceneScript.Placement, on canvas: Canvas) {
        let box = placement.box
        x = box.x * Double(canvas.width)
        y = box.y * Double(canvas.height)
        width = box.width * Double(canvas.width)
        height = box.height * Double(canvas.height)
        mirrored = !placement.appearance.movesRight
        self.canvas = canvas
    }

    /// Draws the object; `seed` and the id pick its colours, `progress` the stride.
    /// Boxes that are not finite, or absurdly far out, are not drawn.
    static func draw(_ placement: SceneScript.Placement, seed: UInt64, on canvas: Canvas) {
        let box = placement.box
        guard [box.x, box.y, box.width, box.height].allSatisfy({ $0.isFinite && abs($0) < 100 }) else { return }
        let sprite = Sprite(placement, on: canvas)
        var random = SceneRandom(seed: seed, stream: 0x0B1E_C700 &+ UInt64(truncatingIfNeeded: placement.id))
        // Legs swing back and forth (a triangle wave, -1...1) twice a second.
        let phase = (placement.progress * placement.appearance.duration.seconds * 2).truncatingRemainder(dividingBy: 1)
        let stride = 1 - 4 * abs(phase - 0.5)
        switch placement.appearance.kind {
        case .person: sprite.drawPerson(stride: stride, &random)
        case .car: sprite.drawCar(&random)
        case .animal: sprite.drawAnimal(stride: stride, &random)
        }
    }

    /// A rectangle between the local fractions (`left`, `top`) and (`right`, `bottom`) of the box.
    private func rect(_ left: Double, _ top: Double, _ right: Double, _ bottom: Double, _ color: RGB, emissive: Bool = false) {
        let (a, b) = mirrored ? (1 - right, 1 - left) : (left, right)
        canvas.fill(
            x0: Int((x + a * width).rounded()), y0: Int((y + top * height).rounded()),
            x1: Int((x + b * width).rounded()), y1: Int((y + bottom * height).rounded()), color, emissive: emissive)
    }

    /// An ellipse centred on the local fraction (`cx`, `cy`), radii fractions of width and height.
    private func ellipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ color: RGB) {
        let center = mirrored ? 1 - cx : cx
        canvas.fillEllipse(cx: x + center * width, cy: y + cy * height, rx: rx * width, ry: ry * height, color)
    }

    private static let skins = [RGB(240, 200, 170), RGB(200, 150, 110), RGB(140, 95, 65), RGB(90, 60, 45)]
    private static let clothes = [
        RGB(180, 40, 40), RGB(40, 70, 150), RGB(40, 120, 60), RGB(220, 200, 60), RGB(30, 30, 35),
        RGB(230, 230, 225), RGB(120, 60, 140), RGB(200, 110, 40),
    ]
    private static let paints = [
        RGB(200, 30, 30), RGB(20, 40, 120), RGB(235, 235, 235), RGB(25, 25, 28), RGB(150, 155, 160),
        RGB(30, 100, 60), RGB(230, 180, 20),
    ]

    private func drawPerson(stride: Double, _ random: inout SceneRandom) {
        let skin = random.element(of: Self.skins)
        let shirt = random.element(of: Self.clothes)
        let trousers = random.element(of: Self.clothes).scaled(150)
        let swing = stride * 0.14
        rect(0.26 + swing, 0.54, 0.50 + swing, 0.98, trousers)
        rect(0.50 - swing, 0.54, 0.74 - swing, 0.98, trousers.scaled(220))
        rect(0.20 + swing, 0.95, 0.52 + swing, 1.0, .black)
        rect(0.48 - swing, 0.95, 0.80 - swing, 1.0, .black)
        rect(0.18, 0.17, 0.82, 0.57, shirt)
        rect(0.04 - swing * 0.5, 0.18, 0.18 - swing * 0.5, 0.50, shirt.scaled(210))
        rect(0.82 + swing * 0.5, 0.18, 0.96 + swing * 0.5, 0.50, shirt.scaled(210))
        ellipse(0.5, 0.085, 0.24, 0.085, skin)
        ellipse(0.5, 0.045, 0.24, 0.045, random.element(of: Self.clothes).scaled(90))
    }

    private func drawCar(_ random: inout SceneRandom) {
        let paint = random.element(of: Self.paints)
        let glass = RGB(70, 90, 110)
        rect(0.0, 0.40, 1.0, 0.84, paint)
        rect(0.20, 0.04, 0.76, 0.42, paint.scaled(220))
        rect(0.24, 0.09, 0.47, 0.40, glass)
        rect(0.50, 0.09, 0.72, 0.40, glass)
        rect(0.0, 0.70, 1.0, 0.76, paint.scaled(140))
        rect(0.95, 0.46, 1.0, 0.56, RGB(255, 250, 220), emissive: true)
        rect(0.0, 0.46, 0.03, 0.56, RGB(200, 20, 20), emissive: true)
        for wheel in [0.2, 0.8] {
            ellipse(wheel, 0.82, 0.08, 0.18, RGB(20, 20, 22))
            ellipse(wheel, 0.82, 0.035, 0.08, RGB(160, 160, 165))
        }
    }

    private func drawAnimal(stride: Double, _ random: inout SceneRandom) {
        let fur = random.element(of: [RGB(120, 85, 50), RGB(200, 170, 120), RGB(40, 35, 30), RGB(170, 170, 165)])
        let swing = stride * 0.05
        for (leg, phase) in [(0.18, swing), (0.30, -swing), (0.58, -swing), (0.70, swing)] {
            rect(leg + phase, 0.55, leg + phase + 0.07, 1.0, fur.scaled(200))
        }
        rect(0.0, 0.28, 0.16, 0.38, fur)
        ellipse(0.45, 0.45, 0.33, 0.20, fur)
        ellipse(0.85, 0.28, 0.13, 0.17, fur)
        ellipse(0.96, 0.32, 0.05, 0.06, .black)
    }
}
