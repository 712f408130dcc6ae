-- Store one new comment, or say why not, atomically: a worker killed mid-request stored the
-- whole comment or nothing. Every key is the comment's site's (one hash tag, one slot).
-- Arguments: scripts.INTAKE.
local idempotency_key = KEYS[1]  -- the site's `absent` key when there is no Idempotency-Key
local duplicate_key = KEYS[2]
local author_flood_key = KEYS[3]
local ip_flood_key = KEYS[4]  -- the site's `absent` key when there is no IP
local comment_key = KEYS[5]
local history_key = KEYS[6]
local pending_key = KEYS[7]
local counts_key = KEYS[8]
local approved_authors_key = KEYS[9]
local reader_key = KEYS[10]
local reader_ips_key = KEYS[11]
local retention_key = KEYS[12]
local approved_counts_key = KEYS[13]
local site_version_key = KEYS[14]
local nudges_key = KEYS[15]
local site_comments_key = KEYS[16]  -- the site's own comment ids -> Hakam's
local post_starts_key = KEYS[17]  -- post id -> when its first comment came
local campaign_bands_key = KEYS[18]
local campaign_band_times_key = KEYS[19]
local campaigns_key = KEYS[20]
local campaign_members_key = KEYS[21]
local campaign_authors_key = KEYS[22]
local campaign_times_key = KEYS[23]
-- the author's record (authors.py): what moderators put on them, and their rejection streak
local author_record_key = KEYS[24]
local comment_id = ARGV[1]
local status = ARGV[2]
local created_at = ARGV[3]
local flood_seconds = tonumber(ARGV[4])
local idempotency_ttl = ARGV[5]
local duplicate_ttl = ARGV[6]
local answer_json = ARGV[7]  -- '' when there is no Idempotency-Key
local history_json = ARGV[8]
local author_key = ARGV[9]
local ip_key = ARGV[10]  -- '' when there is none
-- '1': an approved comment sampled for audit joins the review queue, published all the same
local audit = ARGV[11]
-- the site's settings version the comment was checked against ('' for no check)
local site_version = ARGV[12]
-- the nonce of the nudge this comment answers ('' for none): stored, it is closed
local nudge_nonce = ARGV[13]
local site_comment_id = ARGV[14]  -- '' for none
local parent_site_id = ARGV[15]  -- the site's id of the comment it replies to, '' for none
local post_id = ARGV[16]
-- seconds after the post's first comment that it closes ('' when it does not close so)
local close_after_seconds = ARGV[17]
-- the comment's MinHash (hex) and its bands, space-separated ('' for a text without words:
-- it joins no campaign); its author as campaigns count them
local campaign_sig = ARGV[18]
local campaign_bands = ARGV[19]
local campaign_author = ARGV[20]
-- N > 0: a comment about to be approved whose group already has N authors is not stored; the
-- answer says so, and the caller holds it (reason `campaign`) and sends it again
local campaign_hold = tonumber(ARGV[21])
local campaign_similarity = tonumber(ARGV[22])
local campaign_window = tonumber(ARGV[23])
-- '' when the comment has no author record (sent without an email); else the site's
-- hold-after-rejections count ('0': off)
local author_rules = ARGV[24]
-- '1': the caller already holds the comment for its author's record: do not ask again
local author_hold_applied = ARGV[25]
local FIXED_ARGS = 25  -- then field, value, … of the comment's hash

if site_version ~= '' and (redis.call('GET', site_version_key) or '0') ~= site_version then
  return {'stale', ''}  -- the site's key or settings changed since: nothing is stored
end
local has_idem = answer_json ~= ''
local has_ip = ip_key ~= ''
local flood_keys = {author_flood_key}
if has_ip then flood_keys[2] = ip_flood_key end
if has_idem then
  local first = redis.call('GET', idempotency_key)
  if first then
    -- A write, so that a WAIT after this call confirms the first answer reached a replica.
    local ttl = redis.call('PTTL', idempotency_key)
    if ttl > 0 then redis.call('PEXPIRE', idempotency_key, ttl) end
    return {'replay', first}
  end
end
if close_after_seconds ~= '' then
  local started = redis.call('HGET', post_starts_key, post_id)
  if started then
    local closes_at = tonumber(started) + tonumber(close_after_seconds)
    -- closed: refused, and nothing is kept
    if tonumber(created_at) >= closes_at then return {'closed', tostring(closes_at)} end
  end
end
local tracked = author_rules ~= ''
if tracked then
  -- A banned or suspended author is refused here, in the one round trip intake makes; a
  -- premoderated one, or one whose last decided comments were all rejected, is sent back once
  -- so the caller holds the comment with that reason (the answer is built before this call).
  local record = redis.call('HMGET', author_record_key, 'restriction', 'until',
                            'rejected_streak')
  local restriction, ends = record[1], record[2] or ''
  if restriction and ends ~= '' and tonumber(ends) <= tonumber(created_at) then
    restriction = nil  -- it has ended
  end
  if restriction == 'banned' or restriction == 'suspended' then
    return {restriction, ends}
  end
  if author_hold_applied ~= '1' and status ~= 'spam' then
    if restriction == 'premoderated' then return {'author_hold', 'author_premoderated'} end
    local limit = tonumber(author_rules)
    if limit > 0 and tonumber(record[3] or '0') >= limit then
      return {'author_hold', 'author_history'}
    end
  end
end
local dup = redis.call('GET', duplicate_key)
if dup then return {'duplicate', dup} end
if flood_seconds > 0 then
  for _, key in ipairs(flood_keys) do
    local ttl = redis.call('PTTL', key)
    if ttl > 0 then return {'flood', tostring(ttl)} end
  end
end
-- Campaigns: the group of near-duplicates this comment joins (see service/campaigns.py). A
-- band names the group that last wrote it; a candidate group is joined only if the share of
-- MinHash values this comment shares with the group's signature reaches the similarity.
local now = tonumber(created_at)
local campaign_id, campaign, band_list = nil, nil, {}
if campaign_sig ~= '' then
  local cutoff = now - campaign_window
  for band in string.gmatch(campaign_bands, '%S+') do band_list[#band_list + 1] = band end
  local votes, order = {}, {}
  for _, group_id in ipairs(redis.call('HMGET', campaign_bands_key, unpack(band_list))) do
    if group_id then
      if not votes[group_id] then
        votes[group_id] = 0
        order[#order + 1] = group_id
      end
      votes[group_id] = votes[group_id] + 1
    end
  end
  table.sort(order, function(a, b) return votes[a] > votes[b] end)
  for _, group_id in ipairs(order) do
    local raw = redis.call('HGET', campaigns_key, group_id)
    if raw then
      local group = cjson.decode(raw)
      -- values compared until enough of them differ to turn the group away
      local values = #campaign_sig / 8
      local allowed = values - math.ceil(campaign_similarity * values)
      local differ = 0
      if tonumber(group.last_at) >= cutoff then
        for i = 1, #campaign_sig, 8 do
          if string.sub(group.sig, i, i + 7) ~= string.sub(campaign_sig, i, i + 7) then
            differ = differ + 1
            if differ > allowed then break end
          end
        end
      else
        differ = values
      end
      if differ <= allowed then
        campaign_id, campaign = group_id, group
        break
      end
    end
  end
  if campaign and campaign_hold > 0 and status == 'approved' and campaign.authors >= campaign_hold then
    return {'campaign', tostring(campaign.authors), tostring(campaign.size)}
  end
end

redis.call('HSET', comment_key, unpack(ARGV, FIXED_ARGS + 1))
-- when the post's first comment came: a section's close-after-days counts from it
redis.call('HSETNX', post_starts_key, post_id, created_at)
-- the site's ids of its comments, so that a reply's comment_parent finds its parent; a reply
-- to a comment held now is marked, so that its parent, once erased, shows as removed
if site_comment_id ~= '' then redis.call('HSET', site_comments_key, site_comment_id, comment_id) end
if parent_site_id ~= '' and redis.call('HEXISTS', site_comments_key, parent_site_id) == 1 then
  redis.call('HSET', comment_key, 'parent_held', '1')
end
redis.call('RPUSH', history_key, history_json)
if status == 'pending' then
  redis.call('ZADD', pending_key, created_at, comment_id)
else
  if status == 'approved' then
    redis.call('SADD', approved_authors_key, author_key)
    redis.call('HINCRBY', approved_counts_key, author_key, 1)
    if audit == '1' then redis.call('ZADD', pending_key, created_at, comment_id) end
  end
  redis.call('ZADD', retention_key, created_at, comment_id)  -- decided: retention may apply
end
redis.call('HINCRBY', counts_key, status, 1)
if tracked then  -- the author's rejection streak: decided at intake, this comment counts too
  if status == 'approved' then
    redis.call('HDEL', author_record_key, 'rejected_streak')
  elseif status == 'spam' then
    redis.call('HINCRBY', author_record_key, 'rejected_streak', 1)
  end
end
-- the reader index, so that their comments are found by reader (export, erasure)
redis.call('ZADD', reader_key, created_at, comment_id)
redis.call('SET', duplicate_key, comment_id, 'EX', duplicate_ttl)
if flood_seconds > 0 then
  for _, key in ipairs(flood_keys) do redis.call('SET', key, comment_id, 'EX', flood_seconds) end
  if has_ip then  -- an IP flood marker is named by the IP's hash: erasure looks it up here
    redis.call('SADD', reader_ips_key, ip_key)
    redis.call('EXPIRE', reader_ips_key, flood_seconds)
  end
end
if has_idem then redis.call('SET', idempotency_key, answer_json, 'EX', idempotency_ttl) end
if campaign_sig ~= '' then
  local cutoff = now - campaign_window
  -- bands and groups quiet for the whole window are forgotten, a few more per comment than
  -- it adds, so the structures stay the size of one window of comments
  local old = redis.call('ZRANGEBYSCORE', campaign_band_times_key, '-inf', cutoff, 'LIMIT', 0, 64)
  if #old > 0 then
    redis.call('HDEL', campaign_bands_key, unpack(old))
    redis.call('ZREM', campaign_band_times_key, unpack(old))
  end
  for _, group_id in ipairs(redis.call('ZRANGEBYSCORE', campaign_times_key, '-inf', cutoff,
                                       'LIMIT', 0, 8)) do
    redis.call('ZREMRANGEBYLEX', campaign_members_key, '[' .. group_id .. ':', '[' .. group_id .. ';')
    redis.call('ZREMRANGEBYLEX', campaign_authors_key, '[' .. group_id .. ':', '[' .. group_id .. ';')
    redis.call('HDEL', campaigns_key, group_id)
    redis.call('ZREM', campaign_times_key, group_id)
  end
  if not campaign then
    campaign_id = comment_id
    campaign = {first_at = now, size = 0, authors = 0, sig = campaign_sig}
  end
  campaign.size = campaign.size + 1
  campaign.last_at = now
  if redis.call('ZADD', campaign_authors_key, 'NX', 0, campaign_id .. ':' .. campaign_author) == 1 then
    campaign.authors = campaign.authors + 1
  end
  redis.call('ZADD', campaign_members_key, 0, campaign_id .. ':' .. comment_id)
  redis.call('HSET', campaigns_key, campaign_id, cjson.encode(campaign))
  redis.call('ZADD', campaign_times_key, now, campaign_id)
  local fields, times = {}, {}
  for _, band in ipairs(band_list) do
    fields[#fields + 1] = band
    fields[#fields + 1] = campaign_id
    times[#times + 1] = now
    times[#times + 1] = band
  end
  redis.call('HSET', campaign_bands_key, unpack(fields))
  redis.call('ZADD', campaign_band_times_key, unpack(times))
  redis.call('HSET', comment_key, 'campaign', campaign_id, 'campaign_sig', campaign_sig)
  for _, key in ipairs({campaign_bands_key, campaign_band_times_key, campaigns_key,
                        campaign_members_key, campaign_authors_key, campaign_times_key}) do
    redis.call('EXPIRE', key, campaign_window)
  end
end
-- the resend of a nudged comment closes its nudge, once: a token sent again closes nothing
local answered_nudge = 0
if nudge_nonce ~= '' then answered_nudge = redis.call('ZREM', nudges_key, nudge_nonce) end
return {'stored', comment_id, answered_nudge}
