-- Erase comments of one reader on one site, and everything made from them, atomically: the
-- comment and its history, its labels (XDEL), the link from its audit entries to it (the
-- entries themselves keep who decided what and when), its webhook deliveries, its idempotency,
-- duplicate and flood markers; once the reader has no comment left, their keyed hash in the
-- previously-approved set, their flood marker and IP list. Labels filed under the reader with
-- no stored comment (Akismet's submit-spam) go too. Counts, queue and leases stay true.
-- Arguments: scripts.ERASE.
-- Every key touched must be in KEYS, and the caller read them from the comments just before:
-- if a comment gained a delivery, or the reader an IP, since, nothing is written and the
-- answer is {'stale'}, so the caller reads again. Else {'done', comments erased, labels
-- removed, audit entries unlinked, deliveries removed, comments of the reader left}.
local reader_key = KEYS[1]
local reader_ips_key = KEYS[2]
local approved_authors_key = KEYS[3]
local author_flood_key = KEYS[4]
local pending_key = KEYS[5]
local leases_key = KEYS[6]
local counts_key = KEYS[7]
local labels_key = KEYS[8]
local audit_details_key = KEYS[9]
local webhook_due_key = KEYS[10]
local webhook_dead_key = KEYS[11]
local retention_key = KEYS[12]
local approved_counts_key = KEYS[13]
local reader_labels_key = KEYS[14]
local site_comments_key = KEYS[15]  -- the site's own comment ids -> Hakam's
-- then 4 per comment: comment, history, idempotency, duplicate (the site's `absent` key for
-- none), then one per delivery, then one IP flood marker per IP hash
local FIXED_KEYS = 15
local author_key = ARGV[1]
local comment_count = tonumber(ARGV[2])
local delivery_count = tonumber(ARGV[3])
local ip_count = tonumber(ARGV[4])
-- then the comment ids, the delivery ids and the IP hashes, in the order of their keys
local FIXED_ARGS = 4

local n, m, k = comment_count, delivery_count, ip_count
local first_delivery, first_ip = FIXED_ARGS + n, FIXED_ARGS + n + m
local delivery_key, ip_key = {}, {}
for j = 1, m do delivery_key[ARGV[first_delivery + j]] = KEYS[FIXED_KEYS + 4 * n + j] end
for j = 1, k do ip_key[ARGV[first_ip + j]] = KEYS[FIXED_KEYS + 4 * n + m + j] end
local function words(text)
  local found = {}
  for word in string.gmatch(text or '', '%S+') do found[#found + 1] = word end
  return found
end

for _, ip in ipairs(redis.call('SMEMBERS', reader_ips_key)) do
  if not ip_key[ip] then return {'stale'} end
end
for i = 1, n do
  local comment = KEYS[FIXED_KEYS + 4 * (i - 1) + 1]
  for _, delivery in ipairs(words(redis.call('HGET', comment, 'deliveries'))) do
    if not delivery_key[delivery] then return {'stale'} end
  end
end

local erased, labels, decisions, deliveries = 0, 0, 0, 0
local gone = {}
for _, entry in ipairs(redis.call('ZRANGE', reader_labels_key, 0, -1)) do
  labels = labels + redis.call('XDEL', labels_key, entry)
  redis.call('ZREM', retention_key, 'label:' .. author_key .. ':' .. entry)
end
redis.call('DEL', reader_labels_key)
for i = 1, n do
  local id = ARGV[FIXED_ARGS + i]
  local base = FIXED_KEYS + 4 * (i - 1)
  local comment, history, idem, dup = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3],
                                      KEYS[base + 4]
  local data = redis.call('HMGET', comment, 'status', 'author_key', 'label_entries',
                          'audit_entries', 'deliveries', 'site_comment_id')
  if data[1] and data[2] == author_key then
    redis.call('ZREM', pending_key, id)
    redis.call('ZREM', leases_key, id)
    redis.call('HINCRBY', counts_key, data[1], -1)
    if data[1] == 'approved' then redis.call('HINCRBY', approved_counts_key, author_key, -1) end
    for _, entry in ipairs(words(data[3])) do
      labels = labels + redis.call('XDEL', labels_key, entry)
    end
    for _, entry in ipairs(words(data[4])) do
      decisions = decisions + redis.call('HDEL', audit_details_key, entry)
    end
    for _, delivery in ipairs(words(data[5])) do
      deliveries = deliveries + redis.call('DEL', delivery_key[delivery])
      redis.call('ZREM', webhook_due_key, delivery)
      redis.call('LREM', webhook_dead_key, 0, delivery)
    end
    redis.call('DEL', idem)
    if redis.call('GET', dup) == id then redis.call('DEL', dup) end
    -- the site's id no longer finds it: a reply to it shows its parent as removed
    if data[6] and data[6] ~= '' and redis.call('HGET', site_comments_key, data[6]) == id then
      redis.call('HDEL', site_comments_key, data[6])
    end
    redis.call('ZREM', retention_key, id)
    redis.call('DEL', comment, history)
    gone[id] = true
    erased = erased + 1
  end
  -- gone already, or (never by intake) another reader's: either way not in this index
  redis.call('ZREM', reader_key, id)
end

for _, marker in pairs(ip_key) do
  local holder = redis.call('GET', marker)
  if holder and gone[holder] then redis.call('DEL', marker) end
end
local left = redis.call('ZCARD', reader_key)
if left == 0 then
  redis.call('SREM', approved_authors_key, author_key)
  redis.call('HDEL', approved_counts_key, author_key)
  redis.call('DEL', reader_ips_key, author_flood_key)
else
  local holder = redis.call('GET', author_flood_key)
  if holder and gone[holder] then redis.call('DEL', author_flood_key) end
end
return {'done', erased, labels, decisions, deliveries, left}
