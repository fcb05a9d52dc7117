package dev.huddle.server.live;

import dev.huddle.presence.Presence;
import dev.huddle.server.huddle.HuddleService;
import dev.huddle.server.presence.PresenceFunctions;

/**
 * What every socket works with, made once by {@link LiveEndpoint} and shared: the hub (fan-out, threads,
 * limits), the engine, the presence rules shared with HTTP, and the huddles (who may watch or join).
 */
record LiveServices(LiveHub hub, Presence presence, PresenceFunctions functions, HuddleService huddles, MemberWatch members) {
}
