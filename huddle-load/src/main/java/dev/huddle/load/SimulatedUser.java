package dev.huddle.load;

import dev.huddle.client.HuddleApiException;
import dev.huddle.client.HuddleClient;
import dev.huddle.client.Identity;
import dev.huddle.client.Participant;
import dev.huddle.client.RoomConnection;
import dev.huddle.client.RoomListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated user's session in one room, through a real client socket: counts the changes it
 * receives and reports what it sees of the others to the run's {@link Measurements} and {@link Crash}.
 */
final class SimulatedUser implements RoomListener {
    final String room;
    final HuddleClient node;
    /** Which of the tool's servers {@code node} talks to (its index in {@code --server}). */
    final int server;
    final boolean speaker;
    final AtomicLong applied = new AtomicLong();
    private final long intervalMs;
    private final Measurements measured;
    private final Crash crash;
    volatile Identity who;
    volatile RoomConnection conn;
    volatile boolean counting;
    volatile long firstSeq = -1;

    SimulatedUser(String room, HuddleClient node, int server, boolean speaker, long intervalMs, Measurements measured, Crash crash) {
        this.room = room;
        this.node = node;
        this.server = server;
        this.speaker = speaker;
        this.intervalMs = intervalMs;
        this.measured = measured;
        this.crash = crash;
    }

    /**
     * Signs in as a new guest and becomes a participant of the room. A 503 ("try again shortly": the
     * node lost Redis for a moment) or a connection the server cut is retried, as a client would, a
     * few times a second apart: on a shared 2-core machine at load 40–60, stalls past the store's 2 s
     * timeout and the server's 10 s request-head timeout gave both, and one failed sign-in among
     * thousands ended the whole run before it measured anything.
     */
    void signIn(String name) throws InterruptedException {
        who = retrying(() -> node.signInGuest(name));
        measured.onServer(who.userId(), server);
        retrying(() -> node.joinHuddle(who, room, "participant"));
    }

    private static <T> T retrying(java.util.function.Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (HuddleApiException | java.io.UncheckedIOException e) {
                if (e instanceof HuddleApiException a && a.status() != 503 || attempt == 10) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Opens the socket: the client subscribes and joins. */
    void open() {
        conn = node.connect(who, room, RoomConnection.Options.defaults().withInterval(intervalMs), this);
    }

    /** The same user's next session (after a churn leave). */
    SimulatedUser again() {
        return elsewhere(room);
    }

    /** A session of the same user in {@code huddle}. */
    SimulatedUser elsewhere(String huddle) {
        SimulatedUser u = new SimulatedUser(huddle, node, server, speaker, intervalMs, measured, crash);
        u.who = who;
        return u;
    }

    /** {@code users} grouped by room, rooms and users in their order. */
    static Map<String, List<SimulatedUser>> byRoom(List<SimulatedUser> users) {
        Map<String, List<SimulatedUser>> out = new LinkedHashMap<>();
        for (SimulatedUser u : users) {
            out.computeIfAbsent(u.room, k -> new ArrayList<>()).add(u);
        }
        return out;
    }

    String userId() {
        return who.userId();
    }

    RoomConnection.Status status() {
        RoomConnection c = conn;
        return c == null ? RoomConnection.Status.CONNECTING : c.status();
    }

    /** Online users in this client's state (no sorted view: cheap enough to poll for thousands of clients). */
    int onlineCount() {
        RoomConnection c = conn;
        if (c == null) {
            return 0;
        }
        return c.state().onlineCount();
    }

    /** From now on, count: under the connection's lock, so no change falls between the seq read and the flag. */
    void startCounting() {
        RoomConnection c = conn;
        if (c == null) {
            return;
        }
        synchronized (c) {
            firstSeq = c.state().seq();
            counting = true;
        }
    }

    void stopCounting() {
        synchronized (conn) {
            counting = false;
        }
    }

    /** Says goodbye if the socket was ever opened. */
    void leave() {
        RoomConnection c = conn;
        if (c != null) {
            c.leave(0);
        }
    }

    @Override
    public boolean wantsViews() {
        return false; // counting changes needs no sorted view; sorting 100 entries per change per client was the tool's hot spot
    }

    @Override
    public void onStatus(RoomConnection.Status status) {
        if (status == RoomConnection.Status.CONNECTED) {
            measured.sent(userId(), true); // the socket is open: the client sends subscribe and join right now
        }
    }

    @Override
    public void onChange(String kind, Participant entry) {
        if (!counting) {
            return;
        }
        applied.incrementAndGet();
        measured.changeReceived(kind, entry, server);
    }

    @Override
    public void onJoin(Participant other) {
        seen(other, true);
    }

    @Override
    public void onLeave(Participant other) {
        seen(other, false);
        crash.seen(room, other);
    }

    /**
     * Someone else came online or went offline here. Only once this client shows a list (its first
     * snapshot is in): RoomConnection also reports the changes it buffers before that snapshot, judged
     * against an empty room, so there an update of someone long online looks like a join.
     */
    private void seen(Participant other, boolean join) {
        RoomConnection c = conn;
        if (c == null || !c.state().synced()) {
            return;
        }
        measured.seen(other, join);
    }

    @Override
    public void onError(String code, String message) {
        measured.error(code, 1);
    }
}
