package dev.huddle.server.http;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/** {@code /health} and {@code /metrics} (Prometheus text format). */
public final class OpsRoutes {
    private final PrometheusMeterRegistry registry;

    public OpsRoutes(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public void register(RoutesConfig routes) {
        routes.get("/health", ctx -> ctx.json(Map.of("status", "up")));
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    }
}
