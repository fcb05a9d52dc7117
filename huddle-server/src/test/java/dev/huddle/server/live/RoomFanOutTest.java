package dev.huddle.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.huddle.presence.Presence;
import dev.huddle.server.config.LiveSettings;
import dev.huddle.server.live.OutboundSendTest.FakeSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** S3: a room's changes reach every subscriber in seq order, fanned out by the sender pool, never by the thread that made them. */
class RoomFanOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOM = "room-1";

    private final Presence presence = Presence.builder().startWorker(false).build();
    private final LiveHub hub = new LiveHub(LiveSettings.DEFAULTS.withRoomBatchMs(0));

    RoomFanOutTest() {
        presence.subscribe(hub);
    }

    @AfterEach
    void close() {
        hub.close();
        presence.close();
    }

    /** A socket subscribed to the room, its snapshot sent. */
    private FakeSocket subscriber(boolean completeAtOnce) {
        FakeSocket socket = new FakeSocket();
        socket.completeAtOnce = completeAtOnce;
        Outbound out = new Outbound(socket, 256, hub.budget(), hub.senders(), () -> { }, () -> { }, () -> { });
        Subscription sub = new Subscription(ROOM, ROOM, presence, out, hub.scheduler(), hub);
        hub.add(sub);
        sub.start(null, Optional.empty());
        return socket;
    }

    private void change(int i) {
        presence.heartbeat(ROOM, "user-" + i, "session-" + i, 10_000);
    }

    /** The seqs of the change frames {@code socket} was sent, in order. */
    private static List<Long> seqs(FakeSocket socket) {
        List<Long> seqs = new ArrayList<>();
        for (String text : socket.texts()) {
            if (text.startsWith("{\"type\":\"change\"")) {
                try {
                    seqs.add(JSON.readTree(text).path("seq").asLong());
                } catch (JsonProcessingException e) {
                    throw new AssertionError("not JSON: " + text, e);
                }
            }
        }
        return seqs;
    }

    private static List<Long> oneTo(int n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    @DisplayName("a change returns to the thread that made it at once, even while every sender is busy; the fan-out follows")
    void makerDoesNotWaitForTheFanOut() throws Exception {
        List<FakeSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sockets.add(subscriber(true));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sockets.stream().allMatch(s -> s.texts().size() == 2)); // snapshot head + body

        int senders = ((ThreadPoolExecutor) hub.senders()).getCorePoolSize();
        CountDownLatch busy = new CountDownLatch(senders);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < senders; i++) {
            hub.senders().execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        busy.await();
        for (int i = 1; i <= 20; i++) {
            change(i);
        }
        for (FakeSocket s : sockets) {
            assertThat(seqs(s)).as("nothing fanned out while the senders are busy").isEmpty();
        }
        assertThat(hub.budget().used()).as("nothing queued on any socket: the maker only handed the changes to the room").isZero();

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sockets.stream().allMatch(s -> seqs(s).size() == 20));
        for (FakeSocket s : sockets) {
            assertThat(seqs(s)).containsExactlyElementsOf(oneTo(20));
            assertThat(s.threads).noneMatch(t -> t == Thread.currentThread());
            assertThat(s.threads).allMatch(t -> t.getName().startsWith("live-send-"));
        }
    }

    @Test
    @DisplayName("S3: sockets written at once and sockets still sending both get every change, in seq order, without gaps")
    void idleAndBusySocketsKeepOrder() throws Exception {
        FakeSocket fast = subscriber(true);
        FakeSocket slow = subscriber(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.texts().size() == 2 && slow.hasPending());
        for (int i = 1; i <= 50; i++) {
            change(i);
            if (i % 7 == 0) {
                slow.completeIfAny(); // the slow client reads a little now and then
            }
        }
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10)).until(() -> {
            slow.completeIfAny(); // then it reads everything
            return seqs(slow).size() == 50 && seqs(fast).size() == 50;
        });
        assertThat(seqs(fast)).containsExactlyElementsOf(oneTo(50));
        assertThat(seqs(slow)).containsExactlyElementsOf(oneTo(50));
        assertThat(hub.resyncs()).isZero();
    }
}
