package dev.huddle.server;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers: no package of the engine, the Redis store or the server reaches, through
 * any chain of imports, back into itself (e.g. {@code auth} → {@code huddle} → {@code auth}), so each
 * can be read, changed and tested from the bottom up. Maven already forbids cycles between modules;
 * this checks the packages inside them.
 */
class PackageCyclesTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.huddle");

    @Test
    @DisplayName("the server's packages (auth, huddle, live, presence, …) have no cycle among them")
    void serverPackagesAreFreeOfCycles() {
        slices().matching("dev.huddle.server.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    @DisplayName("the engine's and the Redis store's packages have no cycle among them")
    void enginePackagesAreFreeOfCycles() {
        slices().matching("dev.huddle.presence.(**)").should().beFreeOfCycles().allowEmptyShould(true).check(MAIN);
    }
}
