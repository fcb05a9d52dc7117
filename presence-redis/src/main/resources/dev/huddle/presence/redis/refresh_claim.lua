-- P2: a live session's heartbeat re-asserts its id's claim, in the id's own slot: extends it so that
-- it outlives the session, and re-creates it if it is missing (a failover lost it), so that another
-- room or user cannot take the id (redis-store.md, "A claim's lifetime"). Sent without waiting.
-- KEYS[1] claim key; ARGV[1] the live session's claim; ARGV[2] time to live in ms.
-- → {1} if set, {0} if another claim holds the id: nothing written (verify_claim decides on it).
local cur = redis.call('GET', KEYS[1])
if not cur or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
return {0}
