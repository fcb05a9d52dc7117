-- After a P2 conflict: removes the caller's pending session (sid, nonce) if it is still pending.
-- op ARGV: sid, nonce
local SID, NONCE = ARGV[OP], ARGV[OP + 1]
local s = gets(SID)
if s and s.p == '1' and s.n == NONCE then dropSession(SID, s) end
return {'DONE'}
