-- Take the one lock a site's adapter fit runs under, with a fencing token: each taking gets a
-- larger token, and only the holder of the current one may store what it fitted.
-- Arguments: scripts.TAKE_FIT_LOCK (the keys the site's).
-- Returns the token, or false while another fit holds the lock.
local adapt_lock_key = KEYS[1]
local adapt_key = KEYS[2]
local lock_ms = ARGV[1]

if redis.call('EXISTS', adapt_lock_key) == 1 then return false end
local token = redis.call('HINCRBY', adapt_key, 'fence', 1)
redis.call('SET', adapt_lock_key, token, 'PX', lock_ms)
return token
