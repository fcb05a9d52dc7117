package dev.huddle.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.server.http.ApiException;
import dev.huddle.server.http.Args;
import java.util.Optional;

/**
 * {@code subscribe}: watches a room (S1, S2) by id (members) or slug (anyone allowed to view it, H4),
 * from a snapshot or from a resume point. Subscribing again to a watched room replaces the subscription.
 */
final class SubscribeHandler implements MessageHandler {
    @Override
    public void handle(SocketContext socket, Message m) {
        String huddle = m.args().requiredString("huddle");
        Optional<Subscription.ResumePoint> resume = resumePoint(m.body());
        // Asking again for a room this socket watches by the same id or slug needs no new read: the access
        // that let it subscribe still holds for the subscription it has (a flood of repeated subscribes
        // costs no database reads).
        String room = socket.watchedAs(huddle);
        if (room == null) {
            room = socket.services().huddles().read(huddle, socket.caller()).huddle().id();
        }
        if (!socket.watches(room)) {
            socket.checkRoomLimit(room);
            socket.takeSubscription();
        }
        LiveHub hub = socket.hub();
        Subscription sub = new Subscription(room, huddle, socket.services().presence(), socket.out(), hub.scheduler(), hub);
        socket.watch(sub);
        boolean started = false;
        try {
            sub.start(m.requestId(), resume);
            started = true;
        } finally {
            if (!started) {
                socket.unwatch(sub); // whatever failed, no half-made subscription stays behind
            }
        }
    }

    private static Optional<Subscription.ResumePoint> resumePoint(ObjectNode msg) {
        if (!msg.hasNonNull("resume")) {
            return Optional.empty();
        }
        if (!(msg.get("resume") instanceof ObjectNode r)) {
            throw ApiException.invalidArgument("resume", "must be an object {epoch, seq}");
        }
        Args ra = Args.of(r);
        long seq = ra.optionalLong("seq", -1);
        if (seq < 0) {
            throw ApiException.invalidArgument("resume.seq", "must be a whole number ≥ 0");
        }
        return Optional.of(new Subscription.ResumePoint(ra.requiredString("epoch"), seq));
    }
}
