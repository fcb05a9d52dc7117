package dev.huddle.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.huddle.presence.testkit.Dependency;
import org.awaitility.Awaitility;

/**
 * A redis-server of the test's own, on a free port, without persistence ({@code --save "" --appendonly
 * no}), as a child process: the test may kill and restart it without touching the shared Redis. Needs
 * {@code redis-server} on the PATH (or {@code HUDDLE_TEST_REDIS_SERVER}).
 */
public final class PrivateRedis implements AutoCloseable {
    private static final String BINARY = System.getenv().getOrDefault("HUDDLE_TEST_REDIS_SERVER", "redis-server");

    public final int port;
    private final Path dir;
    private final Path log;
    private Process process;

    public PrivateRedis(Path dir) {
        Dependency.REDIS.require();
        this.port = freePort();
        this.dir = dir;
        this.log = dir.resolve("redis-" + port + ".log");
        start();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) and waits until it answers PING. */
    public synchronized void start() {
        try {
            process = new ProcessBuilder(List.of(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                    "--dbfilename", "redis-" + port + ".rdb"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException(Dependency.REDIS.unreachable("the binary " + BINARY + " (" + e.getMessage() + ")",
                    "Install redis-server 7 or set HUDDLE_TEST_REDIS_SERVER to one"), e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(this::answers);
    }

    /** Kills the server at once (SIGKILL): everything it held since the last {@link #save} is lost. */
    public synchronized void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered, until {@link #thaw}. */
    public void freeze() {
        signal("-STOP");
    }

    /** Resumes a frozen server (SIGCONT): it answers what queued meanwhile, with its data intact. */
    public void thaw() {
        signal("-CONT");
    }

    private synchronized void signal(String which) {
        try {
            Process p = new ProcessBuilder("kill", which, String.valueOf(process.pid())).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill " + which + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether it answers PING now. */
    public boolean answers() {
        return "+PONG".equals(command("PING"));
    }

    /**
     * Writes a snapshot (SAVE) that the next {@link #start} loads: a restart that keeps the data, as
     * with persistence. Without it (the default) a restart starts empty.
     */
    public void save() {
        if (!"+OK".equals(command("SAVE"))) {
            throw new IllegalStateException("SAVE failed");
        }
    }

    private String command(String inline) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (process != null) {
            thawQuietly();
            kill();
        }
    }

    private void thawQuietly() {
        try {
            thaw();
        } catch (RuntimeException e) {
            // not running: nothing to resume
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
