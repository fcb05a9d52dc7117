package dev.huddle.server.storage;

import dev.huddle.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("repositories on SQLite")
class SqliteRepositoryTest extends RepositoryContract {
    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        db = Database.open(ServerConfig.sqliteUrl(dir), null, null);
        super.repositories();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Override
    void repositories() {
        // opened in open(), after the database exists
    }

    @Override
    Database database() {
        return db;
    }
}
