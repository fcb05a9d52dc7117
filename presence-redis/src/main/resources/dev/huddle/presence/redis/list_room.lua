-- listRoom / list(token): KEYS room, members; ARGV room token to check ('' = none)
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'tok') ~= ARGV[1] then return {} end
return rows(KEYS[2])
