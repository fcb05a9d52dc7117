/**
 * The WebSocket API (docs/protocol.md): live sessions over a socket, their liveness (T1–T3), room
 * subscriptions and the fan-out of changes to them (S1–S4).
 *
 * <p>What owns what:
 * <ul>
 *   <li>{@link dev.huddle.server.live.LiveEndpoint}: the upgrade ({@code GET /ws}) and its refusals;</li>
 *   <li>{@link dev.huddle.server.live.LiveConnection}: one socket's transport, Jetty's events and the close
 *       codes ({@code CloseCodes});</li>
 *   <li>{@code Liveness} (frames keep sessions alive, pings), {@code Rejoin} (a session created again
 *       after the cluster's store lost its data);</li>
 *   <li>{@code Messages} reads a frame and hands it to one {@code MessageHandler} per message type
 *       ({@code JoinHandler}, {@code FlagsHandler}, {@code LeaveHandler}, {@code SubscribeHandler},
 *       {@code UnsubscribeHandler}), which work on the socket's {@code SocketContext}; failures become
 *       {@code error} frames in {@code ErrorReplies};</li>
 *   <li>{@code Subscription} (one socket watching one room), {@code Outbound} (a socket's bounded
 *       send queue), {@code FlagGate} and {@code Pacer} (pacing), {@code Frames} and
 *       {@code SnapshotEntries} (rendering);</li>
 *   <li>{@link dev.huddle.server.live.LiveHub}: what all sockets share — the fan-out, counts, threads.</li>
 * </ul>
 *
 * <p>Depends on the engine ({@code dev.huddle.presence}), the huddle rules ({@code server.huddle},
 * {@code server.presence}), the request helpers of {@code server.http} ({@code ApiException},
 * {@code Args}, {@code Json}, {@code ErrorMapping}'s wording), sign-in ({@code server.auth}), its
 * settings ({@code LiveSettings}), Jetty and Jackson. It names no Redis type: a store out of reach is the
 * engine's {@code StoreUnavailableException}. It must not depend on the cluster, storage or legacy packages,
 * on SQL, or on Javalin's routing: cluster mode reaches it only through {@code LiveHub.watchStore} and
 * {@code LiveHub.storeLostData}, and only {@code HuddleServer} wires it.
 */
package dev.huddle.server.live;
