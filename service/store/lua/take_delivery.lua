-- Take one due webhook delivery of a site and push its due time forward by a lease, so that no
-- other deliverer (in this instance or another) takes it meanwhile, and one that dies
-- mid-attempt only delays the retry.
-- KEYS: webhook_due. ARGV: now, lease_seconds. Returns the delivery id, or false.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), due[1])
return due[1]
