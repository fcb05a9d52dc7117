package dev.huddle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.presence.Entry;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against a real server and real sockets. The clock stands still unless a test moves it. */
@Timeout(60)
class RoomConnectionTest {
    @TempDir
    Path data;
    final ManualClock clock = new ManualClock(1_750_000_000_000L);
    HuddleServer server;
    HuddleClient client;

    /** Records what a listener was told. */
    static final class Recorder implements RoomListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onJoin(Participant who) {
            events.add("join " + who.displayName());
        }

        @Override
        public void onLeave(Participant who) {
            events.add("leave " + who.displayName());
        }

        @Override
        public void onError(String code, String message) {
            events.add("error " + code);
        }
    }

    @BeforeEach
    void start() {
        server = new HuddleServer(ServerConfig.forDataDir(data, 0).withoutPerAddressLimits(), clock).start();
        client = HuddleClient.create(URI.create("http://localhost:" + server.port() + "/"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop();
    }

    private static boolean shows(RoomConnection c, String name) {
        return c.view().participants().stream().anyMatch(p -> name.equals(p.displayName()));
    }

    @Test
    @DisplayName("Two clients see each other's join, flag changes and leave (H6, S1, S3, T3)")
    void twoClients() {
        Identity ann = client.signInGuest("Ann");
        Identity bob = client.signInGuest("Bob");
        HuddleInfo h = client.createHuddle(ann, "Bots");
        assertThat(client.openHuddle(bob, h.id()).role()).isEqualTo("observer");
        Recorder annSaw = new Recorder();
        try (RoomConnection a = client.connect(ann, h.id(), RoomConnection.Options.defaults(), annSaw)) {
            // Ann is in and holds the room before Bob comes, so Bob's arrival is news to her.
            await().atMost(Duration.ofSeconds(10)).until(() -> shows(a, "Ann"));
            twoClientsContinued(ann, bob, h, a, annSaw);
        }
    }

    private void twoClientsContinued(Identity ann, Identity bob, HuddleInfo h, RoomConnection a, Recorder annSaw) {
        try (RoomConnection b = client.connect(bob, h.id(), RoomConnection.Options.defaults(), new Recorder())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> shows(a, "Bob") && shows(b, "Ann"));
            assertThat(a.view().participants()).extracting(Participant::displayName).containsExactly("Ann", "Bob");
            assertThat(b.view().participants()).extracting(Participant::displayName).containsExactly("Bob", "Ann");

            a.setFlags(true, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> b.view().speakingUserIds().contains(ann.userId()));
            a.setFlags(false, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> b.view().recordingUserIds().contains(ann.userId())
                    && b.view().speakingUserIds().isEmpty());

            b.leave(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> !shows(a, "Bob"));
            assertThat(annSaw.events).containsExactly("join Bob", "leave Bob");
        }
    }

    @Test
    @DisplayName("T2, S2: a cut socket reconnects, resumes and continues its session: the others see no leave and no join")
    void reconnectIsInvisible() {
        Identity ann = client.signInGuest("Ann");
        Identity bob = client.signInGuest("Bob");
        HuddleInfo h = client.createHuddle(ann, "Reconnect");
        // H2: the join's own reply says what the caller now is in the huddle (no second request).
        assertThat(client.joinHuddle(bob, h.id(), "observer")).isEqualTo(new HuddleInfo(h.id(), h.slug(), "Reconnect", "observer", false));
        assertThat(client.joinHuddle(bob, h.id(), "participant").role()).isEqualTo("participant");
        Recorder annSaw = new Recorder();
        Recorder bobSaw = new Recorder();
        try (RoomConnection a = client.connect(ann, h.id(), RoomConnection.Options.defaults(), annSaw);
                RoomConnection b = client.connect(bob, h.id(), RoomConnection.Options.defaults(), bobSaw)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> shows(a, "Bob") && shows(b, "Ann")
                    && b.status() == RoomConnection.Status.JOINED);
            annSaw.events.clear();
            bobSaw.events.clear();
            String session = b.sessionId();
            b.dropConnection();
            await().atMost(Duration.ofSeconds(10)).until(() -> b.connects() == 2 && b.status() == RoomConnection.Status.JOINED);
            // The cut socket's own close event comes later, and must not open a third socket.
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> b.connects() == 2);
            b.setFlags(true, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> a.view().speakingUserIds().contains(bob.userId()));
            assertThat(b.sessionId()).isEqualTo(session);
            assertThat(annSaw.events).as("Ann saw no leave and no join of Bob").isEmpty();
            assertThat(bobSaw.events).as("Bob's resumed state reports nothing new").isEmpty();
            assertThat(a.view().participants()).extracting(Participant::displayName).containsExactly("Ann", "Bob");
            assertThat(b.view().participants()).extracting(Participant::displayName).containsExactly("Bob", "Ann");
        }
    }

    @Test
    @DisplayName("S3: a burst the server batches into 'changes' frames reaches the client whole: every join once, in order")
    void batchedBurst() {
        Identity ann = client.signInGuest("Ann");
        HuddleInfo h = client.createHuddle(ann, "Burst");
        Recorder saw = new Recorder();
        List<View> views = new CopyOnWriteArrayList<>();
        RoomConnection a = client.connect(ann, h.id(), RoomConnection.Options.defaults(), new RoomListener() {
            @Override
            public void onJoin(Participant who) {
                saw.onJoin(who);
            }

            @Override
            public void onView(View view) {
                views.add(view);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.status() == RoomConnection.Status.JOINED && shows(a, "Ann"));
            for (int i = 0; i < 40; i++) {
                server.presence().heartbeat(h.id(), "bulk-" + i, "tab-" + i, 10_000, Map.of("displayName", "Bulk " + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> a.view().participants().size() == 41);
            assertThat(saw.events).containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> "join Bulk " + i).toList());
            assertThat(a.resyncs()).isZero();
            assertThat(views.size()).as("one view per frame, fewer than one per change").isLessThan(40);
        } finally {
            a.close();
        }
    }

    /** Signs in "Bot 0" … as participants of {@code h} and connects each through {@code via}, into {@code bots}. */
    private void connectBots(HuddleClient via, HuddleInfo h, int n, List<RoomConnection> bots) {
        for (int i = 0; i < n; i++) {
            Identity bot = client.signInGuest("Bot " + i);
            client.joinHuddle(bot, h.id(), "participant");
            bots.add(via.connect(bot, h.id(), RoomConnection.Options.defaults(), new Recorder()));
        }
    }

    @Test
    @DisplayName("T3: goodbyes said right before the client closes still reach the server: every session ends at once")
    void goodbyesBeforeClose() {
        Identity owner = client.signInGuest("Owner");
        HuddleInfo h = client.createHuddle(owner, "Goodbyes");
        List<RoomConnection> bots = new ArrayList<>();
        try (HuddleClient leaving = HuddleClient.create(URI.create("http://localhost:" + server.port() + "/"))) {
            connectBots(leaving, h, 16, bots);
            await().atMost(Duration.ofSeconds(20)).until(() -> bots.stream().allMatch(b -> b.status() == RoomConnection.Status.JOINED)
                    && server.presence().snapshot(h.id()).entries().stream().filter(Entry::online).count() == 16);
            bots.forEach(b -> b.leave(0));
        } // closed right after the goodbyes
        // The clock stands still: only a goodbye that arrived can take a session offline.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(server.presence().snapshot(h.id()).entries()).hasSize(16).noneMatch(Entry::online));
    }

    @Test
    @DisplayName("Many sockets share one HTTP client: 40 bots in one room all converge on the full list")
    void manySocketsOneClient() {
        Identity owner = client.signInGuest("Owner");
        HuddleInfo h = client.createHuddle(owner, "Crowd");
        List<RoomConnection> bots = new ArrayList<>();
        try {
            connectBots(client, h, 40, bots);
            await().atMost(Duration.ofSeconds(20)).until(() -> bots.stream().allMatch(b -> b.view().participants().size() == 40));
            assertThat(bots.get(0).view().participants().get(0).displayName()).isEqualTo("Bot 0");
            // The room is held once, not once per socket: the first and last bot share their entries'
            // instances (a hash collision in the client's table may cost a share or two, never a value).
            Map<String, Participant> first = bots.get(0).state().entries();
            Map<String, Participant> last = bots.get(39).state().entries();
            assertThat(last).isEqualTo(first);
            assertThat(first.keySet().stream().filter(u -> first.get(u) == last.get(u)).count()).isGreaterThanOrEqualTo(38);
        } finally {
            bots.forEach(RoomConnection::close);
        }
    }

    @Test
    @DisplayName("T1: the client answers the server's pings, and its pongs alone keep the session alive past its deadline")
    void pongsKeepTheSessionAlive() {
        Identity ann = client.signInGuest("Ann");
        HuddleInfo h = client.createHuddle(ann, "Pings");
        Recorder annSaw = new Recorder();
        // Interval 1 s: the session lives 2.5 s after its last frame, and the server pings the socket every second.
        try (RoomConnection a = client.connect(ann, h.id(), RoomConnection.Options.defaults().withInterval(1000), annSaw)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.status() == RoomConnection.Status.JOINED && shows(a, "Ann"));
            for (int i = 0; i < 3; i++) {
                long pongs = server.live().pongsReceived();
                clock.advance(2_000); // within the deadline, unless no pong came after the last step
                await().atMost(Duration.ofSeconds(10)).until(() -> server.live().pongsReceived() > pongs);
            }
            // 6 s of the server's time, over twice the deadline, and the client sent nothing but pongs.
            assertThat(shows(a, "Ann")).isTrue();
            assertThat(a.connects()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("P11, S1: sockets of one client converge on one room state instance, snapshots included")
    void oneStateForTheRoom() {
        Identity owner = client.signInGuest("Owner");
        HuddleInfo h = client.createHuddle(owner, "Shared");
        List<RoomConnection> bots = new ArrayList<>();
        try (HuddleClient direct = HuddleClient.create(URI.create("http://localhost:" + server.port() + "/"))) {
            connectBots(direct, h, 30, bots);
            await().atMost(Duration.ofSeconds(20)).until(() -> bots.stream().allMatch(b -> b.state().onlineCount() == 30
                    && b.state().seq() == bots.get(0).state().seq()));
            // Each bot got a snapshot at some seq and applied the changes after it; the room at one seq is
            // one thing, so all hold the same instance (the old client held 30 equal copies).
            RoomState first = bots.get(0).state();
            assertThat(bots).allSatisfy(b -> assertThat(b.state()).isSameAs(first));
            assertThat(bots.get(29).view().participants()).hasSize(30);
            assertThat(bots.get(29).view().participants().get(0).displayName()).isEqualTo("Bot 29");
            bots.forEach(RoomConnection::close); // before their client's scheduler stops
        } finally {
            bots.forEach(RoomConnection::close);
        }
    }

    @Test
    @DisplayName("A client given a socket URL opens its sockets there (a second listener for /ws), with the same bearer token")
    void explicitSocketUrl() throws Exception {
        Identity owner = client.signInGuest("Owner");
        HuddleInfo h = client.createHuddle(owner, "Elsewhere");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                HuddleClient elsewhere = HuddleClient.create(URI.create("http://localhost:" + server.port() + "/"),
                        URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws"))) {
            listener.setSoTimeout(10_000);
            assertThat(elsewhere.webSocketUri()).isEqualTo(URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws"));
            RoomConnection c = elsewhere.connect(owner, h.id(), RoomConnection.Options.defaults(), new Recorder());
            try (Socket upgrade = listener.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(upgrade.getInputStream(), StandardCharsets.US_ASCII));
                List<String> head = new ArrayList<>();
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    head.add(line);
                }
                assertThat(head.get(0)).startsWith("GET /ws");
                assertThat(head).contains("Authorization: Bearer " + owner.token());
            } finally {
                c.close();
            }
        }
        // The derived URL stays the HTTP server's own /ws.
        assertThat(client.webSocketUri()).isEqualTo(URI.create("ws://localhost:" + server.port() + "/ws"));
    }
}
