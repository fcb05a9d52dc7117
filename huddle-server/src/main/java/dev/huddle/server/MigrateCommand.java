package dev.huddle.server;

import dev.huddle.server.config.ConfigException;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.legacy.LegacyPresenceTable;
import dev.huddle.server.legacy.NodeReports;
import dev.huddle.server.storage.Database;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code huddle-server [database flags] migrate …}: schema migrations run by hand. */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Schema migrations run by hand (see docs/migration.md).",
        subcommands = MigrateCommand.RetireLegacyPresence.class)
final class MigrateCommand {
    @ParentCommand
    Main main;

    /**
     * {@code migrate retire-legacy-presence [--dry-run] [--force]} (L3): reports what the legacy table
     * holds and which nodes run, then empties and drops it by applying the retirement migration.
     * Idempotent. Refuses (exit 3), naming them, while any node seen within the last minute
     * ({@link NodeReports}) reports {@code legacy} or {@code shadow} as the source it really uses,
     * unless {@code --force}.
     */
    @Command(name = "retire-legacy-presence", mixinStandardHelpOptions = true,
            description = "Reports, empties and drops the legacy presence table, recorded as schema migration 3.")
    static final class RetireLegacyPresence implements Callable<Integer> {
        static final int REFUSED = 3;

        @ParentCommand
        MigrateCommand migrate;
        @Spec
        CommandSpec spec;
        @Option(names = "--dry-run", description = "Report what the table holds and what would happen; change nothing.")
        boolean dryRun;
        @Option(names = "--force", description = "Retire even while a running node still uses the legacy table.")
        boolean force;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ServerConfig config;
            try {
                config = migrate.main.loadConfig();
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return 2;
            }
            try (Database db = Database.open(config)) {
                if (db.legacyRetired()) {
                    out.println("legacy presence: already retired (schema migration " + Database.RETIREMENT_VERSION
                            + " applied); nothing to do");
                    out.flush();
                    return 0;
                }
                LegacyPresenceTable table = new LegacyPresenceTable(db.jdbi());
                PresenceSource recorded = table.recordedSource().orElse(null);
                long now = System.currentTimeMillis();
                LegacyPresenceTable.Report r = table.report(now - config.rollout().staleAfterMs());
                out.printf("legacy presence: %d rows in %d huddles (%d stale); rollout flag %s%n", r.rows(), r.huddles(),
                        r.stale(), recorded != null ? recorded.wire() + " (recorded by a runtime switch)" : "never switched at runtime");
                // L3: decided by what each running node reports it really uses, not by any recorded or passed flag.
                List<NodeReports.Node> running = NodeReports.recentlySeen(db.jdbi(), now - NodeReports.LIVE_WITHIN.toMillis());
                List<NodeReports.Node> onTable = running.stream().filter(n -> n.source().usesLegacyTable()).toList();
                for (NodeReports.Node n : running) {
                    out.printf("node %s: source %s, seen %d s ago%n", n.nodeId(), n.source().wire(),
                            Math.max(0, now - n.seenAt()) / 1_000);
                }
                if (!onTable.isEmpty() && !force) {
                    for (NodeReports.Node n : onTable) {
                        err.println("refusing: node " + n.nodeId() + " still uses the legacy table (source " + n.source().wire()
                                + ", seen " + Math.max(0, now - n.seenAt()) / 1_000 + " s ago)");
                    }
                    err.println("switch every node to component first (PUT /api/admin/presence-source), or stop it and wait "
                            + NodeReports.LIVE_WITHIN.toSeconds() + " s, or pass --force");
                    out.flush();
                    err.flush();
                    return REFUSED;
                }
                if (dryRun) {
                    out.println("dry run: would delete " + r.rows() + " rows and drop the table; nothing changed");
                    out.flush();
                    return 0;
                }
                db.retireLegacyPresence();
                out.println("retired: deleted " + r.rows() + " rows and dropped the table (schema migration "
                        + Database.RETIREMENT_VERSION + ")");
                out.flush();
                return 0;
            }
        }
    }
}
