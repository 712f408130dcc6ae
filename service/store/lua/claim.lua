-- Lease held comments of one site to a moderator, atomically per comment: two moderators
-- never hold the same one. The caller reads a page of the pending set and passes each
-- candidate's comment key; the script checks each again (still held? lease free? held for the
-- wanted reason?) and leases it, oldest first, up to the limit.
-- Arguments: scripts.CLAIM.
local pending_key = KEYS[1]
local leases_key = KEYS[2]
local FIXED_KEYS = 2  -- then one comment key per candidate
local now = tonumber(ARGV[1])
local deadline = ARGV[2]
local limit = tonumber(ARGV[3])
local moderator = ARGV[4]
local reason = ARGV[5]  -- a reason code, '' for any, 'audit' for audit items
-- '1' to hand back (and renew) comments this moderator already holds
local own_too = ARGV[6]
local dry_run = ARGV[7]  -- '1': report what would be leased, lease nothing
local FIXED_ARGS = 7  -- then the candidates' ids, in the order of their keys

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
for i = 1, #KEYS - FIXED_KEYS do
  if #claimed >= limit then break end
  local id = ARGV[FIXED_ARGS + i]
  local comment = KEYS[FIXED_KEYS + i]
  if redis.call('ZSCORE', pending_key, id) then
    local lease = redis.call('ZSCORE', leases_key, id)
    local free = (not lease) or tonumber(lease) <= now
    if (not free) and own_too == '1' then
      free = redis.call('HGET', comment, 'lease_moderator') == moderator
    end
    if free and has_reason(comment) then
      if dry_run ~= '1' then
        redis.call('ZADD', leases_key, deadline, id)
        redis.call('HSET', comment, 'lease_moderator', moderator, 'lease_expires_at', deadline)
      end
      claimed[#claimed + 1] = id
    end
  end
end
return claimed
