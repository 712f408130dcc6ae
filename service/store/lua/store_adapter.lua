-- Store what a fit made, atomically, only if the fit still holds the site's lock (its fencing
-- token is the lock's): a fit whose lock ran out while it worked (stalled, or killed and
-- succeeded by another) stores nothing. Whatever happens before this script runs, the adapter
-- the site had stays in force.
-- KEYS: adapt, adapt_lock, adapt_fits (the site's)
-- ARGV: token, base version, generation (one more than the last: workers see a change by it),
--       adapter text ('' when the gate refused: the site then has no adapter on this base),
--       report JSON, labels counted when the fit began, now, fit record JSON, how many base
--       versions to keep adapters for
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local base = ARGV[2]
redis.call('HSET', KEYS[1], 'fitted:' .. base, ARGV[6], 'report:' .. base, ARGV[5],
           'stored:' .. base, ARGV[7], 'generation:' .. base, ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'adapter:' .. base, ARGV[4])
else
  redis.call('HDEL', KEYS[1], 'adapter:' .. base)
end
-- adapters of older base models go, but for the newest few (instances mid-upgrade use them)
local stored = {}
local fields = redis.call('HKEYS', KEYS[1])
for _, field in ipairs(fields) do
  local other = string.match(field, '^stored:(.+)$')
  if other then
    stored[#stored + 1] = {other, tonumber(redis.call('HGET', KEYS[1], field)) or 0}
  end
end
table.sort(stored, function(a, b) return a[2] > b[2] end)
for i = tonumber(ARGV[9]) + 1, #stored do
  local old = stored[i][1]
  -- its generation stays, so that a version string never names two adapters
  redis.call('HDEL', KEYS[1], 'stored:' .. old, 'adapter:' .. old, 'report:' .. old,
             'fitted:' .. old)
end
redis.call('DEL', KEYS[2])
redis.call('LPUSH', KEYS[3], ARGV[8])
redis.call('LTRIM', KEYS[3], 0, 49)
return 1
