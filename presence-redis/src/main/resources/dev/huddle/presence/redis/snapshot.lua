-- snapshot (S1): KEYS room, members; ARGV epoch candidate (kept only if the room has no epoch yet)
redis.call('HSETNX', KEYS[1], 'ep', ARGV[1])
local st = redis.call('HMGET', KEYS[1], 'ep', 'seq')
return {st[1], st[2] or '0', rows(KEYS[2])}
