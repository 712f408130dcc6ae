-- Keep one training label in its site's stream. A label made from a comment is noted on the
-- comment, so that erasing the comment finds it, and is never written once the comment is gone.
-- KEYS: labels, comment (the site's `absent` key for a label made from no stored comment),
--       adapt (the site's adapter state: its label count grows with the stream)
-- ARGV: comment_id ('' for none), then the entry's field/value pairs
-- Returns the entry id, or false when the comment is gone.
local comment_id = ARGV[1]
if comment_id ~= '' and redis.call('EXISTS', KEYS[2]) == 0 then return false end
local entry = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
redis.call('HINCRBY', KEYS[3], 'labels', 1)
if comment_id ~= '' then
  local known = redis.call('HGET', KEYS[2], 'label_entries')
  redis.call('HSET', KEYS[2], 'label_entries', known and (known .. ' ' .. entry) or entry)
end
return entry
