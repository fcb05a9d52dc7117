package dev.huddle.presence.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;

/** Room and session tokens (P4): 128 bits from a CSPRNG, base64url without padding (22 characters). */
public final class Tokens implements Supplier<String> {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private final SecureRandom random;

    public Tokens(SecureRandom random) {
        this.random = random;
    }

    @Override
    public String get() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }
}
