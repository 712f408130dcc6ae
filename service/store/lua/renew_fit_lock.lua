-- Keep a running fit's lock (lock_ms milliseconds more), or release it (lock_ms = 0), only if
-- the caller still holds it (its token is the lock's). A fit whose adapter was reset while it
-- ran ('reset:' .. its token) can no longer renew, but its release still frees the lock.
-- Arguments: scripts.RENEW_FIT_LOCK.
-- Returns 1 when the caller held the lock, else 0.
local adapt_lock_key = KEYS[1]  -- the site's
local token = ARGV[1]
local lock_ms = ARGV[2]

local held = redis.call('GET', adapt_lock_key)
if held == 'reset:' .. token and tonumber(lock_ms) == 0 then
  redis.call('DEL', adapt_lock_key)
  return 0
end
if held ~= token then return 0 end
if tonumber(lock_ms) > 0 then
  redis.call('PEXPIRE', adapt_lock_key, lock_ms)
else
  redis.call('DEL', adapt_lock_key)
end
return 1
