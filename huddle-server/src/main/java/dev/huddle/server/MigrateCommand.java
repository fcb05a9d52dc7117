package dev.huddle.server;

import dev.huddle.server.config.ConfigException;
import dev.huddle.server.config.PresenceSource;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.legacy.LegacyPresenceTable;
import dev.huddle.server.storage.Database;
import java.io.PrintWriter;
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
     * holds, then empties and drops it by applying the retirement migration. Idempotent. Refuses (exit 3)
     * while the rollout flag — the value recorded by the last runtime switch, else the configured one —
     * is {@code legacy} or {@code shadow}, unless {@code --force}.
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
        @Option(names = "--force", description = "Retire even while the rollout flag is legacy or shadow.")
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
                PresenceSource effective = recorded != null ? recorded : config.rollout().source();
                long cutoff = System.currentTimeMillis() - config.rollout().staleAfterMs();
                LegacyPresenceTable.Report r = table.report(cutoff);
                out.printf("legacy presence: %d rows in %d huddles (%d stale); rollout flag %s (%s)%n", r.rows(), r.huddles(),
                        r.stale(), effective.wire(), recorded != null ? "recorded by a runtime switch" : "configured");
                if (effective.usesLegacyTable() && !force) {
                    err.println("refusing: the rollout flag is " + effective.wire()
                            + "; switch to component first (PUT /api/admin/presence-source) or pass --force");
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
