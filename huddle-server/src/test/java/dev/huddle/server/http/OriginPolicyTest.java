package dev.huddle.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    @Test
    @DisplayName("Origin: absent allowed, own origin allowed, listed allowed (case and trailing slash ignored), others refused")
    void rules() {
        OriginPolicy p = new OriginPolicy(List.of("https://app.example.com"));
        assertThat(p.allows(null, "h:8080")).isTrue();
        assertThat(p.allows("http://h:8080", "h:8080")).isTrue();
        assertThat(p.allows("https://H:8080", "h:8080")).isTrue();
        assertThat(p.allows("https://App.Example.com/", "h:8080")).isTrue();
        assertThat(p.allows("https://evil.example", "h:8080")).isFalse();
        assertThat(p.allows("http://h:8081", "h:8080")).isFalse();
        assertThat(p.allows("null", "h:8080")).isFalse();
        assertThat(p.allows("file://h:8080", "h:8080")).isFalse();
        assertThat(new OriginPolicy(List.of("*")).allows("https://any.example", "h")).isTrue();
    }
}
