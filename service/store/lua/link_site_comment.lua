-- Give a comment the site's own id for it, after the fact (WordPress numbers a comment only
-- once it is stored, after it asked Hakam): the comment keeps it, and the site's index of its
-- comment ids maps it to the comment, so that a later reply's comment_parent finds it. An id
-- the comment had before leaves the index; the index entry of another comment given the same
-- id is replaced (the site's word is the latest).
-- Arguments: scripts.LINK_SITE_COMMENT.
-- Answers 0 when the comment does not exist (erased, or never), else 1.
local comment_key = KEYS[1]
local site_comments_key = KEYS[2]
local comment_id = ARGV[1]
local site_comment_id = ARGV[2]
if redis.call('EXISTS', comment_key) == 0 then return 0 end
local before = redis.call('HGET', comment_key, 'site_comment_id')
if before and before ~= '' and before ~= site_comment_id
    and redis.call('HGET', site_comments_key, before) == comment_id then
  redis.call('HDEL', site_comments_key, before)
end
redis.call('HSET', comment_key, 'site_comment_id', site_comment_id)
redis.call('HSET', site_comments_key, site_comment_id, comment_id)
return 1
