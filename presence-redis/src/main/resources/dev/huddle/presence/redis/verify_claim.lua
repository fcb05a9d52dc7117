-- P2, run in the slot of the room a session id's claim names. The claim says (this room, user CU,
-- nonce CN); the caller wants the id for (room R, user U). Is the claim still good?
--   STALE    the claimed session is no longer here (ended, reclaimed, or replaced): its nonce can never
--            go live again (a nonce's pending record is written once, before its claim), so the caller
--            may replace the claim (compare-and-set on exactly this value).
--   STALE    the claimed session is still pending (its caller is between its steps, or crashed): it is
--            removed here and now, so its activation will find it GONE; the caller may replace the claim.
--   ADOPT    the same room and user: a concurrent call for this very session holds it; the caller
--            continues with that nonce.
--   CONFLICT the claimed session is live for another room or user (P2).
-- op ARGV: sid, claimed user, claimed nonce, caller's room, caller's user
local SID, CU, CN, R, U = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2], ARGV[OP + 3], ARGV[OP + 4]
local s = gets(SID)
if not s or s.n ~= CN or s.u ~= CU then return {'STALE'} end
if ROOM == R and CU == U then return {'ADOPT'} end
if s.p == '1' then
  dropSession(SID, s)
  return {'STALE'}
end
return {'CONFLICT'}
