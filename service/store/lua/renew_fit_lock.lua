-- Keep a running fit's lock (ARGV[2] milliseconds more), or release it (ARGV[2] = 0), only if
-- the caller still holds it (its token, ARGV[1], is the lock's).
-- KEYS: adapt_lock (the site's)
-- Returns 1 when the caller held the lock, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return 1
