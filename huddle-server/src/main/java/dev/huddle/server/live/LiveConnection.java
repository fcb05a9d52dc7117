package dev.huddle.server.live;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket's life on the live layer (docs/protocol.md), whichever transport carries it ({@link Wire}):
 * a whole text message goes to {@link Messages}; every frame the client sends, pongs included, keeps the
 * socket's sessions alive first ({@link Liveness}, T1). A client that stops reading is closed with 4008
 * (S4), one that sends nothing, not even pongs, for three ping intervals with 1001, as is every socket at
 * shutdown. When the socket drops without a goodbye its sessions are left to their deadlines (T2). The
 * transport reads one message at a time per socket, and the next only once this one is handled
 * ({@link Wire#demand}): a signed-in user's message is handled on the transport's executor for it (Jetty's
 * own thread; a worker pool on Netty, whose event loops must not wait for the store), an anonymous socket's
 * on the hub's anonymous pool (X2), so that a flood of anonymous sockets waits there, in their own sockets'
 * buffers, instead of in the server's threads.
 */
final class LiveConnection {
    /** How long a socket closed for being too slow has to read the close frame before it is cut. */
    static final long CLOSE_GRACE_MS = 5_000;

    private final LiveServices services;
    private final String userId;
    private final String address;
    private final Executor signedIn;
    // Set when the socket opens; read by the hub's and the timers' threads.
    private volatile Wire wire;
    private volatile Outbound out;
    private volatile Liveness liveness;
    private volatile SocketContext socket;
    // Guarded by this.
    private boolean ended;
    /** A message is being handled (at most one at a time: the transport reads the next once asked). */
    private boolean handling;
    private boolean closing;

    /**
     * {@code userId}: the signed-in user, or null for an anonymous socket (H4); {@code address}: the client's,
     * whose socket (and subscription, X2) counts this socket holds until it ends; {@code signedIn}: where a
     * signed-in user's messages are handled.
     */
    LiveConnection(LiveServices services, String userId, String address, Executor signedIn) {
        this.services = services;
        this.userId = userId;
        this.address = address;
        this.signedIn = signedIn;
    }

    /** The socket is open on {@code w}; the transport asks for the first frame once this returns. */
    void opened(Wire w) {
        LiveHub hub = services.hub();
        this.wire = w;
        this.out = new Outbound(w, hub.settings().outboundQueue(), hub.budget(), hub.senders(), this::tooSlow, hub::resynced,
                this::overBudget);
        hub.budget().register(out);
        JoinedSessions sessions = new JoinedSessions();
        this.liveness = new Liveness(services, userId, sessions, out, w, this::tooSlow, this::silent);
        this.socket = new SocketContext(services, userId, address, out, sessions, liveness::reschedule);
        hub.opened(this);
        if (userId != null) {
            services.members().opened(userId, socket);
        }
        liveness.reschedule();
    }

    /**
     * A frame other than a close arrived (T1): the sessions held in memory are touched here, and a session due
     * a refresh in the store is refreshed where signed-in messages are handled (on Netty, not on its event loop).
     */
    void frameArrived() {
        long known = liveness.touch();
        if (known >= 0) {
            try {
                signedIn.execute(() -> liveness.refreshDue(known));
            } catch (RejectedExecutionException stopping) {
                // The server is shutting down: the socket is being closed with 1001.
            }
        }
    }

    /** A pong arrived (after {@link #frameArrived}). */
    void pong() {
        services.hub().pong();
    }

    /** A whole text message arrived: handled, then the transport is asked for the next frame. */
    void message(String text) {
        Executor on = userId != null ? signedIn : services.hub().anonymous();
        try {
            on.execute(() -> handle(text));
        } catch (RejectedExecutionException stopping) {
            // The server is shutting down: the socket is being closed with 1001.
        }
    }

    /**
     * Handles one message, then asks for the next; or, when the socket ended meanwhile, finishes its end
     * here: the transport may report the end (Netty's event loop, Jetty's close) while a message is being
     * handled on another thread, and a message handled after the end would leave a subscription or a
     * session on a socket that is gone.
     */
    private void handle(String text) {
        synchronized (this) {
            if (ended) {
                return;
            }
            handling = true;
        }
        boolean finish;
        try {
            Messages.handle(socket, text);
        } finally {
            synchronized (this) {
                handling = false;
                finish = ended;
            }
            if (finish) {
                forget();
            } else {
                wire.demand();
            }
        }
    }

    /** The largest message the client may send, in bytes (the transport refuses a bigger one with 1009). */
    int maxMessageBytes() {
        return services.hub().settings().maxMessageBytes();
    }

    /** The socket ended: forgets it, at once or once the message being handled is (its sessions live on to their deadlines, T2). */
    void ended() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            if (handling) {
                return; // handle() forgets it when done
            }
        }
        forget();
    }

    private void forget() {
        Liveness l = liveness;
        if (l != null) {
            l.stop();
        }
        SocketContext s = socket;
        if (s != null) {
            if (userId != null) {
                services.members().closed(userId, s);
            }
            s.close();
        }
        Outbound o = out;
        if (o != null) {
            o.close();
        }
        services.hub().closed(this);
        if (userId != null) {
            services.hub().released(userId);
        }
        services.hub().addresses().closed(address, userId == null);
    }

    /**
     * S4: the client stopped reading. Drop what is queued, send 4008 {@code too_slow} (it goes out behind
     * the stuck frame, so a client that resumes reading sees it), and cut the connection if the client
     * has not read it within {@link #CLOSE_GRACE_MS}.
     */
    private void tooSlow() {
        if (closeAndCut(CloseCodes.TOO_SLOW, "too_slow")) {
            services.hub().closedTooSlow();
        }
    }

    /** The client sent nothing, not even a pong, for {@link Liveness#silenceMs}: 1001, and cut if it does not read it. */
    private void silent() {
        closeAndCut(CloseCodes.GOING_AWAY, "idle timeout: no frame for " + Liveness.silenceMs(services.hub().settings().pingIntervalMs())
                + " ms");
    }

    /**
     * X1: the server's outbound budget ran short and this socket held more than most: its queue is dropped
     * already; send 4009 {@code over_budget}, and cut the connection if the client does not read it in time.
     * The close is sent from the hub's timer thread: this runs wherever a message did not fit, under a
     * room's or a subscription's lock.
     */
    private void overBudget() {
        if (wire != null) {
            try {
                services.hub().scheduler().execute(() -> closeAndCut(CloseCodes.OVER_BUDGET, "over_budget"));
            } catch (RejectedExecutionException stopping) {
                // The server is shutting down: every socket is being closed with 1001 anyway.
            }
        }
    }

    /** Drops what is queued, closes with {@code code} and cuts the connection after {@link #CLOSE_GRACE_MS}; false when closing already. */
    private boolean closeAndCut(int code, String reason) {
        Wire w = wire;
        synchronized (this) {
            if (w == null || closing) {
                return false;
            }
            closing = true;
        }
        out.close();
        w.close(code, reason);
        services.hub().scheduler().schedule(w::abort, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * The shared store lost its data or came back after an outage (cluster mode): re-creates or
     * refreshes this socket's sessions now, if it showed life recently ({@link Liveness#recreateNow}).
     */
    void storeRecovered(long generation) {
        Liveness l = liveness;
        if (l != null) {
            l.recreateNow(generation);
        }
    }

    /** The server is shutting down: close with 1001. */
    void goingAway() {
        Wire w = wire;
        if (w != null && w.isOutputOpen()) {
            w.close(CloseCodes.GOING_AWAY, "server shutting down");
        }
    }

    long pendingSendMs(long nowNanos) {
        Outbound o = out;
        return o == null ? 0 : o.pendingSendMs(nowNanos);
    }

    int outboundSize() {
        Outbound o = out;
        return o == null ? 0 : o.size();
    }

    int outboundHighWater() {
        Outbound o = out;
        return o == null ? 0 : o.highWater();
    }
}
