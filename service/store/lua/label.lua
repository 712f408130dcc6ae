-- Keep one training label in its site's stream. A label made from a stored comment is noted on
-- the comment, so that erasing the comment finds it, and is never written once the comment is
-- gone. A label made from a reader's comment that Hakam does not store (Akismet's submit-spam
-- names the reader's email) is filed under the reader instead, and in the site's retention set
-- as `label:<author hash>:<entry id>`, so that erasure and the retention sweep find it.
-- KEYS: labels, comment, adapt (the site's adapter state: its label count grows with the
--       stream), reader_labels, retention (the site's `absent` key for those not given)
-- ARGV: comment_id ('' for none), author_key ('' for none), now, then the entry's
--       field/value pairs
-- Returns the entry id, or false when the comment is gone.
local comment_id, author = ARGV[1], ARGV[2]
if comment_id ~= '' and redis.call('EXISTS', KEYS[2]) == 0 then return false end
local entry = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 4))
redis.call('HINCRBY', KEYS[3], 'labels', 1)
if comment_id ~= '' then
  local known = redis.call('HGET', KEYS[2], 'label_entries')
  redis.call('HSET', KEYS[2], 'label_entries', known and (known .. ' ' .. entry) or entry)
elseif author ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[3], entry)
  redis.call('ZADD', KEYS[5], ARGV[3], 'label:' .. author .. ':' .. entry)
end
return entry
