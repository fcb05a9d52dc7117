-- listUser (P9), one partition: KEYS[1] the partition's user → rooms index; ARGV[1] netstring of the
-- user id ('<bytes>:<id>'). → the user's rooms in this partition (room ids never hold byte 255: UTF-8)
local p = ARGV[1]
local ms = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. p, '[' .. p .. '\255')
local out = {}
for i, m in ipairs(ms) do out[i] = string.sub(m, #p + 1) end
return out
