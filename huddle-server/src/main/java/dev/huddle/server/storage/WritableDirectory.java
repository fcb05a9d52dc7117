package dev.huddle.server.storage;

import dev.huddle.server.config.Setting;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A directory the server keeps files in (the data directory, SQLite's directory): created if missing and
 * tried with a real write before anything is stored there, because SQLite's own failure
 * ({@code SQLITE_CANTOPEN}) names neither the path nor the reason. The failure names the directory, the
 * reason the system gave and the setting that chose the directory.
 */
public final class WritableDirectory {
    private WritableDirectory() {
    }

    /**
     * Creates {@code dir} if needed and checks that a file can be written in it.
     *
     * @param what the directory for people: "data directory"
     * @param chosenBy the setting to change when it cannot be used
     * @throws IllegalStateException naming the directory, the reason and {@code chosenBy}
     */
    public static void prepare(Path dir, String what, Setting chosenBy) {
        Path abs = dir.toAbsolutePath();
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new IllegalStateException("the " + what + " " + abs + " cannot be created: " + reason(abs, e) + ". Choose another with "
                    + chosenBy.label() + "; the server (user " + System.getProperty("user.name")
                    + ") must be able to create it and write in it.", e);
        }
        try {
            Files.delete(Files.createTempFile(abs, ".huddle-write-check-", ".tmp"));
        } catch (IOException e) {
            throw new IllegalStateException("the " + what + " " + abs + " is not writable: " + reason(e)
                    + ". Let user " + System.getProperty("user.name") + " write in it (chown or chmod), or choose another with "
                    + chosenBy.label() + ".", e);
        }
    }

    /** Why a directory could not be created: a file in its way, else what the system said. */
    private static String reason(Path dir, IOException e) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? reason(e) : p + " is a file, not a directory";
            }
        }
        return reason(e);
    }

    /** Why a file operation failed, in words; Java's own message is often just the path. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.toString();
    }
}
