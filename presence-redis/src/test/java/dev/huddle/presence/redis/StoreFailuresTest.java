package dev.huddle.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.huddle.presence.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

/**
 * R1, R3: what a caller gets and an operator reads while Redis is out of reach — one engine failure,
 * {@code unavailable}, whatever Lettuce said; a count per kind; a few log lines per outage, none with a
 * stack trace. Time is a hand-moved nanosecond counter.
 */
class StoreFailuresTest {
    private final Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final StoreFailures failures = new StoreFailures(
            new EventRecordingLogger(new SubstituteLogger("store", events, false), events), nanos::get);

    @Test
    @DisplayName("Timeouts, lost connections, a full request queue, a frozen Redis's 'not accepted' and LOADING all become 'unavailable', each of its kind")
    void outagesBecomeUnavailable() {
        assertKind(new RedisCommandTimeoutException("Command timed out after 2 second(s)"), "timeout");
        assertKind(new RedisConnectionException("Connection refused: /127.0.0.1:6390"), "disconnected");
        assertKind(new RedisException("Currently not connected. Commands are rejected."), "disconnected");
        assertKind(new RedisException("Connection closed"), "disconnected");
        assertKind(new RedisException("Request queue size exceeded: 1000. Commands are not accepted until the queue size drops."),
                "overloaded");
        assertKind(new RedisException("Internal stack size exceeded: 100. Commands are not accepted until the stack size drops."),
                "overloaded");
        assertKind(new RedisLoadingException("LOADING Redis is loading the dataset in memory"), "busy");
        assertKind(new RedisCommandExecutionException("BUSY Redis is busy running a script"), "busy");
        assertThat(failures.count(StoreFailures.Kind.DISCONNECTED)).isEqualTo(3);
    }

    @Test
    @DisplayName("Any other error Redis answers (a script's bug) passes through unchanged and is not counted")
    void otherErrorsPassThrough() {
        RedisCommandExecutionException bug = new RedisCommandExecutionException("ERR user_script:1: attempt to index a nil value");
        assertThatThrownBy(() -> failures.call(() -> {
            throw bug;
        })).isSameAs(bug);
        for (StoreFailures.Kind k : StoreFailures.Kind.values()) {
            assertThat(failures.count(k)).isZero();
        }
        assertThat(drain()).isEmpty();
    }

    @Test
    @DisplayName("A 30 s outage failing 3 000 calls of two kinds: every call counted, at most one line per kind per 10 s, no stack trace; one line per kind when it ends")
    void anOutageIsLoggedAtABoundedRate() {
        for (int i = 0; i < 3_000; i++) {
            RedisException e = i % 3 == 0 ? new RedisCommandTimeoutException("Command timed out after 2 second(s)")
                    : new RedisException("Currently not connected. Commands are rejected.");
            assertThatThrownBy(() -> failures.call(() -> {
                throw e;
            })).isInstanceOf(StoreUnavailableException.class);
            nanos.addAndGet(Duration.ofMillis(10).toNanos());
        }
        assertThat(failures.count(StoreFailures.Kind.TIMEOUT)).isEqualTo(1_000);
        assertThat(failures.count(StoreFailures.Kind.DISCONNECTED)).isEqualTo(2_000);
        List<SubstituteLoggingEvent> during = drain();
        // Per kind: the first failure, then one line per full 10 s (at 10 s and 20 s of the 30 s).
        assertThat(during).hasSizeBetween(2, 6).allMatch(e -> e.getLevel() == Level.WARN && e.getThrowable() == null);
        assertThat(during.get(0).getArgumentArray()).anySatisfy(a -> assertThat(String.valueOf(a)).contains("timed out"));

        assertThat(failures.call(() -> "ok")).isEqualTo("ok");
        assertThat(failures.call(() -> "ok")).isEqualTo("ok");
        List<SubstituteLoggingEvent> after = drain();
        assertThat(after).hasSize(2).allMatch(e -> e.getLevel() == Level.INFO);
    }

    private void assertKind(RedisException e, String kind) {
        assertThatThrownBy(() -> failures.call(() -> {
            throw e;
        })).isInstanceOfSatisfying(StoreUnavailableException.class, u -> {
            assertThat(u.code()).isEqualTo("unavailable");
            assertThat(u.kind()).isEqualTo(kind);
            assertThat(u.getCause()).isSameAs(e);
        });
    }

    private List<SubstituteLoggingEvent> drain() {
        List<SubstituteLoggingEvent> out = new ArrayList<>(events);
        events.clear();
        return out;
    }
}
