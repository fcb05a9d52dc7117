package dev.huddle.server.huddle;

import dev.huddle.presence.ManualClock;
import dev.huddle.server.support.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("huddle access (H4, H9) on SQLite")
class SqliteHuddleAccessTest extends HuddleAccessContract {
    @TempDir
    Path dir;

    @Override
    TestServer server() {
        return new TestServer(dir, new ManualClock(TestServer.T0), c -> c);
    }
}
