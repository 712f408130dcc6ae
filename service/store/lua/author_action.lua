-- A moderator's action on an author (a reader, by the keyed hash of their email) on one site,
-- atomically with its audit entry: who, what, when in the audit stream, the comment it was
-- taken from and the moderator's reason beside it (audit-details, which erasure cuts), and the
-- entry's id listed on the author's record, so that export and erasure find it.
-- KEYS: author, audit, audit_details (all the site's)
-- ARGV: action (premoderate / suspend / ban / lift), until (unix time, '' for never), now,
--       moderator, reason, audit_json, details_json
-- Answers {'done', entry id, restriction before ('' none), its until} or, for a lift with
-- nothing in force, {'nothing', '', '', ''} (nothing is written).
local author = KEYS[1]
local now = tonumber(ARGV[3])
local before = redis.call('HMGET', author, 'restriction', 'until')
local in_force = before[1] and (not before[2] or before[2] == '' or tonumber(before[2]) > now)
local restriction = in_force and before[1] or ''
local ends = in_force and (before[2] or '') or ''
if ARGV[1] == 'lift' and not in_force then return {'nothing', '', '', ''} end
local entry = redis.call('XADD', KEYS[2], '*', 'record', ARGV[6])
redis.call('HSET', KEYS[3], entry, ARGV[7])
if ARGV[1] == 'lift' then
  redis.call('HDEL', author, 'restriction', 'until', 'since', 'by', 'reason', 'entry')
else
  local states = {premoderate = 'premoderated', suspend = 'suspended', ban = 'banned'}
  redis.call('HSET', author, 'restriction', states[ARGV[1]], 'until', ARGV[2], 'since', ARGV[3],
             'by', ARGV[4], 'reason', ARGV[5], 'entry', entry)
end
local known = redis.call('HGET', author, 'actions')
redis.call('HSET', author, 'actions', known and (known .. ' ' .. entry) or entry)
return {'done', entry, restriction, ends}
