-- Shared by every script: a locale-independent order and a sorted flattening of a table.
-- byte-wise string order (the order of UTF-8 code points), independent of the server's locale
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

