-- one user's entry in one room (listUser): KEYS members; ARGV userId
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {} end
return row(ARGV[1], v)
