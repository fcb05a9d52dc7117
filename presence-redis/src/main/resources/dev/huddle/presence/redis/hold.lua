-- hold(partition, node, held sessions…) — the node lease (redis-store.md, "Keep-alive: the node lease"):
-- renews or creates the node's lease in this partition and holds each live session named below under
-- it: the session leaves the deadline set (it has no deadline to renew while the lease holds), is marked
-- held by the node (`h`) with its offset (`ho` = timeout − lease length, so that whoever releases an
-- expired lease gives it the deadline `lease expiry + offset`), and is listed in the partition's held
-- set. A session held by another node moves to this one. Changes no entry, emits nothing.
-- KEYS[1] the partition's deadline set; KEYS[2] its held set; KEYS[3…] sessions hashes
-- ARGV: node, lease expiry, whether the node had a lease here ('1'/'0'), count, then per session:
--       index of its room's sessions hash in KEYS, room, sid, user, token, offset
-- → lost ('1': the node had a lease here and it was gone — released by another node), then per session:
--   '1' held / '0' not live (or another session now), and its claim
local K_DL, K_HELD = KEYS[1], KEYS[2]
local NODE, EXP, HAD = ARGV[1], ARGV[2], ARGV[3]
local n = tonumber(ARGV[4])
local function ns(x) return #x .. ':' .. x end
local added = redis.call('ZADD', K_DL, 'GT', EXP, '@' .. NODE)
local out = {(added == 1 and HAD == '1') and '1' or '0'}
for i = 0, n - 1 do
  local a = 5 + 6 * i
  local ki = tonumber(ARGV[a])
  local K_SES = KEYS[ki]
  local room, sid, u, tok, off = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local raw = redis.call('HGET', K_SES, sid)
  local s = raw and cjson.decode(raw)
  if not s or s.p == '1' or s.u ~= u or s.t ~= tok then
    out[#out + 1] = '0'
    out[#out + 1] = ''
  else
    if s.h ~= NODE or s.ho ~= off then
      if s.h then
        redis.call('ZREM', K_HELD, ns(s.h) .. ns(sid) .. ns(room))
      else
        redis.call('ZREM', K_DL, ns(sid) .. ns(room))
      end
      s.h = NODE
      s.ho = off
      redis.call('HSET', K_SES, sid, cjson.encode(s))
      redis.call('ZADD', K_HELD, 0, ns(NODE) .. ns(sid) .. ns(room))
    end
    out[#out + 1] = '1'
    out[#out + 1] = ns(room) .. ns(u) .. ns(s.n or '')
  end
end
return out
