-- P2: a live session's heartbeat extends its id's claim, in the id's own slot, so that the claim
-- outlives the session (redis-store.md, "A claim's lifetime"). Sent without waiting for the reply.
-- KEYS[1] claim key; ARGV[1] the live session's claim; ARGV[2] time to live in ms.
-- → {1} if extended, {0} if the claim is not (or no longer) this session's: nothing written.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
return {0}
