-- A reader's report on a comment, atomically: one per reporter per comment counts, and the
-- report that brings a published comment to the site's threshold sends it back to the queue
-- (pending, reason reader_reports) and writes the site's webhook delivery, in the same script,
-- so that however many reports arrive at once, exactly one crosses the threshold. A comment a
-- moderator has decided is not sent back: their decision stands; its reports are kept. The
-- comment notes the delivery, so that erasing it finds it.
-- Answers {'unknown'}, or {'repeated' | 'counted' | 'held', reports counted, status}.
-- Arguments: scripts.REPORT.
local comment_key = KEYS[1]
local reports_key = KEYS[2]
local reporter_key = KEYS[3]
local pending_key = KEYS[4]
local counts_key = KEYS[5]
local history_key = KEYS[6]
local retention_key = KEYS[7]
local approved_authors_key = KEYS[8]
local approved_counts_key = KEYS[9]
local webhook_due_key = KEYS[10]
local webhook_delivery_key = KEYS[11]
local comment_id = ARGV[1]
local reporter = ARGV[2]  -- the reporter's keyed hash
local report_json = ARGV[3]  -- {reason, note, at}
local reason = ARGV[4]  -- abuse / spam / other
local now = ARGV[5]
local threshold = tonumber(ARGV[6])
local reason_json = ARGV[7]  -- the reader_reports reason, in the site's language
local history_json = ARGV[8]
local webhook_json = ARGV[9]  -- '' for no webhook; the comment's post_id is added here
local site = ARGV[10]
local delivery_id = ARGV[11]

local status = redis.call('HGET', comment_key, 'status')
if not status then return {'unknown'} end
if redis.call('HSETNX', reports_key, reporter, report_json) == 0 then
  return {'repeated', redis.call('HGET', comment_key, 'report_count') or '0', status}
end
redis.call('ZADD', reporter_key, now, comment_id)
local count = redis.call('HINCRBY', comment_key, 'report_count', 1)
redis.call('HINCRBY', comment_key, 'report_' .. reason, 1)
if status ~= 'approved' or count < threshold
    or redis.call('HEXISTS', comment_key, 'decision') == 1
    or redis.call('HEXISTS', comment_key, 'reports_held_at') == 1 then
  return {'counted', count, status}
end

-- Back to the queue. An audit item (approved, sampled into the queue) is held like any other.
redis.call('HSET', comment_key, 'status', 'pending', 'reports_held_at', now)
redis.call('HDEL', comment_key, 'audit', 'audit_rate')
local reasons = redis.call('HGET', comment_key, 'reasons') or '[]'
-- reasons is a JSON array: the new reason goes first without decoding the rest
local rest = string.match(reasons, '^%s*%[%s*(.-)%s*$')
if rest == nil or rest == ']' or rest == '' then
  reasons = '[' .. reason_json .. ']'
else
  reasons = '[' .. reason_json .. ',' .. rest
end
redis.call('HSET', comment_key, 'reasons', reasons)
redis.call('HINCRBY', counts_key, 'approved', -1)
redis.call('HINCRBY', counts_key, 'pending', 1)
redis.call('ZADD', pending_key, redis.call('HGET', comment_key, 'created_at') or now, comment_id)
redis.call('ZREM', retention_key, comment_id)  -- held comments are never swept
local author = redis.call('HGET', comment_key, 'author_key')
if author and redis.call('HINCRBY', approved_counts_key, author, -1) <= 0 then
  redis.call('HDEL', approved_counts_key, author)
  redis.call('SREM', approved_authors_key, author)
end
redis.call('RPUSH', history_key, history_json)
if webhook_json ~= '' then
  local body = cjson.decode(webhook_json)
  body.post_id = redis.call('HGET', comment_key, 'post_id') or ''
  redis.call('HSET', webhook_delivery_key, 'site', site, 'body', cjson.encode(body), 'attempts', 0)
  redis.call('ZADD', webhook_due_key, now, delivery_id)
  local known = redis.call('HGET', comment_key, 'deliveries')
  redis.call('HSET', comment_key, 'deliveries', known and (known .. ' ' .. delivery_id) or delivery_id)
end
return {'held', count, 'pending'}
