-- Record a batch of training labels unless the very same batch was the last one recorded under
-- its marker (a client's retry, or one that resends what it already said): deduplication and
-- the labels are written together or not at all.
-- KEYS: marker (the site's label-token:<token hash>), labels (the site's stream), adapt
--       (the site's adapter state, whose label count grows with the stream)
-- ARGV: fingerprint of the batch, marker TTL in seconds, JSON array of labels, each a flat
--       array of stream fields [name, value, name, value, ...]
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local batch = cjson.decode(ARGV[3])
for _, fields in ipairs(batch) do
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
redis.call('HINCRBY', KEYS[3], 'labels', #batch)
return 1
