-- renew(partition, held sessions…) — the keep-alive's batch (redis-store.md, "Keep-alive"): moves the
-- deadlines of sessions a node's sockets hold, all in one partition, in one script. A session whose
-- deadline is still the one the node last saw moves to the new one; one moved later meanwhile (another
-- node's heartbeat) or earlier (a departure grace, T3) keeps it. Changes no entry, emits nothing.
-- KEYS[1] the partition's deadline set; KEYS[2…] the sessions hashes of the rooms named below
-- ARGV: count, then per session: index of its room's sessions hash in KEYS, room, sid, user, token,
--       expected deadline, new deadline
-- → per session: its deadline after the call ('-1': not live, or another session now), its claim
local K_DL = KEYS[1]
local out = {}
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  local a = 2 + 7 * i
  local ki = tonumber(ARGV[a])
  local K_SES = KEYS[ki]
  local room, sid, u, tok = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local expected, dl = ARGV[a + 5], ARGV[a + 6]
  local raw = redis.call('HGET', K_SES, sid)
  local s = raw and cjson.decode(raw)
  if not s or s.p == '1' or s.u ~= u or s.t ~= tok then
    out[#out + 1] = '-1'
    out[#out + 1] = ''
  else
    if s.dl == expected and tonumber(dl) > tonumber(s.dl) then
      s.dl = dl
      redis.call('HSET', K_SES, sid, cjson.encode(s))
      redis.call('ZADD', K_DL, dl, #sid .. ':' .. sid .. #room .. ':' .. room)
    end
    out[#out + 1] = s.dl
    out[#out + 1] = #room .. ':' .. room .. #u .. ':' .. u .. #(s.n or '') .. ':' .. (s.n or '')
  end
end
return out
