-- A delivery attempt failed: schedule the next one, or dead-letter it. A delivery erased
-- meanwhile (its comment's reader asked for erasure) stays gone: nothing is written back.
-- Arguments: scripts.DELIVERY_FAILED.
local webhook_delivery_key = KEYS[1]
local webhook_due_key = KEYS[2]
local webhook_dead_key = KEYS[3]
local delivery_id = ARGV[1]
local retry_at = ARGV[2]  -- '' to give up
local last_error = ARGV[3]

if redis.call('EXISTS', webhook_delivery_key) == 0 then
  redis.call('ZREM', webhook_due_key, delivery_id)
  return 0
end
redis.call('HINCRBY', webhook_delivery_key, 'attempts', 1)
redis.call('HSET', webhook_delivery_key, 'last_error', last_error)
if retry_at == '' then
  redis.call('ZREM', webhook_due_key, delivery_id)
  redis.call('RPUSH', webhook_dead_key, delivery_id)
else
  redis.call('ZADD', webhook_due_key, retry_at, delivery_id)
end
return 1
