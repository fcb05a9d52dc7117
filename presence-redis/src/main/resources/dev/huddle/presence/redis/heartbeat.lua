-- heartbeat(room, user, sid, now, deadline, data?) — P1–P4, P12
-- op ARGV: user, sid, now, deadline, hasData, n, data pairs…, session token candidate, room token candidate
local U, SID, NOW, DL = ARGV[OP], ARGV[OP + 1], ARGV[OP + 2], ARGV[OP + 3]
local HAS = ARGV[OP + 4] == '1'
local dn = tonumber(ARGV[OP + 5])
local DATA = {}
for i = 0, dn - 1 do DATA[ARGV[OP + 6 + 2 * i]] = ARGV[OP + 7 + 2 * i] end
local TOKS, TOKR = ARGV[OP + 6 + 2 * dn], ARGV[OP + 7 + 2 * dn]

local idx = dec(redis.call('HGET', K_SIDS, SID))
if idx and (idx.r ~= ROOM or idx.u ~= U) then return {'CONFLICT'} end
if idx then
  -- a live session of this user in this room: move its deadline, patch its data
  local s = gets(SID)
  local nd = s.d
  local changed = false
  if HAS then
    nd = copy(s.d)
    for k, v in pairs(DATA) do
      if nd[k] ~= v then changed = true end
      nd[k] = v
    end
  end
  local m = nil
  if changed then
    m = getm(U)
    local ask = merge(m, m.ud, sessionDatas(m, SID, nd, nil, nil))
    if ask then return ask end
  end
  local rtok = redis.call('HGET', K_ROOM, 'tok')
  s.dl = DL
  s.d = nd
  puts(SID, s)
  redis.call('ZADD', K_DL, DL, SID)
  if changed then
    bump(m)
    local old = m.d
    m.d = MD
    if not same(old, MD) then emit('UPDATE', U, m) end
    putm(U, m)
  end
  return {'OK', rtok, s.t, OUT}
end

-- a new session
local m = getm(U)
local fresh = (m == nil)
if fresh then m = newm() end
local nd = HAS and DATA or {}
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
puts(SID, {u = U, t = TOKS, dl = DL, d = nd})
redis.call('HSET', K_SIDS, SID, cjson.encode({r = ROOM, u = U}))
redis.call('HSET', K_STOK, TOKS, enc({ROOM, SID}))
redis.call('ZADD', K_DL, DL, SID)
redis.call('HSET', K_WHERE, SID, ROOM)
if fresh then redis.call('SADD', K_USER .. U, ROOM) end
m.ss[#m.ss + 1] = SID
bump(m)
if m.on ~= '1' then
  m.on = '1'; m.ld = '0'; m.os = NOW; m.d = MD
  emit('JOIN', U, m)
else
  local old = m.d
  m.d = MD
  if not same(old, MD) then emit('UPDATE', U, m) end
end
putm(U, m)
return {'OK', rtok, TOKS, OUT}
