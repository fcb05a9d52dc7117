-- compare-and-delete for expiry (P5, P7): ends the session only if its deadline is still the one the
-- caller read from the deadline set and is due; otherwise (heartbeated, or already ended) does nothing.
-- op ARGV: sid, deadline read, now
local SID, EXP, NOW = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2]
local s = gets(SID)
if not s or s.dl ~= EXP or tonumber(s.dl) > tonumber(NOW) then return {'NO'} end
return endSession(SID, s, s.dl)
