-- Erase a reader's reports, both ways, atomically: the reports they made (their entry in each
-- reported comment's reports, and their index; the comments' counts stay, as numbers that name
-- no one) and the reports made about their comments (each comment's reports, and the entry in
-- each reporter's index), before erase.lua removes the comments themselves.
-- Every key is given: if a comment of the reader gained a reporter not given since the caller
-- read them, nothing is written and the answer is {'stale'}; else {'done', reports removed}.
-- Arguments: scripts.ERASE_REPORTS.
local reporter_key = KEYS[1]
local reporter = ARGV[1]
local made_count = tonumber(ARGV[2])
local about_count = tonumber(ARGV[3])
local other_count = tonumber(ARGV[4])
local FIXED_KEYS = 1
local FIXED_ARGS = 4

local index_of = {}
for j = 1, other_count do
  index_of[ARGV[FIXED_ARGS + made_count + about_count + j]] =
    KEYS[FIXED_KEYS + made_count + about_count + j]
end
for i = 1, about_count do
  for _, other in ipairs(redis.call('HKEYS', KEYS[FIXED_KEYS + made_count + i])) do
    if other ~= reporter and not index_of[other] then return {'stale'} end
  end
end
local removed = 0
for i = 1, made_count do
  removed = removed + redis.call('HDEL', KEYS[FIXED_KEYS + i], reporter)
end
redis.call('DEL', reporter_key)
for i = 1, about_count do
  local reports_key = KEYS[FIXED_KEYS + made_count + i]
  local comment_id = ARGV[FIXED_ARGS + made_count + i]
  for _, other in ipairs(redis.call('HKEYS', reports_key)) do
    if other ~= reporter then redis.call('ZREM', index_of[other], comment_id) end
    removed = removed + 1
  end
  redis.call('DEL', reports_key)
end
return {'done', removed}
