-- Drop a site's adapters (every base model's) and stop a fit in progress from storing one: the
-- site is scored by the shipped model until it has REFIT labels more than now, or, with refit
-- '1' (some of its labels were erased), until its next fit, due at once.
-- Arguments: scripts.RESET_ADAPTER (the keys the site's).
local adapt_key = KEYS[1]
local adapt_lock_key = KEYS[2]
local adapt_fits_key = KEYS[3]
local record_json = ARGV[1]
local refit = ARGV[2]  -- '1' or '0'

local labels = redis.call('HGET', adapt_key, 'labels') or '0'
if refit == '1' then labels = '0' end
for _, field in ipairs(redis.call('HKEYS', adapt_key)) do
  local base = string.match(field, '^stored:(.+)$')
  if base then
    redis.call('HDEL', adapt_key, 'adapter:' .. base, 'report:' .. base, 'stored:' .. base)
    redis.call('HSET', adapt_key, 'fitted:' .. base, labels)
    redis.call('HINCRBY', adapt_key, 'generation:' .. base, 1)
  end
end
redis.call('HSET', adapt_key, 'reset_labels', labels)
-- A fit in progress keeps the lock, so that no second fit of the site starts beside it, but
-- loses its token: it stores nothing, and its release (renew_fit_lock.lua) frees the lock.
local holder = redis.call('GET', adapt_lock_key)
if holder and not string.find(holder, '^reset:') then
  redis.call('SET', adapt_lock_key, 'reset:' .. holder, 'KEEPTTL')
end
redis.call('LPUSH', adapt_fits_key, record_json)
redis.call('LTRIM', adapt_fits_key, 0, 49)
return 1
