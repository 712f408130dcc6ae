-- What erasing a reader leaves of moderators' actions on them: the link from each action's
-- audit entry to the reader and the moderator's reason go (audit-details), the entries keep
-- who did what and when; of the reader's record only a restriction still in force is kept,
-- its kind and end date under the keyed hash, so that erasure is not a way out of a ban.
-- Arguments: scripts.FORGET_AUTHOR. Answers how many audit entries were unlinked.
local author_key = KEYS[1]
local audit_details_key = KEYS[2]
local now = tonumber(ARGV[1])

local data = redis.call('HMGET', author_key, 'restriction', 'until', 'actions')
local unlinked = 0
for entry in string.gmatch(data[3] or '', '%S+') do
  unlinked = unlinked + redis.call('HDEL', audit_details_key, entry)
end
redis.call('DEL', author_key)
if data[1] and (not data[2] or data[2] == '' or tonumber(data[2]) > now) then
  redis.call('HSET', author_key, 'restriction', data[1], 'until', data[2] or '')
end
return unlinked
