-- updateRoomUser(room, user, data) — P10
-- op ARGV: user, n, data pairs…
local U = ARGV[OP]
local dn = tonumber(ARGV[OP + 1])
local DATA = {}
for i = 0, dn - 1 do DATA[ARGV[OP + 2 + 2 * i]] = ARGV[OP + 3 + 2 * i] end
local m = getm(U)
if not m then return {'NO'} end
if same(m.ud, DATA) then return done() end
local ask = merge(m, DATA, sessionDatas(m, nil, nil, nil, nil))
if ask then return ask end
m.ud = DATA
bump(m)
local old = m.d
m.d = MD
if not same(old, MD) then emit('UPDATE', U, m) end
putm(U, m)
return done()
