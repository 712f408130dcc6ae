-- Store what a fit made, atomically, only if the fit still holds the site's lock (its fencing
-- token is the lock's): a fit whose lock ran out while it worked (stalled, or killed and
-- succeeded by another) stores nothing. Whatever happens before this script runs, the adapter
-- the site had stays in force.
-- Arguments: scripts.STORE_ADAPTER (the keys the site's).
local adapt_key = KEYS[1]
local adapt_lock_key = KEYS[2]
local adapt_fits_key = KEYS[3]
local token = ARGV[1]
local base = ARGV[2]  -- the base model's version
-- one more than the last: workers see a change by it
local generation = ARGV[3]
-- '' when the gate refused: the site then has no adapter on this base
local adapter_text = ARGV[4]
local report_json = ARGV[5]
local labels_at_start = ARGV[6]  -- labels counted when the fit began
local now = ARGV[7]
local fit_json = ARGV[8]  -- the fit's record
local keep_bases = tonumber(ARGV[9])  -- how many base versions to keep adapters for

if redis.call('GET', adapt_lock_key) ~= token then return 0 end
redis.call('HSET', adapt_key, 'fitted:' .. base, labels_at_start, 'report:' .. base,
           report_json, 'stored:' .. base, now, 'generation:' .. base, generation)
if adapter_text ~= '' then
  redis.call('HSET', adapt_key, 'adapter:' .. base, adapter_text)
else
  redis.call('HDEL', adapt_key, 'adapter:' .. base)
end
-- adapters of older base models go, but for the newest few (instances mid-upgrade use them)
local stored = {}
local fields = redis.call('HKEYS', adapt_key)
for _, field in ipairs(fields) do
  local other = string.match(field, '^stored:(.+)$')
  if other then
    stored[#stored + 1] = {other, tonumber(redis.call('HGET', adapt_key, field)) or 0}
  end
end
table.sort(stored, function(a, b) return a[2] > b[2] end)
for i = keep_bases + 1, #stored do
  local old = stored[i][1]
  -- its generation stays, so that a version string never names two adapters
  redis.call('HDEL', adapt_key, 'stored:' .. old, 'adapter:' .. old, 'report:' .. old,
             'fitted:' .. old)
end
redis.call('DEL', adapt_lock_key)
redis.call('LPUSH', adapt_fits_key, fit_json)
redis.call('LTRIM', adapt_fits_key, 0, 49)
return 1
