-- Record a moderator's decision, atomically: exactly one decision wins, and its audit entry,
-- labels and webhook delivery are written with it or not at all. The comment notes the ids of
-- what was made from it (labels, audit entry, delivery), so that erasing it finds them.
-- A held comment takes the decision's status. An audit item (an approved comment sampled into
-- the queue, already published) keeps its status when approved, so nothing is sent; rejected
-- or marked spam, it takes that status and the site's webhook is told, as for any decision.
-- Arguments: scripts.DECIDE (every key the comment's site's).
local comment_key = KEYS[1]
local history_key = KEYS[2]
local pending_key = KEYS[3]
local leases_key = KEYS[4]
local counts_key = KEYS[5]
local audit_key = KEYS[6]
local labels_key = KEYS[7]
local webhook_due_key = KEYS[8]
local webhook_delivery_key = KEYS[9]
local approved_authors_key = KEYS[10]
local audit_details_key = KEYS[11]
local retention_key = KEYS[12]
local approved_counts_key = KEYS[13]
local adapt_key = KEYS[14]
local outcomes_key = KEYS[15]
local author_record_key = KEYS[16]  -- the site's `absent` key for a comment with no record
local comment_id = ARGV[1]
local moderator = ARGV[2]
local new_status = ARGV[3]
local decision_json = ARGV[4]
local decided_at = ARGV[5]
local history_json = ARGV[6]
local audit_json = ARGV[7]  -- who, what, when
local labels_json = ARGV[8]  -- an array of [task, label]
local webhook_body = ARGV[9]  -- '' for no webhook
local site = ARGV[10]
local text = ARGV[11]
local source = ARGV[12]
local delivery_id = ARGV[13]
local audit_details_json = ARGV[14]  -- comment id, reason, scores
local decision = ARGV[15]  -- approve / reject / spam
local author_recorded = ARGV[16]  -- '1': the comment's author has a record (an email)
local now = tonumber(decided_at)

local status = redis.call('HGET', comment_key, 'status')
if not status then return {'unknown', ''} end
local audit_item = status == 'approved' and redis.call('HGET', comment_key, 'audit') == 'pending'
if status ~= 'pending' and not audit_item then
  local first = redis.call('HGET', comment_key, 'decision') or ''
  -- The same moderator's same decision sent again (a retry after a 503 or a lost answer) is
  -- the decision made: it is answered as such. Writing back the status it has makes this call
  -- a write, so that the WAIT after it confirms the decision reached a replica.
  local ok, made = pcall(cjson.decode, first)
  if ok and type(made) == 'table' and made.moderator == moderator
      and made.decision == decision then
    redis.call('HSET', comment_key, 'status', status)
    return {'repeated', first}
  end
  return {'decided', first}
end
local lease = redis.call('ZSCORE', leases_key, comment_id)
if lease and tonumber(lease) > now then
  local holder = redis.call('HGET', comment_key, 'lease_moderator')
  if holder and holder ~= moderator then return {'claimed', holder, lease} end
end
local function note(field, id)
  local known = redis.call('HGET', comment_key, field)
  redis.call('HSET', comment_key, field, known and (known .. ' ' .. id) or id)
end
local changes = new_status ~= status
redis.call('HSET', comment_key, 'status', new_status, 'decision', decision_json)
redis.call('HDEL', comment_key, 'lease_moderator', 'lease_expires_at')
if audit_item then redis.call('HSET', comment_key, 'audit', 'decided') end
redis.call('RPUSH', history_key, history_json)
redis.call('ZREM', pending_key, comment_id)
redis.call('ZREM', leases_key, comment_id)
if changes then
  redis.call('HINCRBY', counts_key, status, -1)
  redis.call('HINCRBY', counts_key, new_status, 1)
end
if new_status == 'approved' and status ~= 'approved' then
  local author = redis.call('HGET', comment_key, 'author_key')
  if author then
    redis.call('SADD', approved_authors_key, author)
    redis.call('HINCRBY', approved_counts_key, author, 1)
  end
end
if status == 'approved' and changes then
  -- an audit item taken down: its author has one approved comment fewer
  local author = redis.call('HGET', comment_key, 'author_key')
  if author and redis.call('HINCRBY', approved_counts_key, author, -1) <= 0 then
    redis.call('HDEL', approved_counts_key, author)
    redis.call('SREM', approved_authors_key, author)
  end
end
-- decided: from now on the site's retention applies (by arrival time, as at intake)
redis.call('ZADD', retention_key, redis.call('HGET', comment_key, 'created_at') or decided_at,
           comment_id)
local audit_entry = redis.call('XADD', audit_key, '*', 'record', audit_json)
redis.call('HSET', audit_details_key, audit_entry, audit_details_json)
note('audit_entries', audit_entry)
local labels = cjson.decode(labels_json)
local audit_rate = audit_item and (redis.call('HGET', comment_key, 'audit_rate') or '') or ''
for _, label in ipairs(labels) do
  note('label_entries', redis.call(
    'XADD', labels_key, '*', 'text', text, 'task', label[1], 'label', tostring(label[2]),
    'source', source, 'comment_id', comment_id, 'site', site, 'audit_rate', audit_rate))
end
redis.call('HINCRBY', adapt_key, 'labels', #labels)
local day = math.floor(now / 86400)
redis.call('HINCRBY', outcomes_key,
           day .. ':' .. (audit_item and 'audit' or 'held') .. ':' .. decision, 1)
if webhook_body ~= '' and changes then
  redis.call('HSET', webhook_delivery_key, 'site', site, 'body', webhook_body, 'attempts', 0)
  redis.call('ZADD', webhook_due_key, decided_at, delivery_id)
  note('deliveries', delivery_id)
end
if author_recorded == '1' then  -- the author's rejection streak, for hold-after-rejections
  if decision == 'approve' then
    redis.call('HDEL', author_record_key, 'rejected_streak')
  else
    redis.call('HINCRBY', author_record_key, 'rejected_streak', 1)
  end
end
return {'decided_now', decision_json}
