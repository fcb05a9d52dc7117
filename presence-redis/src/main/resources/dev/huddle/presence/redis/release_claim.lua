-- P2: after a session ended, releases its id's claim if it is still exactly that session's
-- (compare-and-delete: a newer claim of the same id stays). KEYS[1] claim key; ARGV[1] the claim.
-- → {1} if released, {0} if not
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {1}
end
return {0}
