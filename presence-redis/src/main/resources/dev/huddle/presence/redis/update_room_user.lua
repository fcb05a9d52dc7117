-- updateRoomUser(room, user, data) — P10
-- op ARGV: user, n, data pairs…
local U = ARGV[OP]
local DATA = argPairs(OP + 1)
local m = getm(U)
if not m then return {'NO'} end
if same(m.ud, DATA) then return done() end
local ask = merge(m, DATA, sessionDatas(m, nil, nil, nil, nil))
if ask then return ask end
m.ud = DATA
showMerged(U, m)
return done()
