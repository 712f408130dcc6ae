-- Record a moderator's decision, atomically: exactly one decision wins, and its audit entry,
-- labels and webhook delivery are written with it or not at all.
-- KEYS: comment, history, pending, leases, counts, audit, labels, webhook_due,
--       webhook_delivery, approved_authors (all the comment's site's)
-- ARGV: comment_id, moderator, status, decision_json, now, history_json, audit_json,
--       labels_json (array of [task, label]), webhook_body ('' for no webhook), site, text,
--       source, delivery_id
local comment = KEYS[1]
local status = redis.call('HGET', comment, 'status')
if not status then return {'unknown', ''} end
if status ~= 'pending' then
  return {'decided', redis.call('HGET', comment, 'decision') or ''}
end
local now = tonumber(ARGV[5])
local lease = redis.call('ZSCORE', KEYS[4], ARGV[1])
if lease and tonumber(lease) > now then
  local holder = redis.call('HGET', comment, 'lease_moderator')
  if holder and holder ~= ARGV[2] then return {'claimed', holder, lease} end
end
redis.call('HSET', comment, 'status', ARGV[3], 'decision', ARGV[4])
redis.call('HDEL', comment, 'lease_moderator', 'lease_expires_at')
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], 'pending', -1)
redis.call('HINCRBY', KEYS[5], ARGV[3], 1)
if ARGV[3] == 'approved' then
  local author = redis.call('HGET', comment, 'author_key')
  if author then redis.call('SADD', KEYS[10], author) end
end
redis.call('XADD', KEYS[6], '*', 'record', ARGV[7])
for _, label in ipairs(cjson.decode(ARGV[8])) do
  redis.call('XADD', KEYS[7], '*', 'text', ARGV[11], 'task', label[1],
             'label', tostring(label[2]), 'source', ARGV[12], 'comment_id', ARGV[1],
             'site', ARGV[10])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[9], 'site', ARGV[10], 'body', ARGV[9], 'attempts', 0)
  redis.call('ZADD', KEYS[8], ARGV[5], ARGV[13])
end
return {'decided_now', ARGV[4]}
