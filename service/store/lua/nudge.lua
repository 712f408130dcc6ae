-- File an open nudge (a comment answered 422 `nudge`), and count those left unanswered: in the
-- one round trip the nudged POST makes instead of intake's, nudges older than the cutoff go
-- (abandoned), and past the cap the oldest go too (abandoned early: a flood of nudged comments
-- must not grow the set without bound). Answers {'filed', how many nudges were found
-- abandoned}; or, for an author moderators suspended or banned (authors.py), read here as
-- intake reads it, {'suspended' | 'banned', its end ('' for none)}, filing nothing: they are
-- refused, not invited to edit.
-- Arguments: scripts.NUDGE.
local nudges_key = KEYS[1]
local author_record_key = KEYS[2]  -- the site's `absent` key when the comment has no record
local nonce = ARGV[1]
local now = ARGV[2]
local cutoff = ARGV[3]  -- now less an hour
local cap = tonumber(ARGV[4])
local author_recorded = ARGV[5]  -- '1': the comment came with an email

if author_recorded == '1' then
  local record = redis.call('HMGET', author_record_key, 'restriction', 'until')
  local restriction, ends = record[1], record[2] or ''
  if (restriction == 'banned' or restriction == 'suspended')
      and (ends == '' or tonumber(ends) > tonumber(now)) then
    return {restriction, ends}
  end
end

local abandoned = redis.call('ZREMRANGEBYSCORE', nudges_key, '-inf', cutoff)
redis.call('ZADD', nudges_key, now, nonce)
local over = redis.call('ZCARD', nudges_key) - cap
if over > 0 then
  redis.call('ZPOPMIN', nudges_key, over)
  abandoned = abandoned + over
end
return {'filed', abandoned}
