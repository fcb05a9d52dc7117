package dev.huddle.server;

import dev.huddle.presence.Presence;
import dev.huddle.presence.TimeSource;
import dev.huddle.server.auth.AuthRoutes;
import dev.huddle.server.auth.Authenticator;
import dev.huddle.server.auth.GuestSignInLimiter;
import dev.huddle.server.auth.ExternalJwtVerifier;
import dev.huddle.server.auth.GuestTokens;
import dev.huddle.server.auth.ServerSecret;
import dev.huddle.server.auth.TokenVerifier;
import dev.huddle.server.cluster.ClusterPresence;
import dev.huddle.server.config.ServerConfig;
import dev.huddle.server.config.Setting;
import dev.huddle.server.http.ClientAddress;
import dev.huddle.server.http.CrossSiteGuard;
import dev.huddle.server.http.ErrorMapping;
import dev.huddle.server.http.Json;
import dev.huddle.server.http.JsonErrorHandler;
import dev.huddle.server.http.OpsRoutes;
import dev.huddle.server.http.OriginPolicy;
import dev.huddle.server.http.PageRoutes;
import dev.huddle.server.http.ReadDeadlines;
import dev.huddle.server.http.SecurityHeaders;
import dev.huddle.server.legacy.LegacyPresence;
import dev.huddle.server.legacy.LegacyPresenceTable;
import dev.huddle.server.legacy.LegacyRoutes;
import dev.huddle.server.live.LiveEndpoint;
import dev.huddle.server.live.NettyEndpoint;
import dev.huddle.server.live.LiveHub;
import dev.huddle.server.huddle.HostService;
import dev.huddle.server.huddle.HuddleRepository;
import dev.huddle.server.huddle.InviteRepository;
import dev.huddle.server.huddle.HuddleRoutes;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.ConvexRoutes;
import dev.huddle.server.presence.HuddleDataMerger;
import dev.huddle.server.presence.MemberPresence;
import dev.huddle.server.presence.PresenceEvents;
import dev.huddle.server.presence.PresenceFunctions;
import dev.huddle.server.presence.PresenceRoutes;
import dev.huddle.server.storage.Database;
import dev.huddle.server.user.UserRepository;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LowResourceMonitor;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Huddle Presence server: wires the database, the presence engine, sign-in and the HTTP routes on
 * Javalin. Tests start it on port 0 with a temporary data directory and a {@code ManualClock}.
 */
public final class HuddleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HuddleServer.class);

    private final ServerConfig config;
    private final TimeSource time;
    private Database database;
    private Presence presence;
    private ClusterPresence cluster;
    private PresenceEvents events;
    private LiveHub live;
    private LegacyPresence legacy;
    private PrometheusMeterRegistry metrics;
    private Javalin app;
    /** {@code /ws} on its own port (Netty), or null when {@code --ws-io} is off. */
    private NettyEndpoint socketPort;
    private Server jetty;
    private final ClientAddress clients;

    public HuddleServer(ServerConfig config, TimeSource time) {
        this.config = Objects.requireNonNull(config, "config");
        this.time = Objects.requireNonNull(time, "time");
        this.clients = new ClientAddress(config.http().trustedProxies());
    }

    /** Opens the database (migrating it), starts the engine and listens; returns this. */
    public synchronized HuddleServer start() {
        if (app != null) {
            throw new IllegalStateException("already started");
        }
        try {
            database = Database.open(config);
            metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            new UptimeMetrics().bindTo(metrics);
            if (config.clustered()) {
                // Cluster mode: presence lives in Redis, shared by every node with the same prefix.
                cluster = ClusterPresence.open(config.cluster(), new HuddleDataMerger(), config.live().changeLogCapacity());
                presence = Presence.builder().store(cluster.store()).clock(time)
                        .maxWorkerSleep(config.cluster().maxWorkerSleep()).onWorkerDeath(HuddleServer::expiryWorkerDied).build();
                cluster.bindTo(metrics);
            } else {
                presence = Presence.builder().clock(time).merger(new HuddleDataMerger())
                        .changeLogCapacity(config.live().changeLogCapacity()).onWorkerDeath(HuddleServer::expiryWorkerDied).build();
            }
            events = new PresenceEvents(metrics, cluster != null);
            FunctionCounter.builder("presence.expiries", presence, Presence::expiredSessions)
                    .description("Sessions this node's expiry ended at their deadline (P5); each once in the cluster: sum over nodes")
                    .register(metrics);
            presence.subscribe(events);
            live = new LiveHub(config.live());
            live.bindTo(metrics);
            presence.subscribe(live);
            if (cluster != null) {
                live.watchStore(cluster::generation, cluster::checkNow, cluster::reachable);
                cluster.onDataLost(live::storeLostData);
                cluster.onUnreachable(live::storeUnreachable);
            }

            UserRepository users = new UserRepository(database.jdbi());
            GuestTokens guestTokens = null;
            TokenVerifier verifier;
            if (config.auth().guestSignIn()) {
                byte[] secret = config.guestSecret() != null ? config.guestSecret() : ServerSecret.loadOrCreate(config.dataDir());
                guestTokens = new GuestTokens(secret, time, config.auth().guestTokenTtl());
                verifier = guestTokens;
            } else {
                verifier = new ExternalJwtVerifier(config.auth(), time);
            }
            Authenticator auth = new Authenticator(verifier, !config.auth().guestSignIn(), users, time);
            HuddleService huddles = new HuddleService(new HuddleRepository(database.jdbi()),
                    new InviteRepository(database.jdbi()), presence, time);
            PresenceFunctions functions = new PresenceFunctions(presence, huddles, users);
            huddles.onMemberChanges(new MemberPresence(presence, functions));
            legacy = new LegacyPresence(new LegacyPresenceTable(database.jdbi()), database::legacyRetired, presence,
                    functions, huddles, time, config.rollout(), metrics, config.clustered());
            presence.subscribe(legacy);
            legacy.start(database.sharedByNodes());

            AuthRoutes authRoutes = new AuthRoutes(guestTokens, auth, users, time,
                    new GuestSignInLimiter(config.http(), time, metrics), clients);
            HuddleRoutes huddleRoutes = new HuddleRoutes(huddles, new HostService(huddles, time), auth, legacy::detailPresence);
            PresenceRoutes presenceRoutes = new PresenceRoutes(functions, auth);
            ConvexRoutes convexRoutes = new ConvexRoutes(functions, legacy::upsert, legacy::clear, auth);
            OpsRoutes opsRoutes = cluster == null ? new OpsRoutes(metrics) : new OpsRoutes(metrics, cluster::problem);
            LiveEndpoint liveEndpoint = new LiveEndpoint(live, presence, functions, huddles, auth, config.allowedOrigins(), clients);
            CrossSiteGuard crossSite = new CrossSiteGuard(new OriginPolicy(config.allowedOrigins()), clients,
                    Authenticator.COOKIE, Set.of(PresenceRoutes.DISCONNECT), Set.of(AuthRoutes.GUEST));
            ReadDeadlines readDeadlines = new ReadDeadlines(config.http().readTimeoutMs());
            GracefulHandler graceful = new GracefulHandler();
            FunctionCounter.builder("huddle.http.slow.requests.cut", readDeadlines, ReadDeadlines::cut)
                    .description("Connections closed because a request head or body came too slowly (X7)").register(metrics);
            Gauge.builder("huddle.http.requests.in.flight", graceful, GracefulHandler::getCurrentRequestCount)
                    .description("HTTP requests being handled").register(metrics);

            app = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.jetty.threadPool = threadPool(config.http().maxThreads());
                // No per-connection header cache. Jetty's matches values case-insensitively by default, so
                // a bearer token differing from the previous request's only in letter case would be read as
                // that previous token; and each cache is a ~100 KB trie that a WebSocket connection keeps
                // for its whole life (10 000 sockets held 460 MB of them, scenario 1 in BENCHMARKS.md).
                cfg.jetty.modifyHttpConfiguration(http -> {
                    http.setHeaderCacheSize(0);
                    http.setHeaderCacheCaseSensitive(true);
                });
                // X5, X6, X7: security headers on every answer, Jetty's own refusals as JSON, slow clients cut,
                // and a graceful stop that lets requests in flight finish (Server → deadlines → graceful →
                // headers → Javalin; insertHandler puts each new one outermost).
                cfg.jetty.modifyServer(server -> {
                    jetty = server;
                    // Javalin adds a low-resources monitor with no checks configured: it never finds the server
                    // low, but wakes it every second for nothing (0.2-0.3 ms of CPU a second at 1 000 idle sockets;
                    // docs/BENCHMARKS.md, idle members).
                    server.getBeans(LowResourceMonitor.class).forEach(server::removeBean);
                    server.setStopTimeout(config.http().shutdownTimeoutMs());
                    server.setErrorHandler(new JsonErrorHandler());
                    server.insertHandler(new SecurityHeaders());
                    server.insertHandler(graceful);
                    server.insertHandler(readDeadlines);
                });
                cfg.jetty.addConnector((server, http) -> {
                    HttpConnectionFactory factory = new HttpConnectionFactory(http);
                    factory.addEventListener(readDeadlines);
                    ServerConnector connector = new ServerConnector(server, factory);
                    connector.setHost(config.host());
                    connector.setPort(config.port());
                    connector.setIdleTimeout(config.http().idleTimeoutMs());
                    // X1: a fixed send buffer, not the kernel's autotuned one: 2 000 sockets that never read held
                    // 1.6 GB of kernel memory in an anonymous flood (docs/BENCHMARKS.md, anon-flood).
                    connector.setAcceptedSendBufferSize(config.http().sendBufferKb() * 1024);
                    // While stopping, a request in flight keeps the read bound it had (not Jetty's 1 s).
                    connector.setShutdownIdleTimeout(config.http().readTimeoutMs());
                    return connector;
                });
                cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
                cfg.staticFiles.add("/public", Location.CLASSPATH);
                cfg.jetty.modifyServletContextHandler(h -> h.addServlet(new ServletHolder(liveEndpoint), LiveEndpoint.PATH));
                ErrorMapping.register(cfg.routes);
                cfg.routes.before("/api/*", crossSite::check);
                authRoutes.register(cfg.routes);
                huddleRoutes.register(cfg.routes);
                presenceRoutes.register(cfg.routes);
                convexRoutes.register(cfg.routes);
                new LegacyRoutes(legacy, auth, config.rollout().adminToken()).register(cfg.routes);
                opsRoutes.register(cfg.routes);
                new PageRoutes().register(cfg.routes);
            });
            try {
                app.start();
            } catch (RuntimeException e) {
                throw BindFailure.explain(config.host(), config.port(), e);
            }
            if (config.http().socketPort().on()) {
                int port = config.http().socketPort().port();
                socketPort = new NettyEndpoint(liveEndpoint, clients, config.http(), config.live().maxMessageBytes());
                try {
                    socketPort.start(config.host(), port);
                } catch (RuntimeException e) {
                    throw BindFailure.explain(config.host(), port, Setting.WS_PORT, e);
                }
            }
            legacy.startReporting(nodeId(app.port()));
            return this;
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Stops listening, ends the engine and closes the database. Safe to call twice. */
    public synchronized void stop() {
        stop(true);
    }

    /**
     * Stops as abruptly as an in-process stop can, as if the node died: sockets are cut without the
     * 1001 goodbye and nothing is ended on their behalf (their sessions live to their deadlines, T2).
     */
    public synchronized void halt() {
        stop(false);
    }

    /**
     * Stops Jetty. When requests are still in flight at the end of the shutdown timeout (X7), Jetty has
     * by then cut them and stopped every connector and thread anyway, and only reports the timeout by
     * throwing: that is logged, and the rest of the stop (engine, database) goes on — an exception here
     * would leave the expiry worker and the database pool running in a process that no longer serves.
     */
    private void stopHttp() {
        try {
            app.stop();
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof TimeoutException)) {
                throw e;
            }
            LOG.warn("event=shutdown: requests still in flight after {} ms were cut", config.http().shutdownTimeoutMs());
        }
    }

    private void stop(boolean goodbye) {
        if (goodbye && live != null && app != null) {
            live.closeAll(1_000);
        }
        if (socketPort != null) {
            socketPort.close(); // after the goodbyes: stops listening, cuts what is left
            socketPort = null;
        }
        if (!goodbye && jetty != null) {
            jetty.setStopTimeout(0); // no graceful wait: as if the node died
        }
        if (!goodbye && presence != null) {
            presence.keepAlive().close(); // a dead node renews nothing, not even for the sockets it drops
        }
        if (app != null) {
            stopHttp();
            app = null;
            jetty = null;
        }
        if (live != null) {
            live.close();
            live = null;
        }
        if (legacy != null) {
            legacy.close();
            legacy = null;
        }
        if (cluster != null) {
            cluster.close();
        }
        if (presence != null) {
            presence.close();
            presence = null;
        } else if (cluster != null) {
            cluster.store().close();
        }
        cluster = null;
        if (events != null) {
            events.close();
            events = null;
        }
        if (database != null) {
            database.close();
            database = null;
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Jetty's pool, bounded: Javalin's own grows to 250 threads, and it did under each burst of pongs or
     * fan-out writes (279 threads at N = 5 000, docs/BENCHMARKS.md "Fan-out") although two cores run
     * at most two of them at a time. Never below what the connector leases (an acceptor, a selector per
     * two cores) plus room for requests.
     */
    private static QueuedThreadPool threadPool(int maxThreads) {
        int max = Math.max(maxThreads, Runtime.getRuntime().availableProcessors() + 8);
        QueuedThreadPool pool = new QueuedThreadPool(max, Math.min(8, max), 60_000);
        pool.setName("http");
        return pool;
    }

    /** X3: an engine without its expiry worker shows ghosts for ever; end the process so it is restarted whole. */
    private static void expiryWorkerDied(Throwable cause) {
        FailFast.halt("the presence expiry worker died (" + cause.getClass().getSimpleName() + ")", cause);
    }

    /** How this node names itself in its reports (L3): host, port and process, which an operator can find. */
    private static String nodeId(int port) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + port + " (pid " + ProcessHandle.current().pid() + ")";
    }

    /** How this server reads a request's client address, scheme and host (trusted proxies, X2). */
    public ClientAddress clientAddress() {
        return clients;
    }

    /** The port it listens on (the real one when started on port 0). */
    public int port() {
        return app.port();
    }

    /** The port clients open {@code /ws} on: the socket port's when {@code --ws-io} is on, else the HTTP port. */
    public int socketPort() {
        return socketPort != null ? socketPort.port() : app.port();
    }

    /** The engine, for tests and embedding. */
    public Presence presence() {
        return presence;
    }

    /** Cluster mode's Redis side, or null for one node. */
    public ClusterPresence cluster() {
        return cluster;
    }

    /** The WebSocket API's shared state, for tests and metrics. */
    public LiveHub live() {
        return live;
    }

    /** The legacy tracker and the rollout flag (L1–L3), for tests and embedding. */
    public LegacyPresence legacy() {
        return legacy;
    }

    /** The metrics registry behind {@code /metrics}. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public ServerConfig config() {
        return config;
    }
}
