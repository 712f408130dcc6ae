-- Keep one training label in its site's stream. A label made from a stored comment is noted on
-- the comment, so that erasing the comment finds it, and is never written once the comment is
-- gone. A label made from a reader's comment that Hakam does not store (Akismet's submit-spam
-- names the reader's email) is filed under the reader instead, and in the site's retention set
-- as `label:<author hash>:<entry id>`, so that erasure and the retention sweep find it.
-- Arguments: scripts.LABEL.
-- Returns the entry id, or false when the comment is gone.
local labels_key = KEYS[1]
local comment_key = KEYS[2]  -- the site's `absent` key for none
-- the site's adapter state: its label count grows with the stream
local adapt_key = KEYS[3]
local reader_labels_key = KEYS[4]  -- the site's `absent` key for none
local retention_key = KEYS[5]  -- the site's `absent` key when there is no reader
local comment_id = ARGV[1]  -- '' for none
local author_key = ARGV[2]  -- '' for none
local now = ARGV[3]
local FIXED_ARGS = 3  -- then field, value, … of the stream entry

if comment_id ~= '' and redis.call('EXISTS', comment_key) == 0 then return false end
local entry = redis.call('XADD', labels_key, '*', unpack(ARGV, FIXED_ARGS + 1))
redis.call('HINCRBY', adapt_key, 'labels', 1)
if comment_id ~= '' then
  local known = redis.call('HGET', comment_key, 'label_entries')
  redis.call('HSET', comment_key, 'label_entries', known and (known .. ' ' .. entry) or entry)
elseif author_key ~= '' then
  redis.call('ZADD', reader_labels_key, now, entry)
  redis.call('ZADD', retention_key, now, 'label:' .. author_key .. ':' .. entry)
end
return entry
