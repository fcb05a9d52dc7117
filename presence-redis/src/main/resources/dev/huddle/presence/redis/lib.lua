-- Shared prelude of every script that changes a room. Prepended to the script body at load time.
-- KEYS (every one carries the room's {partition} hash tag, so a script touches exactly one slot):
--   1 room hash, 2 members hash, 3 sessions hash, 4 change log stream, 5 partition deadlines zset,
--   6 partition session tokens hash, 7 partition room tokens hash, 8 partition user → rooms index zset,
--   9 partition held sessions zset (hold.lua)
-- ARGV: 1 roomId, 2 epoch candidate, 3 log capacity, 4 channel, 5 expected member version ('' = none),
--       6 merged-data pair count (-1 = none), merged pairs…, then the operation's own arguments from index OP.
local K_ROOM, K_MEM, K_SES, K_LOG, K_DL = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local K_STOK, K_RTOK, K_UR, K_HELD = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local ROOM, EPOCH, CAP, CHAN, EXPV = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

-- key, value pairs passed as ARGV: a count at index i, then the pairs; returns them as a table, and the
-- index of the argument after them
local function argPairs(i)
  local t = {}
  local n = tonumber(ARGV[i])
  for j = 0, n - 1 do t[ARGV[i + 1 + 2 * j]] = ARGV[i + 2 + 2 * j] end
  return t, i + 1 + 2 * n
end

-- the merged data (MD, nil when the caller merged nothing yet) and where the operation's arguments start
local MD, OP = nil, 7
if tonumber(ARGV[6]) >= 0 then MD, OP = argPairs(6) end
-- the changes this call emits, and the sessions it ended (id, claim) whose id claims Java releases after
local OUT = {}
local ENDED = {}

local function enc(parts)
  local b = {}
  for i = 1, #parts do b[i] = #parts[i] .. ':' .. parts[i] end
  return table.concat(b)
end

local function same(a, b)
  for k, v in pairs(a) do if b[k] ~= v then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- a copy of data `d` with `patch` applied key by key, and whether that changed anything
local function patched(d, patch)
  local nd = copy(d)
  local changed = false
  for k, v in pairs(patch) do
    if nd[k] ~= v then changed = true end
    nd[k] = v
  end
  return nd, changed
end

local function dec(v) if v then return cjson.decode(v) end return nil end
local function getm(u) return dec(redis.call('HGET', K_MEM, u)) end
local function putm(u, m) redis.call('HSET', K_MEM, u, cjson.encode(m)) end
local function gets(s) return dec(redis.call('HGET', K_SES, s)) end
local function puts(s, r) redis.call('HSET', K_SES, s, cjson.encode(r)) end
local function newm() return {v = '0', on = '0', ld = '0', os = '0', ud = {}, d = {}, ss = {}} end
-- a session's member of the partition's deadline set: its id and its room (one id may have a pending
-- record in one room while it is live in another of the same partition)
local function dlm(sid) return enc({sid, ROOM}) end
-- the user's entry in the partition's user → rooms index: netstring(user) .. room, so that one
-- ZRANGEBYLEX on the netstring prefix finds exactly that user's rooms
local function ukey(u) return #u .. ':' .. u .. ROOM end
-- the value of the id claim a session holds (P2, see claim.lua)
local function claimOf(s) return enc({ROOM, s.u, s.n or ''}) end

-- The merge step (P12). The DataMerger is Java code, so Java computes the merged data. A script that
-- is about to change a member's merge inputs first checks that the caller's merged data was computed
-- for exactly the inputs it is about to produce: the caller passes the member version it merged for.
-- If not (first attempt, or another call changed the member since), nothing has been written yet and
-- the script returns the post-change inputs and the version for Java to merge and retry.
local function merge(m, ud, datas)
  if MD ~= nil and EXPV == m.v then return nil end
  local sd = {}
  for i, d in ipairs(datas) do sd[i] = flat(d) end
  -- the data the entry shows now comes last: it is kept if the merge rule fails (see the Java side)
  return {'MERGE', m.v, flat(ud), sd, flat(m.d)}
end

-- the data of the member's sessions after a change, oldest session first
local function sessionDatas(m, replaceSid, replaceData, dropSid, addData)
  local out = {}
  for _, sid in ipairs(m.ss) do
    if sid ~= dropSid then
      if sid == replaceSid then out[#out + 1] = replaceData else out[#out + 1] = gets(sid).d end
    end
  end
  if addData then out[#out + 1] = addData end
  return out
end

-- versions come from one counter per room that never goes back, so a version is never reused (no ABA)
local function bump(m) m.v = tostring(redis.call('HINCRBY', K_ROOM, 'ver', 1)) end

-- one change: next seq, appended to the log (trimmed to CAP), published, and returned to the caller
local function emit(kind, u, m)
  local seq = tostring(redis.call('HINCRBY', K_ROOM, 'seq', 1))
  redis.call('HSETNX', K_ROOM, 'ep', EPOCH)
  local ep = redis.call('HGET', K_ROOM, 'ep')
  local parts = {ep, seq, kind, u, m.on, m.ld}
  for _, x in ipairs(flat(m.d)) do parts[#parts + 1] = x end
  local c = enc(parts)
  redis.call('XADD', K_LOG, 'MAXLEN', CAP, seq .. '-0', 'c', c)
  redis.call('PUBLISH', CHAN, enc({ROOM}) .. c)
  OUT[#OUT + 1] = c
end

-- a session record (live or pending) leaves the room's keys; Java releases its id claim afterwards
-- a held session's member of the partition's held set (hold.lua): its node, its id, its room
local function heldm(sid, s) return enc({s.h, sid, ROOM}) end

local function dropSession(sid, s)
  redis.call('HDEL', K_SES, sid)
  if s.t then redis.call('HDEL', K_STOK, s.t) end
  -- a session held under a node's lease is in the held set instead of the deadline set
  if s.h then redis.call('ZREM', K_HELD, heldm(sid, s)) else redis.call('ZREM', K_DL, dlm(sid)) end
  ENDED[#ENDED + 1] = sid
  ENDED[#ENDED + 1] = claimOf(s)
end

-- the reply of every room-changing script that succeeded (heartbeat has its own)
local function done() return {'OK', ENDED, OUT} end

-- a member whose merge inputs changed, staying online, shows the data merged for this call (MD): a new
-- version, and an update only if what it shows changed
local function showMerged(u, m)
  bump(m)
  local old = m.d
  m.d = MD
  if not same(old, MD) then emit('UPDATE', u, m) end
  putm(u, m)
end

-- Patches a live session's data (P12). Returns a MERGE reply when Java must merge first (nothing is
-- written then), else nil. Writes the session if its data changed, or if `moved` (the caller changed
-- the record otherwise, say its deadline); emits an update only if the merged data changed.
local function patchSession(u, sid, s, patch, moved)
  local nd, changed = patched(s.d, patch)
  local m = nil
  if changed then
    m = getm(u)
    local ask = merge(m, m.ud, sessionDatas(m, sid, nd, nil, nil))
    if ask then return ask end
  end
  if changed or moved then
    s.d = nd
    puts(sid, s)
  end
  if changed then showMerged(u, m) end
  return nil
end

-- ends a live session at time `at` (a string); the user leaves if it was their last (P7)
local function endSession(sid, s, at)
  local m = getm(s.u)
  local ask = merge(m, m.ud, sessionDatas(m, nil, nil, sid, nil))
  if ask then return ask end
  dropSession(sid, s)
  local ss = {}
  for _, x in ipairs(m.ss) do if x ~= sid then ss[#ss + 1] = x end end
  m.ss = ss
  if #ss == 0 then
    bump(m)
    m.on = '0'; m.ld = at; m.d = MD
    emit('LEAVE', s.u, m)
    putm(s.u, m)
  else
    showMerged(s.u, m)
  end
  return done()
end

local function removeMember(u, m)
  for _, sid in ipairs(m.ss) do
    local s = gets(sid)
    if s then dropSession(sid, s) end
  end
  redis.call('HDEL', K_MEM, u)
  redis.call('ZREM', K_UR, ukey(u))
  emit('REMOVE', u, m)
end

-- list order (P8): online first by onlineSince, then offline by lastDisconnected newest first, then userId
local function before(a, b)
  local ao, bo = a.m.on == '1', b.m.on == '1'
  if ao ~= bo then return ao end
  if ao then
    local x, y = tonumber(a.m.os), tonumber(b.m.os)
    if x ~= y then return x < y end
  else
    local x, y = tonumber(a.m.ld), tonumber(b.m.ld)
    if x ~= y then return x > y end
  end
  return lt(a.u, b.u)
end
-- end of prelude
