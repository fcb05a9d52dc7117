package dev.huddle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.huddle.client.examples.SpeakingBot;
import dev.huddle.presence.ManualClock;
import dev.huddle.server.HuddleServer;
import dev.huddle.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The example bot, run against a real server by its slug, is seen speaking and then leaving. */
@Timeout(60)
class SpeakingBotTest {
    @TempDir
    Path data;

    @Test
    void theBotJoinsBySlugTogglesSpeakingAndLeaves() throws Exception {
        try (HuddleServer server = new HuddleServer(ServerConfig.forDataDir(data, 0), new ManualClock(1_750_000_000_000L)).start();
                HuddleClient client = HuddleClient.create(URI.create("http://localhost:" + server.port() + "/"))) {
            Identity ann = client.signInGuest("Ann");
            HuddleInfo h = client.createHuddle(ann, "With a bot");
            AtomicBoolean sawSpeaking = new AtomicBoolean();
            try (RoomConnection watcher = client.connect(ann, h.id(), RoomConnection.Options.defaults(), new RoomListener() {
                @Override
                public void onView(View view) {
                    view.participants().stream().filter(p -> "Bot".equals(p.displayName()) && p.speaking())
                            .findAny().ifPresent(p -> sawSpeaking.set(true));
                }
            })) {
                CompletableFuture<Integer> bot = CompletableFuture.supplyAsync(() -> {
                    try {
                        return SpeakingBot.run(URI.create("http://localhost:" + server.port() + "/"), h.slug(), "Bot",
                                Duration.ofMillis(300), Duration.ofMillis(1_500));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(bot.get()).isGreaterThanOrEqualTo(4);
                await().atMost(Duration.ofSeconds(5)).untilTrue(sawSpeaking);
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        watcher.view().participants().stream().noneMatch(p -> "Bot".equals(p.displayName())));
            }
        }
    }
}
