import VocabTraining
import Foundation

extension SweepReport {
    /// Chart colours (Tableau 10), one per algorithm in `Algorithm.allCases` order, so a new
    /// algorithm gets the next colour.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#7f7f7f", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]

    static func color(_ algorithm: Algorithm) -> String {
        palette[(Algorithm.allCases.firstIndex(of: algorithm) ?? 0) % palette.count]
    }

    /// One chart of a measure against size, a line per algorithm with fold-std error bars. Points
    /// measured on only some folds are drawn hollow, off the line; an algorithm the constraints
    /// exclude at every size is dashed and marked excluded in the legend (the recommendation
    /// gives the reason).
    func chart(title: String, subtitle: String? = nil, yLabel: String, percent: Bool = false, marked: Bool = false,
               value: (Point) -> MeasureSummary?) -> SVGChart {
        var series: [SVGChart.Series] = []
        for algorithm in results.algorithms {
            let points = results.sizes.compactMap { size -> SVGChart.Point? in
                guard let point = point(algorithm, size: size), let summary = value(point) else { return nil }
                let partial = (point.measures["tokens_per_word"]?.folds ?? 0) < results.folds
                return SVGChart.Point(x: Double(size), y: summary.mean, error: summary.standardDeviation, partial: partial)
            }
            var line = SVGChart.Series(name: algorithm.rawValue, color: Self.color(algorithm), points: points)
            let full = recommendation.points.filter { $0.algorithm == algorithm && $0.objective.folds == results.folds }
            if !full.isEmpty, full.allSatisfy({ $0.excludedBecause != nil }) {
                line.dashed = true
                line.label = "\(algorithm.rawValue) (excluded)"
            }
            series.append(line)
        }
        var chart = SVGChart(title: title, xLabel: "vocabulary size (tokens, log scale)", yLabel: yLabel, series: series)
        chart.subtitle = subtitle
        chart.percent = percent
        if marked, let point = point(recommendation.algorithm, size: recommendation.size), let summary = value(point) {
            chart.marker = (Double(recommendation.size), summary.mean, "recommended: \(recommendation.algorithm.rawValue) \(recommendation.size)")
        }
        return chart
    }

    /// Training FLOPs per byte, with the recommendation ringed and, when it is the objective, the
    /// one-standard-error threshold; dashed series are excluded (see the legend and the text).
    func flopsChart() -> SVGChart {
        var flops = chart(title: "Training FLOPs per byte of text", subtitle: "dashed: excluded by the constraints; hollow: measured on some folds only",
                          yLabel: "training FLOPs per byte", marked: true) { $0.measures["training_flops_per_byte"] }
        if settings.objective == .flopsPerByte {
            flops.threshold = (recommendation.threshold, "one standard error above the best: " + formatCount(recommendation.threshold))
        }
        return flops
    }

    /// The report's charts, in page order.
    public func charts() -> [SVGChart] {
        [
            chart(title: "Tokens per word (fertility)", yLabel: "tokens per word") { $0.measures["tokens_per_word"] },
            chart(title: "Word OOV rate (distinct words not one token)",
                  subtitle: "a word is OOV when it takes more than one token; byte-level BPE never produces UNK, its OOV words are split",
                  yLabel: "OOV word types (%)", percent: true) { $0.measures["oov_type_rate"] },
            chart(title: "UNK rate (unknown tokens per token)", yLabel: "UNK tokens (%)", percent: true) { $0.measures["unk_rate"] },
            flopsChart(),
            chart(title: "Rényi efficiency (α = 2.5)", yLabel: "efficiency") { $0.measures["renyi_efficiency"] },
            chart(title: "Bytes per token (compression)", yLabel: "bytes per token") { $0.measures["bytes_per_token"] },
        ]
    }

    /// A self-contained HTML page: the recommendation, SVG charts and the tables (no scripts,
    /// no network).
    public func html() -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Vocabulary-size sweep</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
        .recommendation { background: #eef6ee; border-left: 6px solid #2ca02c; padding: 12px 16px; font-size: 15px; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        .chart { border: 1px solid #ddd; }
        table { border-collapse: collapse; margin: 8px 0 24px; font-size: 12px; }
        th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
        th { background: #f4f4f4; }
        tr.recommended td { background: #fff3c4; font-weight: bold; }
        li { margin-bottom: 4px; }
        .warning { background: #fde2e1; border-left: 4px solid #d62728; padding: 6px 10px; }
        </style></head><body>
        <h1>Vocabulary-size sweep</h1>

        """
        page += "<p class=\"recommendation\" id=\"recommendation\">\(escape(recommendation.explanation))</p>\n"
        page += "<p>Corpora: " + settings.corpora.map { "\(escape($0.group)) (\(String(format: "%.2f", Double($0.bytes) / 1e6)) MB, \($0.units) \(settings.unit.rawValue)s, \(String(format: "%.1f%%", $0.duplicateShare * 100)) of bytes in repeated ones\($0.sampleDescription(unit: settings.unit).map { "; sampled: " + escape($0) } ?? ""))" }.joined(separator: ", ")
        page += ". \(settings.folds)-fold cross-validation, seed \(settings.seed). Error bars: ± one standard deviation over folds.</p>\n"
        for warning in frontEndWarnings { page += "<p class=\"warning\">\(escape(warning))</p>\n" }
        page += "<div class=\"charts\">\n" + charts().map { $0.render() }.joined(separator: "\n") + "\n</div>\n"
        page += "<h2>Results (held-out, mean ± std over folds)</h2>\n"
        for table in resultTables() { page += htmlTable(table) }
        if let languages = languageTable() { page += htmlTable(languages) }
        page += htmlTable(costTable())
        page += htmlTable(leverTable())
        page += htmlTable(trainingTable())
        page += "<h2>How each number is computed</h2>\n<ul>\n" + methodNotes.map { "<li>\(escape($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        page += "</body></html>\n"
        return page
    }

    private func htmlTable(_ table: Table) -> String {
        var html = "<h3>\(escape(table.title))</h3>\n<table>\n<tr>" + table.headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (index, row) in table.rows.enumerated() {
            html += table.highlighted.contains(index) ? "<tr class=\"recommended\">" : "<tr>"
            html += row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }
}
