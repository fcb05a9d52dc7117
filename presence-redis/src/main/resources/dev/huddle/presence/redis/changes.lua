-- changesSince (S2): KEYS room, log; ARGV epoch, afterSeq
local st = redis.call('HMGET', KEYS[1], 'ep', 'seq')
if not st[1] then return {'NOROOM'} end
if st[1] ~= ARGV[1] then return {'GONE'} end
local top = tonumber(st[2] or '0')
local after = tonumber(ARGV[2])
if after > top then return {'GONE'} end
if after == top then return {'OK', {}} end
local es = redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+')
-- a trimmed log does not fail XRANGE by itself: check that it starts right after `after` and ends at the top
if #es ~= top - after or es[1][1] ~= (after + 1) .. '-0' then return {'GONE'} end
local cs = {}
for i, e in ipairs(es) do cs[i] = e[2][2] end
return {'OK', cs}
