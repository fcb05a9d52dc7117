package dev.huddle.server.auth;

import dev.huddle.server.config.Setting;
import dev.huddle.server.storage.WritableDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The secret that signs guest tokens: 256 random bits created on first start in
 * {@code <data dir>/guest-token-secret} (mode 600) and read back on later starts, so tokens survive a
 * restart. Deleting the file signs every guest out.
 */
public final class ServerSecret {
    public static final String FILE_NAME = "guest-token-secret";

    private ServerSecret() {
    }

    /** Reads the secret, creating it first if the file does not exist. */
    public static byte[] loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            WritableDirectory.prepare(dataDir, "data directory", Setting.DATA_DIR);
            if (!Files.exists(file)) {
                create(file);
            }
            byte[] secret = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (secret.length < 32) {
                throw new IllegalStateException(file + " holds fewer than 256 bits; delete it to create a new one");
            }
            return secret;
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof IOException io ? WritableDirectory.reason(io) : e.getMessage();
            throw new IllegalStateException("cannot read or create the guest token secret " + file + ": " + why + " ("
                    + Setting.DATA_DIR.label() + "; or give the secret with " + Setting.GUEST_SECRET_FILE.label() + ")", e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] text = Base64.getEncoder().encode(secret);
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
                : new FileAttribute<?>[0];
        try {
            Files.write(Files.createFile(file, attrs), text, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException raced) {
            // another process created it first: use theirs
        }
    }
}
