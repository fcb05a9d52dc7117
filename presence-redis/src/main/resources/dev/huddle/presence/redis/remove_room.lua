-- removeRoom(room) — P10: removes in list order; the room hash keeps seq, ver and epoch
local all = redis.call('HGETALL', K_MEM)
local tok = redis.call('HGET', K_ROOM, 'tok')
if #all == 0 and not tok then return {'NO'} end
local rows = {}
for i = 1, #all, 2 do rows[#rows + 1] = {u = all[i], m = cjson.decode(all[i + 1])} end
table.sort(rows, before)
for _, r in ipairs(rows) do removeMember(r.u, r.m) end
if tok then
  redis.call('HDEL', K_RTOK, tok)
  redis.call('HDEL', K_ROOM, 'tok')
end
return done()
