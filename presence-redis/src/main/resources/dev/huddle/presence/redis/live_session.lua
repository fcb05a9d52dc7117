-- liveSessionToken (T2): KEYS sessions; ARGV sid → {userId, token} of a live session, or {}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {} end
local s = cjson.decode(v)
if s.p == '1' then return {} end -- pending: not live yet
return {s.u, s.t}
