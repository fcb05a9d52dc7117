-- gap filling for listeners: KEYS room, log; ARGV fromSeq, toSeq or '+' → {epoch or '', entries held in range}
local ep = redis.call('HGET', KEYS[1], 'ep') or ''
local to = ARGV[2] == '+' and '+' or (ARGV[2] .. '-0')
local es = redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', to)
local cs = {}
for i, e in ipairs(es) do cs[i] = e[2][2] end
return {ep, cs}
