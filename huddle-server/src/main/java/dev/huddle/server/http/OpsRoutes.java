package dev.huddle.server.http;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /health} and {@code /metrics} (Prometheus text format). {@code /health} answers 200
 * {@code {"status":"up"}}, or 503 {@code {"status":"down","reason":…}} when the node cannot serve
 * presence (cluster mode: Redis unreachable, or its subscription not delivering).
 */
public final class OpsRoutes {
    private final PrometheusMeterRegistry registry;
    private final Supplier<Optional<String>> problem;

    public OpsRoutes(PrometheusMeterRegistry registry) {
        this(registry, Optional::empty);
    }

    public OpsRoutes(PrometheusMeterRegistry registry, Supplier<Optional<String>> problem) {
        this.registry = registry;
        this.problem = problem;
    }

    public void register(RoutesConfig routes) {
        routes.get("/health", ctx -> {
            Optional<String> p = problem.get();
            if (p.isPresent()) {
                ctx.status(503).json(Map.of("status", "down", "reason", p.get()));
            } else {
                ctx.json(Map.of("status", "up"));
            }
        });
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    }
}
