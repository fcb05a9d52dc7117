package dev.huddle.client.examples;

import dev.huddle.client.HuddleClient;
import dev.huddle.client.HuddleInfo;
import dev.huddle.client.Identity;
import dev.huddle.client.Participant;
import dev.huddle.client.RoomConnection;
import dev.huddle.client.RoomListener;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bot that signs in as a guest, joins a huddle as a participant and toggles speaking every few
 * seconds, printing who comes and goes (see docs/java-client.md).
 *
 * Arguments: server URL, huddle id or slug, display name, toggle period (ms), duration (s).
 */
public final class SpeakingBot {
    private SpeakingBot() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: SpeakingBot <server-url> <huddle-id-or-slug> [name] [toggle-ms] [seconds]");
            System.exit(2);
        }
        String name = args.length > 2 ? args[2] : "Speaking bot";
        long toggleMs = args.length > 3 ? Long.parseLong(args[3]) : 2_000;
        long seconds = args.length > 4 ? Long.parseLong(args[4]) : 60;
        int toggles = run(URI.create(args[0]), args[1], name, Duration.ofMillis(toggleMs), Duration.ofSeconds(seconds));
        System.out.println(name + " toggled speaking " + toggles + " times and left");
    }

    /** Runs the bot for {@code duration}; returns how many times it toggled speaking. */
    public static int run(URI server, String huddle, String name, Duration toggleEvery, Duration duration)
            throws InterruptedException {
        try (HuddleClient client = HuddleClient.create(server)) {
            Identity me = client.signInGuest(name);
            HuddleInfo h = client.openHuddle(me, huddle); // by id or slug; registers us (H3)
            h = client.joinHuddle(me, h.id(), "participant");
            RoomListener log = new RoomListener() {
                @Override
                public void onJoin(Participant who) {
                    System.out.println("+ " + who.displayName());
                }

                @Override
                public void onLeave(Participant who) {
                    System.out.println("- " + who.displayName());
                }
            };
            RoomConnection room = client.connect(me, h.id(), RoomConnection.Options.defaults(), log);
            AtomicInteger toggles = new AtomicInteger();
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            try {
                pacer.scheduleAtFixedRate(() -> room.setFlags(toggles.incrementAndGet() % 2 == 1, null),
                        toggleEvery.toMillis(), toggleEvery.toMillis(), TimeUnit.MILLISECONDS);
                pacer.awaitTermination(duration.toMillis(), TimeUnit.MILLISECONDS); // runs for the duration
            } finally {
                pacer.shutdownNow();
            }
            room.leave(0);
            return toggles.get();
        }
    }
}
