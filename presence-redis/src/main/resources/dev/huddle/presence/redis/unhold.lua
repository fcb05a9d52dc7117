-- unhold(partition, node, session) — the node lets go of a session it held (its socket closed, T2, or
-- fell silent): the session gets an ordinary deadline again, the later of the given one (its last
-- frame's) and its own (its last heartbeat's). A session not held by this node (a departure grace or
-- another node took it) keeps what it has.
-- KEYS[1] the partition's deadline set; KEYS[2] its held set; KEYS[3] the room's sessions hash
-- ARGV: node, room, sid, user, token, deadline
-- → the session's deadline after the call ('-1': not live, or another session now)
local K_DL, K_HELD, K_SES = KEYS[1], KEYS[2], KEYS[3]
local NODE, room, sid, u, tok, dl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local function ns(x) return #x .. ':' .. x end
local raw = redis.call('HGET', K_SES, sid)
local s = raw and cjson.decode(raw)
if not s or s.p == '1' or s.u ~= u or s.t ~= tok then return {'-1'} end
if s.h == NODE then
  redis.call('ZREM', K_HELD, ns(NODE) .. ns(sid) .. ns(room))
  s.h = nil
  s.ho = nil
  if tonumber(dl) > tonumber(s.dl) then s.dl = dl end
  redis.call('HSET', K_SES, sid, cjson.encode(s))
  redis.call('ZADD', K_DL, s.dl, ns(sid) .. ns(room))
end
return {s.dl}
