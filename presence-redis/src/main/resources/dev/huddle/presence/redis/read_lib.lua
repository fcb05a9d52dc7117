-- Shared prelude of the read-only scripts.
-- one entry row: userId, online, lastDisconnected, onlineSince, {data pairs}
local function row(u, json)
  local m = cjson.decode(json)
  return {u, m.on, m.ld, m.os, flat(m.d)}
end

local function rows(memKey)
  local all = redis.call('HGETALL', memKey)
  local out = {}
  for i = 1, #all, 2 do out[#out + 1] = row(all[i], all[i + 1]) end
  return out
end
-- end of prelude
