package dev.huddle.presence.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The real services the tests run against, and the one place a test may be skipped for lack of one.
 *
 * <p>Every dependency is required by default: a test that needs PostgreSQL, Redis or Chromium calls
 * {@link #require()} and then connects; when the service is unreachable the connect fails the test
 * loudly, with the fix in its message. Only an explicit opt-out skips: {@code HUDDLE_TEST_SKIP} (or
 * {@code -Dhuddle.test.skip}) listing names such as {@code postgres,redis,chromium}. Then
 * {@link #require()} aborts the test (JUnit reports it as skipped, with the reason; a class aborted
 * in {@code @BeforeAll} shows as no tests at all) and notes the test class in the file that
 * {@code HUDDLE_TEST_SKIP_LOG} names, from which {@code scripts/test.sh} says at the end what was skipped. A name that is not a dependency fails
 * every test that asks, so a typo cannot quietly run less than intended.
 */
public enum Dependency {
    POSTGRES("postgres", "PostgreSQL"),
    REDIS("redis", "Redis"),
    CHROMIUM("chromium", "Chromium");

    /** The environment variable (and, lower-cased with dots, the system property) that opts out. */
    public static final String SKIP_VARIABLE = "HUDDLE_TEST_SKIP";
    /** The environment variable naming a file each skipped test class is appended to, one line each. */
    public static final String SKIP_LOG_VARIABLE = "HUDDLE_TEST_SKIP_LOG";

    private final String key;
    private final String label;

    Dependency(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** The name {@code HUDDLE_TEST_SKIP} lists it by, e.g. {@code postgres}. */
    public String key() {
        return key;
    }

    /** Its product name, e.g. {@code PostgreSQL}. */
    public String label() {
        return label;
    }

    /**
     * Returns when the tests must run against this dependency; aborts the calling test (reported as
     * skipped, with the reason) when {@code HUDDLE_TEST_SKIP} opts out of it.
     *
     * @throws IllegalStateException when {@code HUDDLE_TEST_SKIP} names something that is not a dependency
     */
    public void require() {
        if (skipped(configured()).contains(key)) {
            logSkip();
            Assumptions.abort(label + " tests skipped: " + SKIP_VARIABLE + "=" + configured());
        }
    }

    private void logSkip() {
        String log = System.getenv(SKIP_LOG_VARIABLE);
        if (log == null || log.isBlank()) {
            return;
        }
        String test = StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getClassName)
                .filter(c -> c.endsWith("Test") || c.endsWith("IT") || c.contains("Test$")).findFirst().orElse("?"));
        try {
            Files.writeString(Path.of(log), label + " " + test + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot note the skipped test in " + log, e);
        }
    }

    /**
     * The message a test throws when this dependency is required but cannot be reached at
     * {@code where}: the cause, and the two ways out.
     */
    public String unreachable(String where, String howToProvide) {
        return label + " is required by the tests but cannot be reached at " + where + ". " + howToProvide
                + " (scripts/test.sh starts or installs it), or skip these tests explicitly with "
                + SKIP_VARIABLE + "=" + key + ".";
    }

    /** The keys listed in {@code value} (comma- or space-separated); fails on a name that is not a dependency. */
    static Set<String> skipped(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<String> known = Arrays.stream(values()).map(Dependency::key).collect(Collectors.toSet());
        Set<String> listed = new LinkedHashSet<>();
        for (String name : value.toLowerCase(Locale.ROOT).split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            if (!known.contains(name)) {
                throw new IllegalStateException(SKIP_VARIABLE + " lists '" + name + "', which is not a test dependency; "
                        + "the names are " + String.join(", ", known.stream().sorted().toList()));
            }
            listed.add(name);
        }
        return listed;
    }

    private static String configured() {
        String property = System.getProperty("huddle.test.skip");
        return property != null ? property : System.getenv(SKIP_VARIABLE);
    }
}
