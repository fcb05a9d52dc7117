-- Shared prelude of the read-only scripts.
local function lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function flat(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, lt)
  local out = {}
  for _, k in ipairs(ks) do out[#out + 1] = k; out[#out + 1] = t[k] end
  return out
end

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
