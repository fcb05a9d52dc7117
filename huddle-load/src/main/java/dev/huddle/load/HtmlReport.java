package dev.huddle.load;

import java.util.List;
import java.util.Locale;

/**
 * Renders a report as one self-contained HTML page: the figures, then for each latency series the
 * run has (toggles, joins, leaves, crash) a histogram and its course over time (inline SVG).
 */
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
        if (r.joinWindowMs() > 0) {
            row(h, "join burst: sockets opened over", String.format(Locale.ROOT, "%.0f ms", r.joinWindowMs()));
        }
        row(h, "duration", r.durationMs() + " ms");
        row(h, "warm-up before it (unmeasured)", r.warmupMs() + " ms");
        row(h, "toggles sent", String.valueOf(r.togglesSent()));
        row(h, "changes delivered", String.valueOf(r.changesDelivered()));
        row(h, "speaking updates matched to a toggle", String.valueOf(r.updatesMatched()));
        row(h, "latency p50 / p90 / p99 / max", figures(r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs()));
        summaryRow(h, "join → seen online", r.joins(), r.joinsObserved());
        summaryRow(h, "leave → seen offline", r.leaves(), r.leavesObserved());
        if (r.churnLeaves() > 0) {
            row(h, "churn: leaves / returns", r.churnLeaves() + " / " + r.churnJoins());
        }
        row(h, "errors / resyncs / reconnects / churn leaves",
                r.errors() + " / " + r.resyncs() + " / " + r.reconnects() + " / " + r.churnLeaves());
        if (!r.errorCodes().isEmpty()) {
            row(h, "errors by code", esc(r.errorCodes().toString()));
        }
        row(h, "server: resyncs (S4) / sockets closed too slow", r.serverResyncs() + " / " + r.serverTooSlow());
        row(h, "server CPU / peak RSS", String.format(Locale.ROOT, "%.1f s / %.0f MiB", r.serverCpuSeconds(), r.serverPeakRssMiB()));
        Report.Consistency c = r.consistency();
        if (c != null) {
            row(h, "final lists: clients exact / checked", c.clientsExact() + " / " + c.clientsChecked()
                    + " (rooms compared with the server's list: " + c.roomsComparedWithServer() + " / " + c.rooms() + ")");
            row(h, "final lists: ghosts / missing / duplicates", c.ghosts() + " / " + c.missing() + " / " + c.duplicates());
            row(h, "server's lists: ghosts / missing", c.serverGhosts() + " / " + c.serverMissing());
        }
        Report.Crash k = r.crash();
        if (k != null) {
            row(h, "crash: killed / seen offline by every observer / observers", k.killed() + " / " + k.seenOfflineByAll()
                    + " / " + k.observers());
            row(h, "crash: kill → offline p50 / p90 / p99 / max", figures(k.killToOffline().p50Ms(), k.killToOffline().p90Ms(),
                    k.killToOffline().p99Ms(), k.killToOffline().maxMs()));
            row(h, "crash: bound (2.5 × interval + 500 ms) / over it", String.format(Locale.ROOT, "%.0f ms / %d", k.boundMs(), k.overBound()));
            row(h, "crash: deadline → offline p50 / p90 / p99 / max", figures(k.deadlineToOffline().p50Ms(),
                    k.deadlineToOffline().p90Ms(), k.deadlineToOffline().p99Ms(), k.deadlineToOffline().maxMs()));
            row(h, "crash: over deadline + 500 ms", String.valueOf(k.overDeadline()));
        }
        h.append("</table>");
        if (r.latencySamples() > 0) {
            series(h, "Latency histogram", "Latency over time (p50 and p99 per second)", r.histogram(), r.perSecond());
        }
        series(h, "Join propagation", r.joins());
        series(h, "Leave propagation", r.leaves());
        if (k != null) {
            series(h, "Crash: kill → seen offline by every observer (time axis: seconds since the kill)", k.killToOffline());
            series(h, "Crash: deadline → seen offline by every observer", k.deadlineToOffline());
        }
        return h.append("</body></html>\n").toString();
    }

    private static void series(StringBuilder h, String title, Report.Latency l) {
        if (l != null && l.samples() > 0) {
            series(h, title + ": histogram", title + ": over time (p50 and p99 per second)", l.histogram(), l.perSecond());
        }
    }

    private static void series(StringBuilder h, String histogramTitle, String overTimeTitle, List<long[]> histogram,
            List<long[]> perSecond) {
        h.append("<h2>").append(esc(histogramTitle)).append("</h2>").append(histogram(histogram))
                .append("<h2>").append(esc(overTimeTitle)).append("</h2>").append(overTime(perSecond));
    }

    private static void summaryRow(StringBuilder h, String what, Report.Latency l, long observed) {
        if (l != null && l.samples() > 0) {
            row(h, what + ": samples (of observed) / p50 / p90 / p99 / max", l.samples() + " (of " + observed + ") / "
                    + figures(l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs()));
        }
    }

    private static String figures(double p50, double p90, double p99, double max) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f ms", p50, p90, p99, max);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th align=left>").append(esc(k)).append("</th><td>").append(v).append("</td></tr>");
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
