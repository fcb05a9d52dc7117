-- P2: the claim of one session id, in the id's own slot. KEYS[1] = pre 'sid:' .. sessionId, a string
-- holding netstrings (room, user, nonce). ARGV[1] = the caller's claim; ARGV[2] = a claim the caller
-- has verified stale in its room (verify_claim.lua) and may replace, or ''; ARGV[3] = the claim's time
-- to live in ms (the session's deadline from now, plus a grace: redis-store.md, "A claim's lifetime").
-- → {'OK'} when the id is now the caller's (its lifetime set), else {'HELD', current claim} (nothing written).
local cur = redis.call('GET', KEYS[1])
if not cur or cur == ARGV[1] or (ARGV[2] ~= '' and cur == ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return {'OK'}
end
return {'HELD', cur}
