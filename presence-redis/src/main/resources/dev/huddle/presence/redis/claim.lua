-- P2: the claim of one session id, in the id's own slot. KEYS[1] = pre 'sid:' .. sessionId, a string
-- holding netstrings (room, user, nonce). ARGV[1] = the caller's claim; ARGV[2] = a claim the caller
-- has verified stale in its room (verify_claim.lua) and may replace, or ''.
-- → {'OK'} when the id is now the caller's, else {'HELD', current claim} (nothing written).
local cur = redis.call('GET', KEYS[1])
if not cur or cur == ARGV[1] or (ARGV[2] ~= '' and cur == ARGV[2]) then
  if cur ~= ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
  return {'OK'}
end
return {'HELD', cur}
