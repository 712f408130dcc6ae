-- The retention sweep over some of one site's decided comments: each one that arrived before
-- the cutoff loses its personal fields (text, name, website, reader hash, the digests naming
-- its duplicate and idempotency markers, which go too) and its reasons' wording, and leaves
-- its reader's index; a reader left with no approved comment holding personal fields leaves
-- the previously-approved set (as WordPress forgets it once their comments are anonymised).
-- A comment in the queue (held, or queued again) is never touched: it is looked at again at
-- `revisit`. Labels and the audit are not touched: they hold no name or reader hash; a label
-- filed under its reader (no stored comment) stays, its link to the reader goes.
-- KEYS: retention, pending, approved_authors, approved_counts, then 4 per comment: comment,
--       reader, dup, idem
--       (reader, dup and idem are the site's `absent` key when the comment names none)
--       then one reader_labels key per label link
-- ARGV: now, cutoff, revisit, n, then 3 per comment: id, author_key as read ('' for none),
--       its reasons with their wording removed (JSON), then m, then 2 per label link: its
--       member in the retention set, the label's entry id
-- A comment whose author_key changed since it was read is left for the next sweep.
-- Returns how many comments and label links were swept.
local now, cutoff, revisit = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local n = tonumber(ARGV[4])
local swept = 0
for i = 1, n do
  local id, author, reasons = ARGV[4 + 3 * i - 2], ARGV[4 + 3 * i - 1], ARGV[4 + 3 * i]
  local base = 4 + 4 * (i - 1)
  local comment, reader, dup, idem = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3],
                                     KEYS[base + 4]
  local arrived = redis.call('ZSCORE', KEYS[1], id)
  if arrived and tonumber(arrived) <= cutoff then
    local data = redis.call('HMGET', comment, 'status', 'author_key')
    if not data[1] then
      redis.call('ZREM', KEYS[1], id)
    elseif data[1] == 'pending' or redis.call('ZSCORE', KEYS[2], id) then
      redis.call('ZADD', KEYS[1], revisit, id)
    elseif (data[2] or '') == author then
      if redis.call('GET', dup) == id then redis.call('DEL', dup) end
      redis.call('DEL', idem)
      redis.call('HDEL', comment, 'text', 'author', 'url', 'author_key', 'duplicate',
                 'idempotency')
      redis.call('HSET', comment, 'reasons', reasons, 'personal_data_removed_at', now)
      if author ~= '' then
        redis.call('ZREM', reader, id)
        if data[1] == 'approved' and redis.call('HINCRBY', KEYS[4], author, -1) <= 0 then
          redis.call('HDEL', KEYS[4], author)
          redis.call('SREM', KEYS[3], author)
        end
      end
      redis.call('ZREM', KEYS[1], id)
      swept = swept + 1
    end
  end
end
local m = tonumber(ARGV[5 + 3 * n])
for j = 1, m do
  local member, entry = ARGV[5 + 3 * n + 2 * j - 1], ARGV[5 + 3 * n + 2 * j]
  local filed = redis.call('ZSCORE', KEYS[1], member)
  if filed and tonumber(filed) <= cutoff then
    redis.call('ZREM', KEYS[4 + 4 * n + j], entry)
    redis.call('ZREM', KEYS[1], member)
    swept = swept + 1
  end
end
return swept
