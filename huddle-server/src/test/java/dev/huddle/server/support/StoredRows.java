package dev.huddle.server.support;

import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Everything a test server on SQLite has stored, as text: to show that a refused request changed nothing. */
public final class StoredRows {
    private static final List<String> QUERIES = List.of(
            "SELECT id, display_name, avatar_url FROM users ORDER BY id",
            "SELECT id, slug, title, created_by, public_viewing FROM huddles ORDER BY id",
            "SELECT huddle_id, user_id, role FROM memberships ORDER BY huddle_id, user_id",
            "SELECT huddle_id, user_id, is_speaking, is_recording, last_seen FROM presence ORDER BY huddle_id, user_id");

    private StoredRows() {
    }

    /** The rows of the users, huddles, memberships and legacy presence tables of the database in {@code dataDir}. */
    public static String of(Path dataDir) {
        StringBuilder out = new StringBuilder();
        try (Connection c = DriverManager.getConnection(ServerConfig.sqliteUrl(dataDir));
                Statement s = c.createStatement()) {
            for (String q : QUERIES) {
                out.append(q).append('\n');
                try (ResultSet rs = s.executeQuery(q)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            out.append(i == 1 ? "  " : " | ").append(rs.getString(i));
                        }
                        out.append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
