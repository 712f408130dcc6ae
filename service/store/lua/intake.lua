-- Store one new comment, or say why not, atomically: a worker killed mid-request stored the
-- whole comment or nothing. Every key is the comment's site's (one hash tag, one slot).
-- KEYS: idem, dup, flood_author, flood_ip, comment, history, pending, counts, approved_authors,
--       reader, reader_ips, retention, approved_counts, site_version, site_comments,
--       post_starts
--       (idem and flood_ip are the site's `absent` key when there is none; see ARGV)
-- ARGV: comment_id, status, created_at, flood_seconds, idem_ttl, dup_ttl,
--       answer_json ('' when there is no Idempotency-Key), history_json, author_key,
--       ip_key ('' when there is none), audit ('1': an approved comment sampled for audit
--       joins the review queue, published all the same), the site's settings version the
--       comment was checked against ('' for no check), the site's own id of the comment ('' for
--       none), the site's id of its parent ('' for none), the post id, the seconds after the
--       post's first comment that it closes ('' when it does not close so), then field/value
--       pairs for the comment hash
if ARGV[12] ~= '' and (redis.call('GET', KEYS[14]) or '0') ~= ARGV[12] then
  return {'stale', ''}  -- the site's key or settings changed since: nothing is stored
end
local has_idem = ARGV[7] ~= ''
local has_ip = ARGV[10] ~= ''
local flood_keys = {KEYS[3]}
if has_ip then flood_keys[2] = KEYS[4] end
if has_idem then
  local first = redis.call('GET', KEYS[1])
  if first then
    -- A write, so that a WAIT after this call confirms the first answer reached a replica.
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
    return {'replay', first}
  end
end
local site_comment_id, parent_site_id, post_id = ARGV[13], ARGV[14], ARGV[15]
if ARGV[16] ~= '' then
  -- the post closes some time after its first comment: refused, nothing kept
  local started = redis.call('HGET', KEYS[16], post_id)
  if started then
    local closes_at = tonumber(started) + tonumber(ARGV[16])
    if tonumber(ARGV[3]) >= closes_at then return {'closed', tostring(closes_at)} end
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
redis.call('HSET', KEYS[5], unpack(ARGV, 17))
-- when the post's first comment came: a section's close-after-days counts from it
redis.call('HSETNX', KEYS[16], post_id, ARGV[3])
-- the site's ids of its comments, so that a reply's comment_parent finds its parent; a reply
-- to a comment held now is marked, so that its parent, once erased, shows as removed
if site_comment_id ~= '' then redis.call('HSET', KEYS[15], site_comment_id, ARGV[1]) end
if parent_site_id ~= '' and redis.call('HEXISTS', KEYS[15], parent_site_id) == 1 then
  redis.call('HSET', KEYS[5], 'parent_held', '1')
end
redis.call('RPUSH', KEYS[6], ARGV[8])
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[1])
else
  if ARGV[2] == 'approved' then
    redis.call('SADD', KEYS[9], ARGV[9])
    redis.call('HINCRBY', KEYS[13], ARGV[9], 1)
    if ARGV[11] == '1' then redis.call('ZADD', KEYS[7], ARGV[3], ARGV[1]) end
  end
  redis.call('ZADD', KEYS[12], ARGV[3], ARGV[1])  -- decided: retention may apply
end
redis.call('HINCRBY', KEYS[8], ARGV[2], 1)
-- the reader index, so that their comments are found by reader (export, erasure)
redis.call('ZADD', KEYS[10], ARGV[3], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[6])
if flood_seconds > 0 then
  for _, key in ipairs(flood_keys) do redis.call('SET', key, ARGV[1], 'EX', flood_seconds) end
  if has_ip then  -- an IP flood marker is named by the IP's hash: erasure looks it up here
    redis.call('SADD', KEYS[11], ARGV[10])
    redis.call('EXPIRE', KEYS[11], flood_seconds)
  end
end
if has_idem then redis.call('SET', KEYS[1], ARGV[7], 'EX', ARGV[5]) end
return {'stored', ARGV[1]}
