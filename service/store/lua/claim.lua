-- Lease held comments of one site to a moderator, atomically per comment: two moderators
-- never hold the same one. The caller reads a page of the pending set and passes each
-- candidate's comment key; the script checks each again (still held? lease free? held for the
-- wanted reason?) and leases it, oldest first, up to the limit.
-- KEYS: pending, leases, then one comment key per candidate
-- ARGV: now, deadline, limit, moderator, reason code ('' for any, 'audit' for audit items),
--       '1' to hand back (and renew) comments this moderator already holds,
--       '1' for a dry run (report what would be leased, lease nothing),
--       then the candidates' ids, in the order of their keys
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local reason = ARGV[5]
local own_too = ARGV[6] == '1'
local dry_run = ARGV[7] == '1'
local claimed = {}
local function has_reason(comment)
  if reason == '' then return true end
  -- 'audit' picks the audit items: published comments sampled for a moderator's label
  if reason == 'audit' then return redis.call('HGET', comment, 'audit') == 'pending' end
  local ok, reasons = pcall(cjson.decode, redis.call('HGET', comment, 'reasons') or '[]')
  if not ok or type(reasons) ~= 'table' then return false end
  for _, r in ipairs(reasons) do
    if type(r) == 'table' and r.code == reason then return true end
  end
  return false
end
for i = 3, #KEYS do
  if #claimed >= limit then break end
  local id = ARGV[i + 5]
  local comment = KEYS[i]
  if redis.call('ZSCORE', KEYS[1], id) then
    local lease = redis.call('ZSCORE', KEYS[2], id)
    local free = (not lease) or tonumber(lease) <= now
    if (not free) and own_too then
      free = redis.call('HGET', comment, 'lease_moderator') == ARGV[4]
    end
    if free and has_reason(comment) then
      if not dry_run then
        redis.call('ZADD', KEYS[2], ARGV[2], id)
        redis.call('HSET', comment, 'lease_moderator', ARGV[4], 'lease_expires_at', ARGV[2])
      end
      claimed[#claimed + 1] = id
    end
  end
end
return claimed
