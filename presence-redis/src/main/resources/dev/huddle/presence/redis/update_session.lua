-- updateSession(room, user, sid, patch) — P12
-- op ARGV: user, sid, n, patch pairs…
local U, SID = ARGV[OP], ARGV[OP + 1]
local dn = tonumber(ARGV[OP + 2])
local s = gets(SID)
if not s or s.p == '1' or s.u ~= U then return {'NO'} end
local nd = copy(s.d)
local changed = false
for i = 0, dn - 1 do
  local k, v = ARGV[OP + 3 + 2 * i], ARGV[OP + 4 + 2 * i]
  if nd[k] ~= v then changed = true end
  nd[k] = v
end
if not changed then return done() end
local m = getm(U)
local ask = merge(m, m.ud, sessionDatas(m, SID, nd, nil, nil))
if ask then return ask end
s.d = nd
puts(SID, s)
bump(m)
local old = m.d
m.d = MD
if not same(old, MD) then emit('UPDATE', U, m) end
putm(U, m)
return done()
