package dev.huddle.server.http;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The browser pages that are not plain static files: {@code /h/{slug}} serves the huddle page (the
 * page reads the slug from its address). The pages and their ES modules come from the huddle-web
 * module on the classpath under {@code /public}.
 */
public final class PageRoutes {
    private final String huddlePage;

    public PageRoutes() {
        try (InputStream in = PageRoutes.class.getResourceAsStream("/public/huddle.html")) {
            if (in == null) {
                throw new IllegalStateException("huddle-web is not on the classpath: /public/huddle.html is missing");
            }
            huddlePage = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(RoutesConfig routes) {
        routes.get("/h/{slug}", ctx -> ctx.html(huddlePage));
    }
}
