-- heartbeat(room, user, sid, now, deadline, data?) — P1–P4, P12. A session id's uniqueness (P2) is a
-- claim in the id's own slot (claim.lua), which this room's script cannot touch, so a new session takes
-- three steps (redis-store.md, "P2 on Redis Cluster"); a live session's heartbeat is one step.
--   'begin'    a live session of this user: the heartbeat itself → OK. Another user's live session →
--              CONFLICT. Otherwise records a pending session (invisible: no member, no token, no
--              change) for this call's nonce — or adopts the pending session of a concurrent call for
--              this same user — and answers PENDING with the nonce Java must claim the id for, and the
--              merge inputs activation will have (as a MERGE reply would), so that activation usually
--              needs no merge round trip of its own.
--   'activate' after Java holds the claim (room, user, nonce): the pending session of that nonce
--              becomes live (join, or update). GONE if it is no longer there — a claimant for another
--              room or user removed it (so it can never go live) or expiry reclaimed it: Java starts over.
-- op ARGV: mode, user, sid, nonce, now, deadline, pending-until, hasData, n, data pairs…,
--          session token candidate, room token candidate
local MODE, U, SID, NONCE = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2], ARGV[OP + 3]
local NOW, DL, PX = ARGV[OP + 4], ARGV[OP + 5], ARGV[OP + 6]
local HAS = ARGV[OP + 7] == '1'
local DATA, after = argPairs(OP + 8)
local TOKS, TOKR = ARGV[after], ARGV[after + 1]

local s = gets(SID)
if s and s.p ~= '1' then
  if s.u ~= U then return {'CONFLICT'} end
  -- a live session of this user in this room: move its deadline, patch its data (DATA is empty without data)
  s.dl = DL
  local ask = patchSession(U, SID, s, DATA, true)
  if ask then return ask end
  -- a session held under a node's lease has no deadline in the set: the lease keeps it
  if not s.h then redis.call('ZADD', K_DL, DL, dlm(SID)) end
  -- the claim this live session holds, for Java to extend (refresh_claim.lua)
  return {'OK', redis.call('HGET', K_ROOM, 'tok'), s.t, claimOf(s), OUT}
end

-- the data a pending session will have once this call activates it
local function activated(pd)
  local nd = copy(pd)
  if HAS then for k, v in pairs(DATA) do nd[k] = v end end
  return nd
end

if MODE == 'begin' then
  if s and s.u == U then
    -- a concurrent call for this very session is between its steps: continue with its nonce
  else
    -- another user's creation in flight: this call takes its place (that one's activation finds it GONE)
    if s then dropSession(SID, s) end
    s = {u = U, n = NONCE, p = '1', dl = DL, x = PX, d = HAS and DATA or {}}
    puts(SID, s)
    -- reclaimed at PX if its caller never comes back (it crashed between the steps)
    redis.call('ZADD', K_DL, PX, dlm(SID))
  end
  local m = getm(U) or newm()
  local sd = {}
  for i, d in ipairs(sessionDatas(m, nil, nil, nil, activated(s.d))) do sd[i] = flat(d) end
  return {'PENDING', s.n, m.v, flat(m.ud), sd, flat(m.d)}
end

-- 'activate'
if not s or s.n ~= NONCE or s.u ~= U then return {'GONE'} end
local nd = activated(s.d)
local m = getm(U)
local fresh = (m == nil)
if fresh then m = newm() end
local ask = merge(m, m.ud, sessionDatas(m, nil, nil, nil, nd))
if ask then return ask end
local rtok = redis.call('HGET', K_ROOM, 'tok')
if TOKS == '' or TOKR == '' or redis.call('HEXISTS', K_STOK, TOKS) == 1
    or (not rtok and redis.call('HEXISTS', K_RTOK, TOKR) == 1) then
  return {'TOKENS'}
end
if not rtok then
  rtok = TOKR
  redis.call('HSET', K_ROOM, 'tok', rtok)
  redis.call('HSET', K_RTOK, rtok, ROOM)
end
puts(SID, {u = U, t = TOKS, dl = DL, d = nd, n = NONCE})
redis.call('HSET', K_STOK, TOKS, enc({ROOM, SID}))
redis.call('ZADD', K_DL, DL, dlm(SID))
if fresh then redis.call('ZADD', K_UR, 0, ukey(U)) end
m.ss[#m.ss + 1] = SID
if m.on ~= '1' then
  bump(m)
  m.on = '1'; m.ld = '0'; m.os = NOW; m.d = MD
  emit('JOIN', U, m)
  putm(U, m)
else
  showMerged(U, m)
end
return {'OK', rtok, TOKS, enc({ROOM, U, NONCE}), OUT}
