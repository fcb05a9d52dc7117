-- release_lease(partition, node) — expiry of a node's lease (P5, P7; redis-store.md, "Keep-alive: the
-- node lease"): compare-and-delete, like end_due. Only if the lease's expiry is still the one the caller
-- read and is due, every session the node held here gets back an ordinary deadline — the lease's last
-- renewal plus the session's timeout (lease expiry + offset), or its own if later — and leaves the held
-- set, and the lease goes. Expiry then ends the sessions at those deadlines, with the usual leave. The
-- node, if it comes back, finds its lease gone (its renewal's ZADD, or hold.lua, answering so).
-- The caller read the node's held members first and passes the sessions hash of each of their rooms;
-- a member of another room (the node held one more meanwhile) answers RETRY with nothing written.
-- KEYS[1] the partition's deadline set; KEYS[2] its held set; KEYS[3…] sessions hashes
-- ARGV: node, lease expiry read, now, then the room of each of KEYS[3…] in order
-- → {'OK', sessions released}, {'NO'} or {'RETRY'}
local K_DL, K_HELD = KEYS[1], KEYS[2]
local NODE, EXP, NOW = ARGV[1], ARGV[2], ARGV[3]
local LEASE = '@' .. NODE
local function ns(x) return #x .. ':' .. x end
local sc = redis.call('ZSCORE', K_DL, LEASE)
if not sc or tonumber(sc) ~= tonumber(EXP) or tonumber(sc) > tonumber(NOW) then return {'NO'} end
local keyOf = {}
for i = 4, #ARGV do keyOf[ARGV[i]] = i - 1 end
local from = ns(NODE)
local members = redis.call('ZRANGEBYLEX', K_HELD, '[' .. from, '[' .. from .. '\255')
-- each member: netstrings (node, sid, room)
local held = {}
for _, m in ipairs(members) do
  local parts, i = {}, 1
  while i <= #m do
    local c = string.find(m, ':', i, true)
    local len = tonumber(string.sub(m, i, c - 1))
    parts[#parts + 1] = string.sub(m, c + 1, c + len)
    i = c + len + 1
  end
  if not keyOf[parts[3]] then return {'RETRY'} end
  held[#held + 1] = {m, parts[2], parts[3]}
end
local n = 0
for _, h in ipairs(held) do
  local m, sid, room = h[1], h[2], h[3]
  local ki = keyOf[room]
  local K_SES = KEYS[ki]
  local raw = redis.call('HGET', K_SES, sid)
  local s = raw and cjson.decode(raw)
  if s and s.h == NODE then
    local dl = tonumber(EXP) + tonumber(s.ho or '0')
    if tonumber(s.dl) > dl then dl = tonumber(s.dl) end
    s.h = nil
    s.ho = nil
    s.dl = string.format('%d', dl)
    redis.call('HSET', K_SES, sid, cjson.encode(s))
    redis.call('ZADD', K_DL, s.dl, ns(sid) .. ns(room))
    n = n + 1
  end
  redis.call('ZREM', K_HELD, m)
end
redis.call('ZREM', K_DL, LEASE)
return {'OK', n}
