/**
 * The load generator ({@link dev.huddle.load.LoadTool}): simulated users on real sockets, their
 * propagation latencies, and the report as a line, JSON and HTML (docs/BENCHMARKS.md).
 *
 * <p>What owns what:
 * <ul>
 *   <li>{@code LoadTool} is the command; {@code LoadOptions} its flags and what combinations it refuses;</li>
 *   <li>{@code LoadRun} runs the phases in order: connect (or a join burst), {@code WarmUp}, the measured
 *       run ({@code Toggles}, {@code Churn}), {@code Crash}, the {@code ConsistencyCheck}, and assembles
 *       the {@link dev.huddle.load.Report};</li>
 *   <li>{@code SimulatedUser} is one user's client session; {@code Measurements} what the run measured
 *       ({@code Latencies}); {@code Convergence} whether the clients agree; {@code Poll} waits for it;</li>
 *   <li>{@code Progress} prints the progress lines, {@code SummaryLine} and {@code HtmlReport} render
 *       the report; {@code ServerApi} and {@code ProcStats} read the server's own figures.</li>
 * </ul>
 *
 * <p>It drives the server only as any client would: through the Java client ({@code dev.huddle.client}),
 * the public HTTP API and {@code /metrics}, and {@code /proc} for a local server's CPU and memory. It must
 * not depend on the server's or the engine's code (the server is a test dependency only, to start one
 * in-process), so what it measures is what a real client sees. The JMH benchmarks of the engine live
 * apart, in {@code dev.huddle.load.bench}, and neither package uses the other.
 */
package dev.huddle.load;
