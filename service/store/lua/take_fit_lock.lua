-- Take the one lock a site's adapter fit runs under, with a fencing token: each taking gets a
-- larger token, and only the holder of the current one may store what it fitted.
-- KEYS: adapt_lock, adapt (the site's)
-- ARGV: lock milliseconds
-- Returns the token, or false while another fit holds the lock.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
