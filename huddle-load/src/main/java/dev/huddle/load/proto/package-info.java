/**
 * Transport prototypes for the fan-out question of issue 20 (docs/BENCHMARKS.md, "Fan-out"): what does
 * the WebSocket layer itself cost per delivered frame, without any of the server's features? A benchmark,
 * not production code.
 *
 * <ul>
 *   <li>{@code TransportServer} serves {@code /ws} on one of the transports below; every socket is a
 *       subscriber, and any text frame a socket sends makes the server send one pre-encoded frame of
 *       {@value dev.huddle.load.proto.BroadcastFrame#WIRE_BYTES} bytes on the wire (as the floor's) to
 *       every subscriber;</li>
 *   <li>{@code JettyBroadcast}: Jetty 12's core WebSocket ({@code CoreSession.sendFrame}, the call the
 *       server's {@code Outbound} makes), each socket's frame sent from the thread that received the
 *       event, no queue and no hand-off: the best the Jetty send path can do (or, {@code jetty-raw}, the
 *       encoded frame written to the connection's {@code EndPoint}, past the frame flusher);</li>
 *   <li>{@code NettyBroadcast}: Netty 4.2, one event loop (epoll, io_uring or NIO), the whole frame
 *       (header and payload) encoded once per event into one direct buffer that every channel writes a
 *       retained duplicate of;</li>
 *   <li>{@code TransportDriver} is the load side, shaped as {@code FanoutTool}: N sockets (Jetty's core
 *       client), events one at a time, each only after every socket received the one before; it
 *       charges the server's CPU ({@code /proc}) over the frames delivered, and names the threads that
 *       spent it ({@code ServerThreads}).</li>
 * </ul>
 *
 * <p>Run by {@code scripts/bench-transport.sh} beside the kernel's floor ({@code scripts/floor/fanout-floor.c}).
 */
package dev.huddle.load.proto;
