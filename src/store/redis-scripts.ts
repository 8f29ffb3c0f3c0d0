// Lua scripts run atomically by Redis, so admission holds exactly across every daemon sharing the server.
// They mirror admission.ts. The clock is the Redis server's TIME unless the caller passes nowMs, so
// daemons on hosts whose clocks differ still agree. replicate_commands lets a script that reads TIME
// write on Redis before 5 (later versions always replicate effects).

const clock = `
if redis.replicate_commands then redis.replicate_commands() end
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * KEYS: rate key (GCRA theoretical arrival time), slots key (sorted set conversationId → expiry ms).
 * ARGV: nowMs or '', conversationId, limitPerSecond, maxConcurrentCalls, expirationSeconds.
 * Returns {1} when admitted, {0, reason} when not.
 */
export const admitScript = `${clock}
local conversationId = ARGV[2]
local rate = tonumber(ARGV[3])
local maxConcurrent = tonumber(ARGV[4])
local expirationMs = tonumber(ARGV[5]) * 1000
local nextTat = nil
if rate > 0 then
  local interval = 1000 / rate
  local burst = math.max(1, math.ceil(rate))
  local tat = tonumber(redis.call('GET', KEYS[1])) or now
  if tat < now then tat = now end
  if now < tat - (burst - 1) * interval then
    return {0, 'rate'}
  end
  nextTat = tat + interval
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if maxConcurrent > 0 and not redis.call('ZSCORE', KEYS[2], conversationId) then
  if redis.call('ZCARD', KEYS[2]) >= maxConcurrent then
    return {0, 'concurrency'}
  end
end
if nextTat then
  redis.call('SET', KEYS[1], string.format('%.17g', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
end
redis.call('ZADD', KEYS[2], now + expirationMs, conversationId)
local ttl = redis.call('PTTL', KEYS[2])
if ttl < expirationMs + 1000 then
  redis.call('PEXPIRE', KEYS[2], expirationMs + 1000)
end
return {1}
`;

/** KEYS: slots key. ARGV: nowMs or ''. Returns the number of unexpired slots. */
export const activeSlotsScript = `${clock}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
`;

/** KEYS: outbox hash. ARGV: id, entry JSON. Updates the entry only if it is still pending. */
export const outboxUpdateScript = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0
`;

/** KEYS: lease key. ARGV: owner, ttlMs. Returns 1 if owner now holds the lease (taken or renewed), else 0. */
export const claimLeaseScript = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
`;
