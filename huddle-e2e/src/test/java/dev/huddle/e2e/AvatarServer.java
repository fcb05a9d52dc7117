package dev.huddle.e2e;

import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import javax.imageio.ImageIO;

/**
 * Avatar images for the pages to load, from a plain HTTP server on a free loopback port: {@code /ok.png}
 * is a small picture, any other path is a 404 (an avatar URL that fails to load).
 */
final class AvatarServer implements AutoCloseable {
    private final HttpServer http;

    AvatarServer() throws IOException {
        byte[] png = picture();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestURI().getPath().equals("/ok.png")) {
                    exchange.getResponseHeaders().set("Content-Type", "image/png");
                    exchange.sendResponseHeaders(200, png.length);
                    exchange.getResponseBody().write(png);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        http.start();
    }

    /** The URL of a picture that loads. */
    String picture(String name) {
        return base() + "/ok.png?" + name;
    }

    /** The URL of a picture that fails to load (404). */
    String missing(String name) {
        return base() + "/missing/" + name + ".png";
    }

    private String base() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    private static byte[] picture() {
        BufferedImage image = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(0xF0, 0x8C, 0x00), 96, 96, new Color(0xC2, 0x25, 0x5C)));
        g.fillRect(0, 0, 96, 96);
        g.setColor(new Color(255, 255, 255, 200));
        g.fillOval(30, 18, 36, 36);
        g.fillOval(16, 58, 64, 60);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
