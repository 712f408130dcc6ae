-- Record a batch of training labels unless the very same batch was the last one recorded under
-- its marker (a client's retry, or one that resends what it already said): deduplication and
-- the labels are written together or not at all.
-- Arguments: scripts.RECORD_LABELS_ONCE.
local marker_key = KEYS[1]  -- the site's label-token:<token hash>
local labels_key = KEYS[2]  -- the site's stream
-- the site's adapter state, whose label count grows with the stream
local adapt_key = KEYS[3]
local fingerprint = ARGV[1]  -- of the batch
local marker_ttl = ARGV[2]  -- seconds
-- a JSON array of labels, each a flat array of stream fields [name, value, name, value, ...]
local batch_json = ARGV[3]

if redis.call('GET', marker_key) == fingerprint then return 0 end
redis.call('SET', marker_key, fingerprint, 'EX', marker_ttl)
local batch = cjson.decode(batch_json)
for _, fields in ipairs(batch) do
  redis.call('XADD', labels_key, '*', unpack(fields))
end
redis.call('HINCRBY', adapt_key, 'labels', #batch)
return 1
