-- A moderator's action on an author (a reader, by the keyed hash of their email) on one site,
-- atomically with its audit entry: who, what, when in the audit stream, the comment it was
-- taken from and the moderator's reason beside it (audit-details, which erasure cuts), and the
-- entry's id listed on the author's record, so that export and erasure find it.
-- Arguments: scripts.AUTHOR_ACTION.
-- Answers {'done', entry id, restriction before ('' none), its end ('' none)} or, for a lift
-- with nothing in force, {'nothing', '', '', ''} (nothing is written).
local author_key = KEYS[1]
local audit_key = KEYS[2]
local audit_details_key = KEYS[3]
local action = ARGV[1]  -- premoderate / suspend / ban / lift
local ends_at = ARGV[2]  -- unix time it ends, '' for never
local now = tonumber(ARGV[3])
local moderator = ARGV[4]
local reason = ARGV[5]
local audit_json = ARGV[6]
local audit_details_json = ARGV[7]

local before = redis.call('HMGET', author_key, 'restriction', 'until')
local in_force = before[1] and (not before[2] or before[2] == '' or tonumber(before[2]) > now)
local restriction = in_force and before[1] or ''
local ends = in_force and (before[2] or '') or ''
if action == 'lift' and not in_force then return {'nothing', '', '', ''} end
local entry = redis.call('XADD', audit_key, '*', 'record', audit_json)
redis.call('HSET', audit_details_key, entry, audit_details_json)
if action == 'lift' then
  redis.call('HDEL', author_key, 'restriction', 'until', 'since', 'by', 'reason', 'entry')
else
  local states = {premoderate = 'premoderated', suspend = 'suspended', ban = 'banned'}
  redis.call('HSET', author_key, 'restriction', states[action], 'until', ends_at,
             'since', tostring(now), 'by', moderator, 'reason', reason, 'entry', entry)
end
local known = redis.call('HGET', author_key, 'actions')
redis.call('HSET', author_key, 'actions', known and (known .. ' ' .. entry) or entry)
return {'done', entry, restriction, ends}
