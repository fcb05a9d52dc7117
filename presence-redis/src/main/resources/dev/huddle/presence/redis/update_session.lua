-- updateSession(room, user, sid, patch) — P12
-- op ARGV: user, sid, n, patch pairs…
local U, SID = ARGV[OP], ARGV[OP + 1]
local PATCH = argPairs(OP + 2)
local s = gets(SID)
if not s or s.p == '1' or s.u ~= U then return {'NO'} end
return patchSession(U, SID, s, PATCH, false) or done()
