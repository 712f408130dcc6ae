-- Record a moderator's decision, atomically: exactly one decision wins, and its audit entry,
-- labels and webhook delivery are written with it or not at all. The comment notes the ids of
-- what was made from it (labels, audit entry, delivery), so that erasing it finds them.
-- A held comment takes the decision's status. An audit item (an approved comment sampled into
-- the queue, already published) keeps its status when approved, so nothing is sent; rejected
-- or marked spam, it takes that status and the site's webhook is told, as for any decision.
-- KEYS: comment, history, pending, leases, counts, audit, labels, webhook_due,
--       webhook_delivery, approved_authors, audit_details, retention, approved_counts, adapt,
--       outcomes (all the comment's site's)
-- ARGV: comment_id, moderator, status, decision_json, now, history_json, audit_json (who,
--       what, when), labels_json (array of [task, label]), webhook_body ('' for no webhook),
--       site, text, source, delivery_id, audit_details_json (comment id, reason, scores),
--       decision (approve / reject / spam)
local comment = KEYS[1]
local status = redis.call('HGET', comment, 'status')
if not status then return {'unknown', ''} end
local audit_item = status == 'approved' and redis.call('HGET', comment, 'audit') == 'pending'
if status ~= 'pending' and not audit_item then
  local first = redis.call('HGET', comment, 'decision') or ''
  -- The same moderator's same decision sent again (a retry after a 503 or a lost answer) is
  -- the decision made: it is answered as such. Writing back the status it has makes this call
  -- a write, so that the WAIT after it confirms the decision reached a replica.
  local ok, made = pcall(cjson.decode, first)
  if ok and type(made) == 'table' and made.moderator == ARGV[2] and made.decision == ARGV[15] then
    redis.call('HSET', comment, 'status', status)
    return {'repeated', first}
  end
  return {'decided', first}
end
local now = tonumber(ARGV[5])
local lease = redis.call('ZSCORE', KEYS[4], ARGV[1])
if lease and tonumber(lease) > now then
  local holder = redis.call('HGET', comment, 'lease_moderator')
  if holder and holder ~= ARGV[2] then return {'claimed', holder, lease} end
end
local function note(field, id)
  local known = redis.call('HGET', comment, field)
  redis.call('HSET', comment, field, known and (known .. ' ' .. id) or id)
end
local changes = ARGV[3] ~= status
redis.call('HSET', comment, 'status', ARGV[3], 'decision', ARGV[4])
redis.call('HDEL', comment, 'lease_moderator', 'lease_expires_at')
if audit_item then redis.call('HSET', comment, 'audit', 'decided') end
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
if changes then
  redis.call('HINCRBY', KEYS[5], status, -1)
  redis.call('HINCRBY', KEYS[5], ARGV[3], 1)
end
if ARGV[3] == 'approved' and status ~= 'approved' then
  local author = redis.call('HGET', comment, 'author_key')
  if author then
    redis.call('SADD', KEYS[10], author)
    redis.call('HINCRBY', KEYS[13], author, 1)
  end
end
if status == 'approved' and changes then
  -- an audit item taken down: its author has one approved comment fewer
  local author = redis.call('HGET', comment, 'author_key')
  if author and redis.call('HINCRBY', KEYS[13], author, -1) <= 0 then
    redis.call('HDEL', KEYS[13], author)
    redis.call('SREM', KEYS[10], author)
  end
end
-- decided: from now on the site's retention applies (by arrival time, as at intake)
redis.call('ZADD', KEYS[12], redis.call('HGET', comment, 'created_at') or ARGV[5], ARGV[1])
local audit_entry = redis.call('XADD', KEYS[6], '*', 'record', ARGV[7])
redis.call('HSET', KEYS[11], audit_entry, ARGV[14])
note('audit_entries', audit_entry)
local labels = cjson.decode(ARGV[8])
local audit_rate = audit_item and (redis.call('HGET', comment, 'audit_rate') or '') or ''
for _, label in ipairs(labels) do
  note('label_entries', redis.call(
    'XADD', KEYS[7], '*', 'text', ARGV[11], 'task', label[1], 'label', tostring(label[2]),
    'source', ARGV[12], 'comment_id', ARGV[1], 'site', ARGV[10], 'audit_rate', audit_rate))
end
redis.call('HINCRBY', KEYS[14], 'labels', #labels)
local day = math.floor(now / 86400)
redis.call('HINCRBY', KEYS[15], day .. ':' .. (audit_item and 'audit' or 'held') .. ':' .. ARGV[15], 1)
if ARGV[9] ~= '' and changes then
  redis.call('HSET', KEYS[9], 'site', ARGV[10], 'body', ARGV[9], 'attempts', 0)
  redis.call('ZADD', KEYS[8], ARGV[5], ARGV[13])
  note('deliveries', ARGV[13])
end
return {'decided_now', ARGV[4]}
