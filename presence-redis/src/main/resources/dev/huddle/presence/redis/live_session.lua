-- liveSessionToken (T2): KEYS sessions; ARGV sid → {userId, token} or {}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {} end
local s = cjson.decode(v)
return {s.u, s.t}
