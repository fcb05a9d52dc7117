package dev.huddle.load;

import java.util.Locale;

/** The report as the one line the tool prints when a run ends. */
final class SummaryLine {
    private SummaryLine() {
    }

    static String of(Report r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "sessions %d/%d in %d rooms | toggles sent %d | changes delivered %d (speaking updates matched %d) | "
                        + "latency p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms | errors %d %s resyncs %d reconnects %d | "
                        + "server cpu %.1f s peak rss %.0f MiB",
                r.sessionsConnected(), r.users(), r.rooms(), r.togglesSent(), r.changesDelivered(), r.updatesMatched(),
                r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.errors(), r.errorCodes(), r.resyncs(), r.reconnects(),
                r.serverCpuSeconds(), r.serverPeakRssMiB()));
        latency(s, "toggles across nodes", r.acrossNodes());
        latency(s, "joins", r.joins());
        latency(s, "leaves", r.leaves());
        if (r.churnLeaves() > 0) {
            s.append(String.format(Locale.ROOT, " | churn: %d leaves, %d returns", r.churnLeaves(), r.churnJoins()));
        }
        s.append(String.format(Locale.ROOT, " | server resyncs %d too slow %d", r.serverResyncs(), r.serverTooSlow()));
        Report.Consistency c = r.consistency();
        s.append(String.format(Locale.ROOT,
                " | lists: %d/%d clients exact (%d/%d rooms vs server), ghosts %d missing %d duplicates %d, server ghosts %d missing %d",
                c.clientsExact(), c.clientsChecked(), c.roomsComparedWithServer(), c.rooms(), c.ghosts(), c.missing(),
                c.duplicates(), c.serverGhosts(), c.serverMissing()));
        Report.Crash k = r.crash();
        if (k != null) {
            s.append(String.format(Locale.ROOT,
                    " | crash: %d killed, %d seen offline by all %d observers; kill->offline p50 %.0f p99 %.0f max %.0f ms "
                            + "(bound %.0f ms, %d over); after deadline p50 %.0f p99 %.0f max %.0f ms (%d over 500 ms)",
                    k.killed(), k.seenOfflineByAll(), k.observers(), k.killToOffline().p50Ms(), k.killToOffline().p99Ms(),
                    k.killToOffline().maxMs(), k.boundMs(), k.overBound(), k.deadlineToOffline().p50Ms(),
                    k.deadlineToOffline().p99Ms(), k.deadlineToOffline().maxMs(), k.overDeadline()));
        }
        return s.toString();
    }

    private static void latency(StringBuilder s, String what, Report.Latency l) {
        if (l.samples() > 0) {
            s.append(String.format(Locale.ROOT, " | %s: %d samples p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms",
                    what, l.samples(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs()));
        }
    }
}
