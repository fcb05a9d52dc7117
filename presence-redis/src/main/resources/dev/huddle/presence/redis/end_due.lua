-- compare-and-delete for expiry (P5, P7): ends the session only if its deadline is still the one the
-- caller read from the deadline set and is due; otherwise (heartbeated, or already ended) does nothing.
-- A pending session (its creator never came back) is reclaimed the same way at its pending-until time,
-- silently: it was never visible.
-- op ARGV: sid, deadline read, now
local SID, EXP, NOW = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2]
local s = gets(SID)
if not s then return {'NO'} end
if s.p == '1' then
  if s.x ~= EXP or tonumber(EXP) > tonumber(NOW) then return {'NO'} end
  dropSession(SID, s)
  return done()
end
-- held under a node's lease: its deadline is the lease's (release_lease.lua), not the one read
if s.h or s.dl ~= EXP or tonumber(s.dl) > tonumber(NOW) then return {'NO'} end
return endSession(SID, s, s.dl)
