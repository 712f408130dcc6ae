-- Take erased comments out of their campaigns, before erase.lua removes the comments: each
-- leaves its group's members and authors, the bands its own text wrote stop naming the group,
-- a group left empty is dropped, and a group whose signature was an erased comment's takes
-- its oldest remaining member's (chosen by the caller). Arguments: scripts.CAMPAIGN_FORGET.
local campaigns_key = KEYS[1]
local campaign_members_key = KEYS[2]
local campaign_authors_key = KEYS[3]
local campaign_bands_key = KEYS[4]
local campaign_band_times_key = KEYS[5]
local campaign_times_key = KEYS[6]
local now = ARGV[1]
local comment_count = tonumber(ARGV[2])
local FIXED_ARGS = 2  -- then 4 per comment (id, group id, author hash, its bands), then
                      -- 3 per group that needs a new signature (group id, signature, bands)

local function bands_of(text)
  local found = {}
  for band in string.gmatch(text, '%S+') do found[#found + 1] = band end
  return found
end

for i = 0, comment_count - 1 do
  local at = FIXED_ARGS + 4 * i
  local comment_id, group_id, author, bands = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  if redis.call('ZREM', campaign_members_key, group_id .. ':' .. comment_id) == 1 then
    local raw = redis.call('HGET', campaigns_key, group_id)
    if raw then
      local group = cjson.decode(raw)
      group.size = group.size - 1
      -- a comment without an email was its own author
      group.authors = group.authors - redis.call(
        'ZREM', campaign_authors_key, group_id .. ':' .. author, group_id .. ':comment:' .. comment_id)
      if group.size <= 0 then
        redis.call('HDEL', campaigns_key, group_id)
        redis.call('ZREM', campaign_times_key, group_id)
        redis.call('ZREMRANGEBYLEX', campaign_authors_key, '[' .. group_id .. ':', '[' .. group_id .. ';')
      else
        redis.call('HSET', campaigns_key, group_id, cjson.encode(group))
      end
    end
  end
  for _, band in ipairs(bands_of(bands)) do
    if redis.call('HGET', campaign_bands_key, band) == group_id then
      redis.call('HDEL', campaign_bands_key, band)
      redis.call('ZREM', campaign_band_times_key, band)
    end
  end
end

local at = FIXED_ARGS + 4 * comment_count
while at + 3 <= #ARGV do
  local group_id, signature, bands = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local raw = redis.call('HGET', campaigns_key, group_id)
  if raw then
    local group = cjson.decode(raw)
    group.sig = signature
    redis.call('HSET', campaigns_key, group_id, cjson.encode(group))
    for _, band in ipairs(bands_of(bands)) do
      redis.call('HSET', campaign_bands_key, band, group_id)
      redis.call('ZADD', campaign_band_times_key, now, band)
    end
  end
  at = at + 3
end
return 1
