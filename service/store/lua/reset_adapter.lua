-- Drop a site's adapters (every base model's) and stop a fit in progress from storing one: the
-- site is scored by the shipped model until it has REFIT labels more than now, or, with ARGV[2]
-- '1' (some of its labels were erased), until its next fit, due at once.
-- KEYS: adapt, adapt_lock, adapt_fits (the site's)
-- ARGV: record JSON, refit ('1' or '0')
local labels = redis.call('HGET', KEYS[1], 'labels') or '0'
if ARGV[2] == '1' then labels = '0' end
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local base = string.match(field, '^stored:(.+)$')
  if base then
    redis.call('HDEL', KEYS[1], 'adapter:' .. base, 'report:' .. base, 'stored:' .. base)
    redis.call('HSET', KEYS[1], 'fitted:' .. base, labels)
    redis.call('HINCRBY', KEYS[1], 'generation:' .. base, 1)
  end
end
redis.call('HSET', KEYS[1], 'reset_labels', labels)
-- A fit in progress keeps the lock, so that no second fit of the site starts beside it, but
-- loses its token: it stores nothing, and its release (renew_fit_lock.lua) frees the lock.
local holder = redis.call('GET', KEYS[2])
if holder and not string.find(holder, '^reset:') then
  redis.call('SET', KEYS[2], 'reset:' .. holder, 'KEEPTTL')
end
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], 0, 49)
return 1
