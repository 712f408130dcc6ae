-- Take one due webhook delivery of a site and push its due time forward by a lease, so that no
-- other deliverer (in this instance or another) takes it meanwhile, and one that dies
-- mid-attempt only delays the retry.
-- Arguments: scripts.TAKE_DELIVERY. Returns the delivery id, or false.
local webhook_due_key = KEYS[1]
local now = ARGV[1]
local lease_seconds = ARGV[2]

local due = redis.call('ZRANGEBYSCORE', webhook_due_key, '-inf', now, 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', webhook_due_key, tonumber(now) + tonumber(lease_seconds), due[1])
return due[1]
