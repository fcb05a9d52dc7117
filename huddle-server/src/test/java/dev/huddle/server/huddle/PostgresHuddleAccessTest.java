package dev.huddle.server.huddle;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.PostgresDatabase;
import dev.huddle.server.support.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("huddle access (H4, H9) on PostgreSQL")
class PostgresHuddleAccessTest extends HuddleAccessContract {
    static PostgresDatabase pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void create() {
        pg = PostgresDatabase.create();
    }

    @AfterAll
    static void drop() {
        pg.close();
    }

    @Override
    TestServer server() {
        return new TestServer(dir, new ManualClock(TestServer.T0),
                c -> c.withDatabase(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD));
    }
}
