package dev.huddle.server.storage;

import dev.huddle.server.support.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/** The same repository tests on the local PostgreSQL, in a database created for this class and dropped after. */
@DisplayName("repositories on PostgreSQL")
class PostgresRepositoryTest extends RepositoryContract {
    static PostgresDatabase pg;
    static Database db;

    @BeforeAll
    static void create() {
        pg = PostgresDatabase.create();
        db = Database.open(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD);
        // a second open runs Flyway again: already migrated, nothing to do
        Database.open(pg.url, PostgresDatabase.USER, PostgresDatabase.PASSWORD).close();
    }

    @AfterAll
    static void drop() {
        if (db != null) {
            db.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    @Override
    void repositories() {
        super.repositories();
    }

    @Override
    Database database() {
        return db;
    }
}
