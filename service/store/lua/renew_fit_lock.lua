-- Keep a running fit's lock (ARGV[2] milliseconds more), or release it (ARGV[2] = 0), only if
-- the caller still holds it (its token, ARGV[1], is the lock's). A fit whose adapter was reset
-- while it ran ('reset:' .. its token) can no longer renew, but its release still frees the lock.
-- KEYS: adapt_lock (the site's)
-- Returns 1 when the caller held the lock, else 0.
local held = redis.call('GET', KEYS[1])
if held == 'reset:' .. ARGV[1] and tonumber(ARGV[2]) == 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
if held ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return 1
