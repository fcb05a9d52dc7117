package dev.huddle.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.huddle.server.config.Setting;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the real command says when the server cannot start: the cause, the setting at fault and the fix,
 * never a misleading "Port already in use" or SQLite's pathless {@code SQLITE_CANTOPEN}. Every case fails
 * before listening; the timeout turns a server that started after all into a failure, not a hang.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StartupErrorsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run main(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main(env));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.setUsageHelpWidth(250);
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String data() {
        return "--data-dir=" + dir.resolve("data");
    }

    @Test
    @DisplayName("--help lists every setting's flag with its variable, allowed values and default")
    void helpListsEverySetting() {
        Run help = main(Map.of(), "--help");
        assertThat(help.code()).isZero();
        for (Setting s : Setting.values()) {
            assertThat(help.out()).as(s.flag()).contains(s.flag() + "=").contains("Env: " + s.env() + ". Values: "
                    + s.allowed().describe() + ".");
            if (s.defaultValue() != null) {
                assertThat(help.out()).as(s.flag()).contains("Env: " + s.env() + ". Values: " + s.allowed().describe()
                        + ". Default: " + s.defaultValue() + ".");
            }
        }
    }

    @Test
    @DisplayName("a host that is no address (--host=999.1.1.1, --host=nosuchhost.invalid) names --host, not the port")
    void unresolvableHost() {
        for (String host : new String[] {"999.1.1.1", "nosuchhost.invalid"}) {
            Run run = main(Map.of(), "--host=" + host, "--port=0", data());
            assertThat(run.code()).as(host).isEqualTo(1);
            assertThat(run.err()).as(host).contains("cannot listen on " + host).contains("--host / HUDDLE_HOST")
                    .doesNotContainIgnoringCase("port already in use");
        }
    }

    @Test
    @DisplayName("a port another process holds is named, with --port / HUDDLE_PORT and how to pick a free one")
    void portInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run run = main(Map.of("HUDDLE_PORT", String.valueOf(port)), "--host=127.0.0.1", data());
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).contains("port " + port).contains("another process is using the port")
                    .contains("--port / HUDDLE_PORT").contains("0 picks one");
        }
    }

    @Test
    @DisplayName("a socket port another process holds (--ws-io auto) is named, with --ws-port / HUDDLE_WS_PORT and how to pick a free one")
    void socketPortInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run run = main(Map.of("HUDDLE_WS_PORT", String.valueOf(port)), "--host=127.0.0.1", "--port=0", "--ws-io=auto", data());
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).contains("port " + port).contains("another process is using the port")
                    .contains("--ws-port / HUDDLE_WS_PORT").contains("0 picks one");
        }
    }

    @Test
    @DisplayName("a data directory that cannot be created (below a regular file; under /proc) names the path, the reason and --data-dir")
    void uncreatableDataDir() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path below = file.resolve("data");
        Run run = main(Map.of(), "--port=0", "--data-dir=" + below);
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("the data directory " + below + " cannot be created: " + file + " is a file, not a directory")
                .contains("--data-dir / HUDDLE_DATA_DIR");

        // The variable names the same setting; /proc refuses new directories to every user, root included.
        Path proc = Path.of("/proc", "huddle-" + dir.getFileName());
        Run viaEnv = main(Map.of("HUDDLE_DATA_DIR", proc.toString()), "--port=0");
        assertThat(viaEnv.code()).isEqualTo(1);
        assertThat(viaEnv.err()).containsPattern(Pattern.quote("the data directory " + proc + " cannot be created: ") + "[a-z]")
                .contains("--data-dir / HUDDLE_DATA_DIR");
    }

    @Test
    @DisplayName("a SQLite file given by --db-url whose directory cannot be created names --db-url, not the data directory")
    void uncreatableSqliteDir() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Run run = main(Map.of(), "--port=0", data(), "--db-url=jdbc:sqlite:" + file.resolve("huddle.db"));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(file + " is a file, not a directory").contains("--db-url / HUDDLE_DB_URL")
                .doesNotContain("HUDDLE_DATA_DIR");
    }

    @Test
    @DisplayName("a data directory this user cannot write (mode r-xr-xr-x; /proc for root) names the path, the reason and --data-dir, not SQLITE_CANTOPEN")
    void unwritableDataDir() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // Root ignores permission bits; /proc takes no new files from anyone.
            Path target = writable(readOnly) ? Path.of("/proc") : readOnly;
            Run run = main(Map.of(), "--port=0", "--data-dir=" + target);
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).containsPattern(Pattern.quote("the data directory " + target + " is not writable: ") + "[a-z]")
                    .contains("--data-dir / HUDDLE_DATA_DIR").doesNotContain("SQLITE_CANTOPEN");
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static boolean writable(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
