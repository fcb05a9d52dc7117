package dev.huddle.load;

import java.util.List;
import java.util.Locale;

/** Renders a report as one self-contained HTML page: the figures, a latency histogram and latency over time (inline SVG). */
final class HtmlReport {
    private HtmlReport() {
    }

    static String render(Report r) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Huddle load report</title>")
                .append("<style>body{font:15px system-ui;margin:2rem;max-width:60rem}td{padding:.2rem .8rem}")
                .append("svg{background:#fafafa;border:1px solid #ddd}</style></head><body>")
                .append("<h1>Huddle load report</h1><table>");
        row(h, "users / rooms", r.users() + " / " + r.rooms());
        row(h, "sessions connected", String.valueOf(r.sessionsConnected()));
        row(h, "duration", r.durationMs() + " ms");
        row(h, "toggles sent", String.valueOf(r.togglesSent()));
        row(h, "changes delivered", String.valueOf(r.changesDelivered()));
        row(h, "speaking updates matched to a toggle", String.valueOf(r.updatesMatched()));
        row(h, "latency p50 / p90 / p99 / max", String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f ms",
                r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs()));
        row(h, "errors / resyncs / reconnects / churn leaves",
                r.errors() + " / " + r.resyncs() + " / " + r.reconnects() + " / " + r.churnLeaves());
        row(h, "server CPU / peak RSS", String.format(Locale.ROOT, "%.1f s / %.0f MiB", r.serverCpuSeconds(), r.serverPeakRssMiB()));
        h.append("</table><h2>Latency histogram</h2>").append(histogram(r.histogram()))
                .append("<h2>Latency over time (p50 and p99 per second)</h2>").append(overTime(r.perSecond()))
                .append("</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th align=left>").append(k).append("</th><td>").append(v).append("</td></tr>");
    }

    private static String histogram(List<long[]> buckets) {
        int w = 720;
        int hgt = 220;
        long max = buckets.stream().mapToLong(b -> b[1]).max().orElse(1);
        int n = Math.max(1, buckets.size());
        int bw = w / n;
        StringBuilder s = new StringBuilder("<svg width=\"" + w + "\" height=\"" + (hgt + 40) + "\">");
        for (int i = 0; i < buckets.size(); i++) {
            long[] b = buckets.get(i);
            int bh = (int) (hgt * b[1] / Math.max(1, max));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b5bdb\"><title>≤ %.2f ms: %d</title></rect>",
                    i * bw + 2, hgt - bh, bw - 4, bh, b[0] / 1000.0, b[1]));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\">≤%s</text>",
                    i * bw + 2, hgt + 14, b[0] >= 1000 ? (b[0] / 1000) + "ms" : b[0] + "µs"));
        }
        return s.append("</svg>").toString();
    }

    private static String overTime(List<long[]> seconds) {
        int w = 720;
        int hgt = 220;
        long max = seconds.stream().mapToLong(x -> x[3]).max().orElse(1);
        StringBuilder p50 = new StringBuilder();
        StringBuilder p99 = new StringBuilder();
        int n = Math.max(1, seconds.size() - 1);
        for (int i = 0; i < seconds.size(); i++) {
            long[] x = seconds.get(i);
            int px = i * w / n;
            p50.append(px).append(',').append(hgt - (int) (hgt * x[2] / Math.max(1, max))).append(' ');
            p99.append(px).append(',').append(hgt - (int) (hgt * x[3] / Math.max(1, max))).append(' ');
        }
        return "<svg width=\"" + w + "\" height=\"" + (hgt + 20) + "\"><polyline fill=\"none\" stroke=\"#2f9e44\" points=\"" + p50
                + "\"/><polyline fill=\"none\" stroke=\"#e03131\" points=\"" + p99 + "\"/>"
                + String.format(Locale.ROOT, "<text x=\"4\" y=\"12\" font-size=\"11\">max p99 %.2f ms (red p99, green p50)</text>", max / 1000.0)
                + "</svg>";
    }
}
