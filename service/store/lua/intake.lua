-- Store one new comment, or say why not, atomically: a worker killed mid-request stored the
-- whole comment or nothing. Every key is the comment's site's (one hash tag, one slot).
-- KEYS: idem, dup, flood_author, flood_ip, comment, history, pending, counts, approved_authors
--       (idem and flood_ip are the site's `absent` key when there is none; see ARGV)
-- ARGV: comment_id, status, created_at, flood_seconds, idem_ttl, dup_ttl,
--       answer_json ('' when there is no Idempotency-Key), history_json, author_key,
--       has_ip ('1' or '0'), then field/value pairs for the comment hash
local has_idem = ARGV[7] ~= ''
local flood_keys = {KEYS[3]}
if ARGV[10] == '1' then flood_keys[2] = KEYS[4] end
if has_idem then
  local first = redis.call('GET', KEYS[1])
  if first then
    -- A write, so that a WAIT after this call confirms the first answer reached a replica.
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
    return {'replay', first}
  end
end
local dup = redis.call('GET', KEYS[2])
if dup then return {'duplicate', dup} end
local flood_seconds = tonumber(ARGV[4])
if flood_seconds > 0 then
  for _, key in ipairs(flood_keys) do
    local ttl = redis.call('PTTL', key)
    if ttl > 0 then return {'flood', tostring(ttl)} end
  end
end
redis.call('HSET', KEYS[5], unpack(ARGV, 11))
redis.call('RPUSH', KEYS[6], ARGV[8])
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[1])
elseif ARGV[2] == 'approved' then
  redis.call('SADD', KEYS[9], ARGV[9])
end
redis.call('HINCRBY', KEYS[8], ARGV[2], 1)
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[6])
if flood_seconds > 0 then
  for _, key in ipairs(flood_keys) do redis.call('SET', key, ARGV[1], 'EX', flood_seconds) end
end
if has_idem then redis.call('SET', KEYS[1], ARGV[7], 'EX', ARGV[5]) end
return {'stored', ARGV[1]}
