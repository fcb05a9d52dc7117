package dev.huddle.load;

import dev.huddle.client.HuddleInfo;
import dev.huddle.client.Identity;
import dev.huddle.client.Participant;
import java.io.IOException;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check at the end of a run: every live client's list of online users compared with its room's
 * reference, the server's own list when it holds every online user, else the users the tool holds
 * online in the room (see {@link Report.Consistency}). Every mismatch counts as an error.
 */
final class ConsistencyCheck {
    private final ServerApi api;
    private final URI server;
    private final Measurements measured;
    private final Progress progress;
    // Summed over the rooms checked.
    private int compared;
    private int checked;
    private int exact;
    private long ghosts;
    private long missing;
    private long duplicates;
    private long serverGhosts;
    private long serverMissing;

    ConsistencyCheck(ServerApi api, URI server, Measurements measured, Progress progress) {
        this.api = api;
        this.server = server;
        this.measured = measured;
        this.progress = progress;
    }

    /** Checks the clients in {@code live} of every one of {@code huddles}, reading the server's lists as {@code owner}. */
    Report.Consistency run(Identity owner, List<HuddleInfo> huddles, List<SimulatedUser> live) throws IOException, InterruptedException {
        Map<String, List<SimulatedUser>> byRoom = SimulatedUser.byRoom(live);
        for (HuddleInfo h : huddles) {
            room(owner, h, byRoom.getOrDefault(h.id(), List.of()));
        }
        measured.error("ghost", ghosts);
        measured.error("missing", missing);
        measured.error("duplicate", duplicates);
        measured.error("server_ghost", serverGhosts);
        measured.error("server_missing", serverMissing);
        progress.line("consistency: %d/%d clients show exactly their room's list (%d of %d rooms compared with the server's list)",
                exact, checked, compared, huddles.size());
        return new Report.Consistency(huddles.size(), compared, checked, exact, ghosts, missing, duplicates, serverGhosts, serverMissing);
    }

    private void room(Identity owner, HuddleInfo h, List<SimulatedUser> here) throws IOException, InterruptedException {
        Set<String> expected = new HashSet<>();
        here.forEach(u -> expected.add(u.userId()));
        ServerApi.OnlineList listedByServer = api.online(server, owner.token(), h.id());
        Set<String> listed = new HashSet<>(listedByServer.userIds());
        duplicates += listedByServer.userIds().size() - listed.size();
        Set<String> reference = expected;
        if (listedByServer.complete()) {
            compared++;
            serverGhosts += minus(listed, expected);
            serverMissing += minus(expected, listed);
            reference = listed;
        }
        for (SimulatedUser u : here) {
            List<String> shown = u.conn.view().participants().stream().map(Participant::userId).toList();
            Set<String> shownSet = new HashSet<>(shown);
            long d = shown.size() - shownSet.size();
            long g = minus(shownSet, reference);
            long m = minus(reference, shownSet);
            checked++;
            exact += d + g + m == 0 ? 1 : 0;
            duplicates += d;
            ghosts += g;
            missing += m;
        }
    }

    private static long minus(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).count();
    }
}
