-- disconnect(token, now, endAt) — P6, T3. Java found (room, sid) from the token; this checks it again.
-- op ARGV: sid, token, now, endAt
local SID, TOK, NOW, ENDAT = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2], ARGV[OP + 3]
local s = gets(SID)
if not s or s.p == '1' or s.t ~= TOK then return {'NO'} end
if tonumber(ENDAT) > tonumber(NOW) then
  -- a departure grace only ever moves the deadline earlier; a session held under a node's lease gets
  -- an ordinary deadline again (its holder's socket no longer keeps it alive)
  if s.h then
    redis.call('ZREM', K_HELD, heldm(SID, s))
    s.h = nil
    s.ho = nil
    s.dl = ENDAT
    puts(SID, s)
    redis.call('ZADD', K_DL, ENDAT, dlm(SID))
  elseif tonumber(ENDAT) < tonumber(s.dl) then
    s.dl = ENDAT
    puts(SID, s)
    redis.call('ZADD', K_DL, ENDAT, dlm(SID))
  end
  return done()
end
return endSession(SID, s, NOW)
