-- Erase comments of one reader on one site, and everything made from them, atomically: the
-- comment and its history, its labels (XDEL), the link from its audit entries to it (the
-- entries themselves keep who decided what and when), its webhook deliveries, its idempotency,
-- duplicate and flood markers; once the reader has no comment left, their keyed hash in the
-- previously-approved set, their flood marker and IP list. Labels filed under the reader with
-- no stored comment (Akismet's submit-spam) go too. Counts, queue and leases stay true.
-- KEYS: reader, reader_ips, approved_authors, flood_author, pending, leases, counts, labels,
--       audit_details, webhook_due, webhook_dead, retention, approved_counts, reader_labels,
--       site_comments, then 4 per comment: comment, history, idem, dup (the site's `absent` key for none),
--       then one per delivery, then one IP flood marker per IP hash
-- ARGV: author_key, n comments, m deliveries, k IP hashes, then the n comment ids, the m
--       delivery ids and the k IP hashes, in the order of their keys.
-- Every key touched must be in KEYS, and the caller read them from the comments just before:
-- if a comment gained a delivery, or the reader an IP, since, nothing is written and the
-- answer is {'stale'}, so the caller reads again. Else {'done', comments erased, labels
-- removed, audit entries unlinked, deliveries removed, comments of the reader left}.
local author = ARGV[1]
local n, m, k = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local FIXED = 15
local first_delivery, first_ip = 4 + n, 4 + n + m
local delivery_key, ip_key = {}, {}
for j = 1, m do delivery_key[ARGV[first_delivery + j]] = KEYS[FIXED + 4 * n + j] end
for j = 1, k do ip_key[ARGV[first_ip + j]] = KEYS[FIXED + 4 * n + m + j] end
local function words(text)
  local found = {}
  for word in string.gmatch(text or '', '%S+') do found[#found + 1] = word end
  return found
end

for _, ip in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not ip_key[ip] then return {'stale'} end
end
for i = 1, n do
  local comment = KEYS[FIXED + 4 * (i - 1) + 1]
  for _, delivery in ipairs(words(redis.call('HGET', comment, 'deliveries'))) do
    if not delivery_key[delivery] then return {'stale'} end
  end
end

local erased, labels, decisions, deliveries = 0, 0, 0, 0
local gone = {}
for _, entry in ipairs(redis.call('ZRANGE', KEYS[14], 0, -1)) do
  labels = labels + redis.call('XDEL', KEYS[8], entry)
  redis.call('ZREM', KEYS[12], 'label:' .. author .. ':' .. entry)
end
redis.call('DEL', KEYS[14])
for i = 1, n do
  local id = ARGV[4 + i]
  local base = FIXED + 4 * (i - 1)
  local comment, history, idem, dup = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3],
                                      KEYS[base + 4]
  local data = redis.call('HMGET', comment, 'status', 'author_key', 'label_entries',
                          'audit_entries', 'deliveries', 'site_comment_id')
  if data[1] and data[2] == author then
    redis.call('ZREM', KEYS[5], id)
    redis.call('ZREM', KEYS[6], id)
    redis.call('HINCRBY', KEYS[7], data[1], -1)
    if data[1] == 'approved' then redis.call('HINCRBY', KEYS[13], author, -1) end
    for _, entry in ipairs(words(data[3])) do
      labels = labels + redis.call('XDEL', KEYS[8], entry)
    end
    for _, entry in ipairs(words(data[4])) do
      decisions = decisions + redis.call('HDEL', KEYS[9], entry)
    end
    for _, delivery in ipairs(words(data[5])) do
      deliveries = deliveries + redis.call('DEL', delivery_key[delivery])
      redis.call('ZREM', KEYS[10], delivery)
      redis.call('LREM', KEYS[11], 0, delivery)
    end
    redis.call('DEL', idem)
    if redis.call('GET', dup) == id then redis.call('DEL', dup) end
    -- the site's id no longer finds it: a reply to it shows its parent as removed
    if data[6] and data[6] ~= '' and redis.call('HGET', KEYS[15], data[6]) == id then
      redis.call('HDEL', KEYS[15], data[6])
    end
    redis.call('ZREM', KEYS[12], id)
    redis.call('DEL', comment, history)
    gone[id] = true
    erased = erased + 1
  end
  -- gone already, or (never by intake) another reader's: either way not in this index
  redis.call('ZREM', KEYS[1], id)
end

for _, marker in pairs(ip_key) do
  local holder = redis.call('GET', marker)
  if holder and gone[holder] then redis.call('DEL', marker) end
end
local left = redis.call('ZCARD', KEYS[1])
if left == 0 then
  redis.call('SREM', KEYS[3], author)
  redis.call('HDEL', KEYS[13], author)
  redis.call('DEL', KEYS[2], KEYS[4])
else
  local holder = redis.call('GET', KEYS[4])
  if holder and gone[holder] then redis.call('DEL', KEYS[4]) end
end
return {'done', erased, labels, decisions, deliveries, left}
