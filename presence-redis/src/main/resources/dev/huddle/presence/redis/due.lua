-- expiry, read-only (P5): KEYS partition deadlines, partition sid->room; ARGV now, limit
-- → {sid, deadline, room} in (deadline, sid) order
local z = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #z, 2 do out[#out + 1] = {z[i], z[i + 1], redis.call('HGET', KEYS[2], z[i]) or ''} end
return out
