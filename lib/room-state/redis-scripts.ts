/**
 * The Lua scripts behind `redisRoomStore`, one per `RoomStore` method that changes or reads a
 * room, so each runs atomically in Redis. Per room: a sorted set (the log; score = time,
 * member = key, so Redis orders entries by time, then by key byte by byte) whose first member is
 * the floor when the hash's `floor` field names one; the hash also holds `snap` (the snapshot)
 * and `seq` (the last sequence number stamped on an event without a time). Keys are compared
 * with `==` only: Lua's `<` on strings follows the server's locale.
 */

/**
 * KEYS: log, meta, index. ARGV: room ID, time ("" for none), tail, "1" if it resets, retention
 * in ms, the changes channel (an argument, not a key: ioredis's `keyPrefix` applies to keys, not
 * to the channels a client subscribes to). Publishes the room ID there when the entry is applied.
 */
export const APPEND_SCRIPT = `
local log, meta, index = KEYS[1], KEYS[2], KEYS[3]
local floor = redis.call('HGET', meta, 'floor')
local time, key
if ARGV[2] == '' then
  local last = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  time = last[2] or '0'
  key = string.format('%010d', redis.call('HINCRBY', meta, 'seq', 1)) .. ARGV[3]
else
  time = ARGV[2]
  key = '0000000000' .. ARGV[3]
end
local function size()
  local n = redis.call('ZCARD', log)
  if floor then n = n - 1 end
  return n
end
if redis.call('ZADD', log, 'NX', time, key) == 0 then return {'duplicate', size()} end
local rank = redis.call('ZRANK', log, key)
if floor and rank == 0 then
  redis.call('ZREM', log, key)
  return {'stale', size()}
end
redis.call('SADD', index, ARGV[1])
redis.call('PUBLISH', ARGV[6], ARGV[1])
if ARGV[4] == '1' then
  if rank > 0 then redis.call('ZREMRANGEBYRANK', log, 0, rank - 1) end
  redis.call('HSET', meta, 'floor', key)
  redis.call('HDEL', meta, 'snap')
  floor = key
  if redis.call('ZCARD', log) == 1 then
    redis.call('PEXPIRE', log, ARGV[5])
    redis.call('PEXPIRE', meta, ARGV[5])
    return {'applied', size()}
  end
end
redis.call('PERSIST', log)
redis.call('PERSIST', meta)
return {'applied', size()}
`;

/** KEYS: log, meta, index. ARGV: room ID. Drops the room from the index when its keys are gone (expired). */
export const LOAD_SCRIPT = `
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local fields = redis.call('HMGET', KEYS[2], 'floor', 'snap')
if #entries == 0 then
  redis.call('SREM', KEYS[3], ARGV[1])
  return false
end
return {fields[1], fields[2], entries}
`;

/** KEYS: log, meta. ARGV: expected floor ("" for none), through's key, count, snapshot. */
export const COMPACT_SCRIPT = `
local floor = redis.call('HGET', KEYS[2], 'floor')
if (floor or '') ~= ARGV[1] then return 0 end
local rank = redis.call('ZRANK', KEYS[1], ARGV[2])
if not rank then return 0 end
local expected = tonumber(ARGV[3]) - 1
if floor then expected = expected + 1 end
if rank ~= expected then return 0 end
if rank > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, rank - 1) end
redis.call('HSET', KEYS[2], 'floor', ARGV[2], 'snap', ARGV[4])
return 1
`;
