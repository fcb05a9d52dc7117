package dev.huddle.server.live;

/** {@code unsubscribe}: stops watching a room (by id, or by the slug it was watched by); replies {@code unsubscribed}, also when not watching. */
final class UnsubscribeHandler implements MessageHandler {
    @Override
    public void handle(SocketContext socket, Message m) {
        String huddle = m.args().requiredString("huddle");
        String room = socket.watches(huddle) ? huddle : socket.services().huddles().read(huddle, socket.caller()).huddle().id();
        socket.unwatch(room);
        socket.reply(Frames.unsubscribed(m.requestId(), room));
    }
}
