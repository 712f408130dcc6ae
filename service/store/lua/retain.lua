-- The retention sweep over some of one site's decided comments: each one that arrived before
-- the cutoff loses its personal fields (text, name, website, reader hash, the digests naming
-- its duplicate and idempotency markers, which go too) and its reasons' wording, and leaves
-- its reader's index; a reader left with no approved comment holding personal fields leaves
-- the previously-approved set (as WordPress forgets it once their comments are anonymised).
-- A comment in the queue (held, or queued again) is never touched: it is looked at again at
-- `revisit`. Labels and the audit are not touched: they hold no name or reader hash; a label
-- filed under its reader (no stored comment) stays, its link to the reader goes.
-- A swept comment ends its reader's run of rejected comments (authors.py), which counted
-- it; a reader left with no comment holding personal fields leaves the author records too:
-- of what moderators did to them only a restriction still in force stays (its kind and end,
-- as after erasure), and their action history goes.
-- Arguments: scripts.RETAIN.
-- A comment whose author_key changed since it was read is left for the next sweep.
-- Returns how many comments and label links were swept.
local retention_key = KEYS[1]
local pending_key = KEYS[2]
local approved_authors_key = KEYS[3]
local approved_counts_key = KEYS[4]
-- then 5 per comment: comment, reader, duplicate, idempotency, author record (reader,
-- duplicate, idempotency and author record are the site's `absent` key when the comment
-- names none), then one reader_labels key per label link
local FIXED_KEYS = 4
local now = ARGV[1]
local cutoff = tonumber(ARGV[2])
local revisit = ARGV[3]
local comment_count = tonumber(ARGV[4])
local link_count = tonumber(ARGV[5])
-- then 3 per comment: id, author_key as read ('' for none), its reasons with their wording
-- removed (JSON); then 2 per label link: its member in the retention set, the label's entry id
local FIXED_ARGS = 5

local n = comment_count
local swept = 0
for i = 1, n do
  local at = FIXED_ARGS + 3 * (i - 1)
  local id, author, reasons = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local base = FIXED_KEYS + 5 * (i - 1)
  local comment, reader, dup, idem = KEYS[base + 1], KEYS[base + 2], KEYS[base + 3],
                                     KEYS[base + 4]
  local author_record = KEYS[base + 5]
  local arrived = redis.call('ZSCORE', retention_key, id)
  if arrived and tonumber(arrived) <= cutoff then
    local data = redis.call('HMGET', comment, 'status', 'author_key')
    if not data[1] then
      redis.call('ZREM', retention_key, id)
    elseif data[1] == 'pending' or redis.call('ZSCORE', pending_key, id) then
      redis.call('ZADD', retention_key, revisit, id)
    elseif (data[2] or '') == author then
      if redis.call('GET', dup) == id then redis.call('DEL', dup) end
      redis.call('DEL', idem)
      -- the campaign signature (a MinHash of the text) goes with the text
      redis.call('HDEL', comment, 'text', 'author', 'url', 'author_key', 'duplicate',
                 'idempotency', 'campaign_sig')
      redis.call('HSET', comment, 'reasons', reasons, 'personal_data_removed_at', now)
      if author ~= '' then
        redis.call('ZREM', reader, id)
        if data[1] == 'approved'
            and redis.call('HINCRBY', approved_counts_key, author, -1) <= 0 then
          redis.call('HDEL', approved_counts_key, author)
          redis.call('SREM', approved_authors_key, author)
        end
        -- their run of rejected comments counted decided comments like this one
        redis.call('HDEL', author_record, 'rejected_streak')
        if redis.call('ZCARD', reader) == 0 then
          local kept = redis.call('HMGET', author_record, 'restriction', 'until')
          redis.call('DEL', author_record)
          if kept[1] and (not kept[2] or kept[2] == '' or tonumber(kept[2]) > tonumber(now)) then
            redis.call('HSET', author_record, 'restriction', kept[1], 'until', kept[2] or '')
          end
        end
      end
      redis.call('ZREM', retention_key, id)
      swept = swept + 1
    end
  end
end
for j = 1, link_count do
  local at = FIXED_ARGS + 3 * n + 2 * (j - 1)
  local member, entry = ARGV[at + 1], ARGV[at + 2]
  local filed = redis.call('ZSCORE', retention_key, member)
  if filed and tonumber(filed) <= cutoff then
    redis.call('ZREM', KEYS[FIXED_KEYS + 5 * n + j], entry)
    redis.call('ZREM', retention_key, member)
    swept = swept + 1
  end
end
return swept
