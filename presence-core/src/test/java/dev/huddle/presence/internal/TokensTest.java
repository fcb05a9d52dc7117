package dev.huddle.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** P4: tokens are 128 random bits, URL-safe. */
class TokensTest {

    @Test
    void tokensAreUrlSafe128BitValuesThatDoNotRepeat() {
        Tokens tokens = new Tokens(new SecureRandom());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String t = tokens.get();
            assertThat(t).matches("[A-Za-z0-9_-]{22}");
            assertThat(Base64.getUrlDecoder().decode(t)).hasSize(16);
            assertThat(seen.add(t)).isTrue();
        }
    }
}
