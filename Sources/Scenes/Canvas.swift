/// Drawing primitives over a packed RGB buffer, `width` by `height`, top row first.
///
/// Every shape is clipped to the buffer, so callers may draw partly (or wholly) outside it.
/// Colours pass through `lighting` as they are drawn, so a scene can be drawn once in its day
/// colours and come out dimmed or as a grey IR image. The canvas does not own its memory: it is
/// valid only inside the `withUnsafeMutableBufferPointer` call that made it.
struct Canvas {
    let pixels: UnsafeMutablePointer<UInt8>
    let width: Int
    let height: Int
    var lighting: Lighting

    /// Fills the rows `y0..<y1`, columns `x0..<x1`.
    func fill(x0: Int, y0: Int, x1: Int, y1: Int, _ color: RGB, emissive: Bool = false) {
        let (left, right) = (max(x0, 0), min(x1, width))
        let (top, bottom) = (max(y0, 0), min(y1, height))
        guard left < right, top < bottom else { return }
        let shaded = lighting.shade(color, emissive: emissive)
        for y in top..<bottom { fillSpan(y: y, from: left, to: right, shaded) }
    }

    /// Fills an ellipse centred on (`cx`, `cy`) with radii `rx`, `ry`.
    func fillEllipse(cx: Double, cy: Double, rx: Double, ry: Double, _ color: RGB, emissive: Bool = false) {
        guard rx > 0, ry > 0 else { return }
        let shaded = lighting.shade(color, emissive: emissive)
        let top = max(Int((cy - ry).rounded(.down)), 0)
        let bottom = min(Int((cy + ry).rounded(.up)), height)
        guard top < bottom else { return }
        for y in top..<bottom {
            let dy = (Double(y) + 0.5 - cy) / ry
            guard dy * dy < 1 else { continue }
            let half = rx * (1 - dy * dy).squareRoot()
            let left = max(Int((cx - half).rounded()), 0)
            let right = min(Int((cx + half).rounded()), width)
            if left < right { fillSpan(y: y, from: left, to: right, shaded) }
        }
    }

    /// Writes `color` to pixels `from..<to` of row `y` (already clipped and shaded). Long spans
    /// are filled by doubling copies rather than pixel by pixel.
    @inline(__always)
    func fillSpan(y: Int, from left: Int, to right: Int, _ color: RGB) {
        let start = pixels + (y * width + left) * 3
        let count = right - left
        start[0] = color.r
        start[1] = color.g
        start[2] = color.b
        if count < 16 {
            var offset = 3
            while offset < count * 3 {
                start[offset] = color.r
                start[offset + 1] = color.g
                start[offset + 2] = color.b
                offset += 3
            }
            return
        }
        var filled = 3
        let total = count * 3
        while filled < total {
            let chunk = min(filled, total - filled)
            (start + filled).update(from: start, count: chunk)
            filled += chunk
        }
    }
}
