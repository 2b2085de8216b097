import VocabTraining
import Foundation

extension SweepReport {
    /// Chart colours (Tableau 10), one per algorithm in `Algorithm.allCases` order, so a new
    /// algorithm gets the next colour.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#7f7f7f", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]

    static func color(_ algorithm: Algorithm) -> String {
        palette[(Algorithm.allCases.firstIndex(of: algorithm) ?? 0) % palette.count]
    }

    /// One chart of a measure against size, a line per algorithm with fold-std error bars.
    func chart(title: String, yLabel: String, percent: Bool = false, marked: Bool = false,
               value: (Point) -> MeasureSummary?) -> SVGChart {
        var series: [SVGChart.Series] = []
        for algorithm in results.algorithms {
            let points = results.sizes.compactMap { size -> SVGChart.Point? in
                // Points measured on only some folds would bend the line: the tables show them.
                guard let point = point(algorithm, size: size), let summary = value(point),
                      (point.measures["tokens_per_word"]?.folds ?? 0) == results.folds else { return nil }
                return SVGChart.Point(x: Double(size), y: summary.mean, error: summary.standardDeviation)
            }
            series.append(SVGChart.Series(name: algorithm.rawValue, color: Self.color(algorithm), points: points))
        }
        var chart = SVGChart(title: title, xLabel: "vocabulary size (log scale)", yLabel: yLabel, series: series)
        chart.percent = percent
        if marked, let point = point(recommendation.algorithm, size: recommendation.size), let summary = value(point) {
            chart.marker = (Double(recommendation.size), summary.mean, "recommended: \(recommendation.algorithm.rawValue) \(recommendation.size)")
        }
        return chart
    }

    /// The report's charts, in page order.
    public func charts() -> [SVGChart] {
        [
            chart(title: "Tokens per word (fertility)", yLabel: "tokens per word") { $0.measures["tokens_per_word"] },
            chart(title: "Word OOV rate (distinct words not one token)", yLabel: "OOV types", percent: true) { $0.measures["oov_type_rate"] },
            chart(title: "UNK rate (unknown tokens per token)", yLabel: "UNK", percent: true) { $0.measures["unk_rate"] },
            chart(title: "Training FLOPs per byte of text", yLabel: "FLOPs per byte", marked: true) { $0.measures["training_flops_per_byte"] },
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
        page += "<p>Corpora: " + settings.corpora.map { "\(escape($0.group)) (\(String(format: "%.2f", Double($0.bytes) / 1e6)) MB, \($0.units) \(settings.unit.rawValue)s)" }.joined(separator: ", ")
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
