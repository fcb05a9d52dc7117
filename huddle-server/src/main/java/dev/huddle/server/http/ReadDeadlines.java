package dev.huddle.server.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X7: a client slow to send its request is cut after a bounded time. Jetty's idle timeout restarts on
 * every byte, so a client dribbling a byte every few seconds (slowloris) would hold a connection for
 * ever, and Jetty has no bound of its own on the whole time a request head takes. So each HTTP/1
 * connection here has one deadline, {@code readTimeoutMs} away, armed while the connection waits for
 * the client:
 *
 * <ul>
 *   <li><b>the head</b>, from the connection's opening and again from the end of each response, until the
 *       next request is dispatched — its head complete and, for a request with a body, the body's first
 *       bytes there (Jetty dispatches such a request only then). An idle keep-alive connection is in this
 *       state too, so it closes after the same time;
 *   <li><b>the body</b>, from dispatch until its last byte has been read.
 * </ul>
 *
 * A connection past its deadline is closed without an answer (the client was not listening for one
 * either). While a request is being handled, or its answer written, nothing is armed: slow readers of
 * answers are the WebSocket side's business. Registered as both the outermost handler (to see dispatch,
 * body reads and completion) and a listener of the HTTP/1 connection factory (to see openings and
 * closes); after a WebSocket upgrade the connection is closed as far as HTTP is concerned and its
 * deadline goes with it.
 *
 * <p>It also takes part in the graceful stop (X7): knowing which connections are between requests, it
 * closes those at once when the stop begins (an idle keep-alive connection would otherwise hold the stop
 * up), and closes each of the others as soon as its request in flight has been answered.
 */
public final class ReadDeadlines extends EventsHandler implements Connection.Listener, Graceful {
    private static final Logger LOG = LoggerFactory.getLogger(ReadDeadlines.class);

    private final long timeoutMs;
    private final Scheduler scheduler = new ScheduledExecutorScheduler("http-read-deadlines", true);
    private final Map<Connection, Deadline> deadlines = new ConcurrentHashMap<>();
    private final AtomicLong cut = new AtomicLong();
    private volatile boolean stopping;

    public ReadDeadlines(long timeoutMs) {
        this.timeoutMs = timeoutMs;
        addBean(scheduler);
    }

    /** How many connections have been cut for a late head or body; for metrics. */
    public long cut() {
        return cut.get();
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        stopping = true;
        deadlines.values().forEach(Deadline::closeIfBetweenRequests);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isShutdown() {
        return stopping;
    }

    @Override
    public void onOpened(Connection connection) {
        Deadline d = new Deadline(connection);
        deadlines.put(connection, d);
        d.awaitHead();
    }

    @Override
    public void onClosed(Connection connection) {
        Deadline d = deadlines.remove(connection);
        if (d != null) {
            d.disarm();
        }
    }

    @Override
    protected void onBeforeHandling(Request request) {
        Deadline d = deadlineOf(request);
        if (d == null) {
            return;
        }
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            d.awaitBody();
        } else {
            d.disarm();
        }
    }

    @Override
    protected void onRequestRead(Request request, Content.Chunk chunk) {
        if (chunk != null && (chunk.isLast() || Content.Chunk.isFailure(chunk))) {
            Deadline d = deadlineOf(request);
            if (d != null) {
                d.disarm();
            }
        }
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        Deadline d = deadlineOf(request);
        if (d != null) {
            d.awaitHead();
        }
    }

    private Deadline deadlineOf(Request request) {
        return deadlines.get(request.getConnectionMetaData().getConnection());
    }

    /** One connection's deadline: at most one armed task, and a generation so a late-firing task knows it is stale. */
    private final class Deadline {
        private final Connection connection;
        private long generation;
        private Scheduler.Task task;
        private boolean betweenRequests;

        Deadline(Connection connection) {
            this.connection = connection;
        }

        /** Waiting for the next request's head; during a stop there is none to wait for. */
        void awaitHead() {
            synchronized (this) {
                betweenRequests = true;
                if (!stopping) {
                    arm();
                    return;
                }
            }
            close();
        }

        synchronized void awaitBody() {
            betweenRequests = false;
            arm();
        }

        synchronized void disarm() {
            betweenRequests = false;
            cancel();
            generation++;
        }

        void closeIfBetweenRequests() {
            synchronized (this) {
                if (!betweenRequests) {
                    return;
                }
                cancel();
                generation++;
            }
            close();
        }

        private void arm() {
            cancel();
            long armed = ++generation;
            task = scheduler.schedule(() -> expire(armed), timeoutMs, TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (task != null) {
                task.cancel();
                task = null;
            }
        }

        private void expire(long armed) {
            synchronized (this) {
                if (armed != generation) {
                    return;
                }
                task = null;
            }
            if (close()) {
                cut.incrementAndGet();
                LOG.debug("closed {}: its request did not arrive within {} ms", connection.getEndPoint().getRemoteSocketAddress(),
                        timeoutMs);
            }
        }

        /** Closes the connection unless it was upgraded (then the endpoint is the WebSocket's) or is closed. */
        private boolean close() {
            if (connection.getEndPoint().getConnection() != connection || !connection.getEndPoint().isOpen()) {
                return false;
            }
            connection.getEndPoint().close();
            return true;
        }
    }
}
