import Foundation

/// A line chart drawn as standalone SVG: log2 x axis (vocabulary size), linear y axis, one line
/// per series with error bars, and an optional marked point. No scripts, no external resources.
public struct SVGChart: Sendable {
    public struct Point: Sendable {
        public var x: Double, y: Double, error: Double
        /// Measured on only some folds: drawn hollow and left off the line.
        public var partial = false
    }
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var dashed = false
        public var points: [Point]
        /// The legend's text (default: the name), e.g. why the series is excluded.
        public var label: String?
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// A point to ring and label (the recommendation).
    public var marker: (x: Double, y: Double, label: String)?
    /// Format of y tick labels.
    public var percent = false
    /// A line under the title (what the measure means, its units).
    public var subtitle: String?
    /// A horizontal reference line (the one-standard-error threshold).
    public var threshold: (y: Double, label: String)?
    public var width = 640.0, height = 380.0

    /// The chart as an `<svg>` element.
    public func render() -> String {
        let left = 78.0, right = 20.0, top = 40.0, bottom = 78.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.points)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"\(fmt(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>\n"
        if let subtitle { svg += "<text x=\"\(fmt(width / 2))\" y=\"36\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">\(escape(subtitle))</text>\n" }
        guard !all.isEmpty else {
            svg += "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\">no data</text>\n</svg>"
            return svg
        }
        // 1. Ranges.
        let xs = all.map { log2(max($0.x, 1)) }
        var xMin = xs.min()!, xMax = xs.max()!
        if xMax - xMin < 1e-9 { xMin -= 0.5; xMax += 0.5 }
        var yMin = all.map { $0.y - $0.error }.min()!, yMax = all.map { $0.y + $0.error }.max()!
        if let marker { yMin = min(yMin, marker.y); yMax = max(yMax, marker.y) }
        if let threshold { yMin = min(yMin, threshold.y); yMax = max(yMax, threshold.y) }
        if yMin >= 0 && yMin < (yMax - yMin) * 0.5 { yMin = 0 }
        if yMax - yMin < 1e-12 { yMax = yMin + max(abs(yMin) * 0.1, 1e-9) }
        let ticks = Self.niceTicks(yMin, yMax)
        yMin = min(yMin, ticks.first!); yMax = max(yMax, ticks.last!)
        func px(_ x: Double) -> Double { left + (log2(max(x, 1)) - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }
        // 2. Axes and grid.
        svg += "<g font-size=\"11\" fill=\"#333\">\n"
        for tick in ticks {
            let y = py(tick)
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotWidth))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"#e4e4e4\"/>\n"
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(escape(tickLabel(tick)))</text>\n"
        }
        for x in Set(all.map(\.x)).sorted() {
            svg += "<line x1=\"\(fmt(px(x)))\" x2=\"\(fmt(px(x)))\" y1=\"\(fmt(top))\" y2=\"\(fmt(top + plotHeight))\" stroke=\"#f0f0f0\"/>\n"
            svg += "<text x=\"\(fmt(px(x)))\" y=\"\(fmt(top + plotHeight + 16))\" text-anchor=\"middle\">\(escape(sizeLabel(x)))</text>\n"
        }
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotWidth))\" height=\"\(fmt(plotHeight))\" fill=\"none\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(top + plotHeight + 34))\" text-anchor=\"middle\" font-size=\"12\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(fmt(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(escape(yLabel))</text>\n"
        svg += "</g>\n"
        // 3. Series: error bars, line, points.
        for s in series where !s.points.isEmpty {
            let points = s.points.sorted { $0.x < $1.x }
            svg += "<g class=\"series\" data-series=\"\(escape(s.name))\" stroke=\"\(s.color)\" fill=\"\(s.color)\">\n"
            for p in points where p.error > 0 {
                svg += "<line x1=\"\(fmt(px(p.x)))\" x2=\"\(fmt(px(p.x)))\" y1=\"\(fmt(py(p.y - p.error)))\" y2=\"\(fmt(py(p.y + p.error)))\" stroke-width=\"1.5\"/>\n"
                for y in [p.y - p.error, p.y + p.error] {
                    svg += "<line x1=\"\(fmt(px(p.x) - 4))\" x2=\"\(fmt(px(p.x) + 4))\" y1=\"\(fmt(py(y)))\" y2=\"\(fmt(py(y)))\" stroke-width=\"1.5\"/>\n"
                }
            }
            let path = points.filter { !$0.partial }.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke-width=\"2.5\"\(s.dashed ? " stroke-dasharray=\"6 4\" stroke-opacity=\"0.55\"" : "")/>\n"
            for p in points {
                svg += p.partial ? "<circle class=\"partial\" cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"4\" fill=\"#ffffff\" stroke-width=\"1.5\"/>\n"
                    : "<circle cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"3.5\"/>\n"
            }
            svg += "</g>\n"
        }
        // 4. The reference line and the marked point.
        if let threshold {
            let y = py(threshold.y)
            svg += "<g class=\"threshold\"><line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotWidth))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"3 3\"/>\n"
            svg += "<text x=\"\(fmt(left + 4))\" y=\"\(fmt(y - 4))\" font-size=\"10\">\(escape(threshold.label))</text></g>\n"
        }
        if let marker {
            let (x, y) = (px(marker.x), py(marker.y))
            svg += "<g class=\"marker\"><circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"9\" fill=\"none\" stroke=\"#000\" stroke-width=\"2.5\"/>\n"
            let anchor = x > left + plotWidth * 0.5 ? "end" : "start"
            svg += "<text x=\"\(fmt(x + (anchor == "end" ? -12 : 12)))\" y=\"\(fmt(y - 12))\" text-anchor=\"\(anchor)\" font-size=\"12\" font-weight=\"bold\">\(escape(marker.label))</text></g>\n"
        }
        // 5. Legend: one row under the axis label, outside the plot.
        let legendY = height - 12
        let itemWidth = min(110.0, plotWidth / Double(max(1, series.count)))
        for (index, s) in series.enumerated() {
            let x = left + Double(index) * itemWidth
            svg += "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x + 22))\" y1=\"\(fmt(legendY - 4))\" y2=\"\(fmt(legendY - 4))\" stroke=\"\(s.color)\" stroke-width=\"3\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            svg += "<text x=\"\(fmt(x + 28))\" y=\"\(fmt(legendY))\" font-size=\"11\">\(escape(s.label ?? s.name))</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// About five round tick values covering [low, high].
    static func niceTicks(_ low: Double, _ high: Double) -> [Double] {
        let span = max(high - low, 1e-12)
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(low / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= high + step * 0.5 && ticks.count < 12 { ticks.append(t); t += step }
        return ticks
    }

    private func tickLabel(_ value: Double) -> String {
        if percent { return String(format: value * 100 >= 10 || value == 0 ? "%.0f%%" : "%.2g%%", value * 100) }
        let magnitude = abs(value)
        if magnitude >= 1e4 { return formatCount(value) }
        if magnitude == 0 { return "0" }
        return String(format: "%.3g", value)
    }

    private func sizeLabel(_ x: Double) -> String {
        x >= 1000 && x.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(x / 1000))k" : "\(Int(x))"
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// Escapes text for XML and HTML.
func escape(_ text: String) -> String {
    var result = ""
    for c in text {
        switch c {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        default: result.append(c)
        }
    }
    return result
}
