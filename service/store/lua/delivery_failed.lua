-- A delivery attempt failed: schedule the next one, or dead-letter it. A delivery erased
-- meanwhile (its comment's reader asked for erasure) stays gone: nothing is written back.
-- KEYS: webhook_delivery, webhook_due, webhook_dead
-- ARGV: delivery_id, retry_at ('' to give up), error
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'last_error', ARGV[3])
if ARGV[2] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('RPUSH', KEYS[3], ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
return 1
