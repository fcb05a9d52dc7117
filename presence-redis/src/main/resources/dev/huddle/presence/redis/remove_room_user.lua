-- removeRoomUser(room, user) — P10
local U = ARGV[OP]
local m = getm(U)
if not m then return {'NO'} end
removeMember(U, m)
return done()
