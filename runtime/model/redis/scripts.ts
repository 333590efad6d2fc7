// The Lua scripts of the Redis model back-end. `x` in a record hash lists the index keys the
// record holds, one per line: "u<claim key>" or "i<zset key>". A claim's value is
// "<record key>\n<token>": on one server the token is the ms when claimed; on shards it is
// "<ms>.<nonce>", unique per claiming write, and the record's `t` field lists the tokens of its
// claims, one per line, in the order of the "u" lines of `x` (see claims.ts for why).

/** The record key in a claim value "<record key>\n<token>" (record keys hold no line break). */
const OWNER_OF = `
local function ownerOf(claim) return string.match(claim, '^(.*)\\n') or claim end
`;

/**
 * One server only (every key on one node): insert one record, the hot path, so the script does
 * no more than a hand-written one would. A new record has no old index entries to replace; the
 * model's counts of claims and zsets are written into the script (one script per shape), so a
 * call sends only keys and values. A taken claim is examined only when SET NX GET finds it: a
 * claim whose owner record does not list it in `x` is stale (left by a crashed multi-step
 * writer) and is taken over; the owner may be this very key, left without its record, which has
 * no `x` either. On a live claim the claims this script made are deleted again, so a refusal
 * writes nothing.
 * KEYS: record, partition, claim keys…, zset keys…, directory keys…
 * ARGV: body, member, held, tag, claim value.
 * Returns "ok" or "exists:<what>".
 */
export function oneNodeInsert(claims: number, zsets: number): string {
  return `
local rec = KEYS[1]
if redis.call('EXISTS', rec) == 1 then return 'exists:primary key' end
for i = 3, ${2 + claims} do
  local claim = redis.call('SET', KEYS[i], ARGV[5], 'NX', 'GET')
  if claim then
    local held = redis.call('HGET', string.match(claim, '^(.*)\\n') or claim, 'x')
    if held and string.find('\\n' .. held, '\\nu' .. KEYS[i] .. '\\n', 1, true) then
      for j = 3, i - 1 do redis.call('DEL', KEYS[j]) end
      return 'exists:' .. KEYS[i]
    end
    redis.call('SET', KEYS[i], ARGV[5])
  end
end
for i = ${3 + claims}, ${2 + claims + zsets} do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
for i = ${3 + claims + zsets}, #KEYS do redis.call('SADD', KEYS[i], ARGV[4]) end
redis.call('HSET', rec, 'd', ARGV[1], 'x', ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 'ok'
`;
}

/**
 * One server only: save or update one record with its claims, partition and index entries in
 * one atomic script, replacing the index entries its old `x` lists. Stale claims are taken over
 * as in oneNodeInsert().
 * KEYS: record, partition, claim keys…, zset keys…, directory keys…
 * ARGV: mode ("save" | "update"), #claims, #zsets, body, member, held, tag, claim value.
 * Returns "ok", "exists:<what>" or "missing".
 */
export const ONE_NODE_WRITE = `${OWNER_OF}
local rec, mode, nu, ni = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local exists = redis.call('EXISTS', rec) == 1
if not exists and mode == 'update' then return 'missing' end
local claimed = {}
for i = 3, 2 + nu do
  local owner = redis.call('SET', KEYS[i], ARGV[8], 'NX', 'GET')
  if not owner then
    claimed[#claimed + 1] = KEYS[i]
  elseif ownerOf(owner) ~= rec then
    local held = redis.call('HGET', ownerOf(owner), 'x')
    if held and string.find('\\n' .. held, '\\nu' .. KEYS[i] .. '\\n', 1, true) then
      for _, key in ipairs(claimed) do redis.call('DEL', key) end
      return 'exists:' .. KEYS[i]
    end
    redis.call('SET', KEYS[i], ARGV[8])
    claimed[#claimed + 1] = KEYS[i]
  end
end
if exists then
  local old = redis.call('HGET', rec, 'x')
  if old and old ~= ARGV[6] then
    local keep = {}
    for i = 3, #KEYS do keep[KEYS[i]] = true end
    for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
      if not keep[key] then
        if kind == 'u' then
          local owner = redis.call('GET', key)
          if owner and ownerOf(owner) == rec then redis.call('DEL', key) end
        else
          redis.call('ZREM', key, ARGV[5])
        end
      end
    end
  end
end
for i = 3 + nu, 2 + nu + ni do redis.call('ZADD', KEYS[i], 0, ARGV[5]) end
for i = 3 + nu + ni, #KEYS do redis.call('SADD', KEYS[i], ARGV[7]) end
redis.call('HSET', rec, 'd', ARGV[4], 'x', ARGV[6])
redis.call('ZADD', KEYS[2], 0, ARGV[5])
return 'ok'
`;

/**
 * One server only: insert many records, all or nothing, checking every record before writing any.
 * KEYS: per record: record, partition, claim keys…, zset keys…, directory keys…
 * ARGV: per record: #claims, #zsets, #directories, body, member, held, tag, claim value.
 * Returns "ok" or "exists:<what>".
 */
export const ONE_NODE_INSERT_MANY = `${OWNER_OF}
local records, taken = {}, {}
local k, a = 1, 1
while a <= #ARGV do
  local nu, ni, nd = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local r = { rec = KEYS[k], part = KEYS[k + 1], body = ARGV[a + 3], member = ARGV[a + 4], held = ARGV[a + 5], tag = ARGV[a + 6], claim = ARGV[a + 7], u = {}, i = {}, d = {} }
  for j = 1, nu do r.u[j] = KEYS[k + 1 + j] end
  for j = 1, ni do r.i[j] = KEYS[k + 1 + nu + j] end
  for j = 1, nd do r.d[j] = KEYS[k + 1 + nu + ni + j] end
  k = k + 2 + nu + ni + nd
  a = a + 8
  if taken[r.rec] or redis.call('EXISTS', r.rec) == 1 then return 'exists:primary key' end
  taken[r.rec] = true
  for _, key in ipairs(r.u) do
    if taken[key] then return 'exists:' .. key end
    taken[key] = true
    local owner = redis.call('GET', key)
    if owner then
      local held = redis.call('HGET', ownerOf(owner), 'x')
      if held and string.find('\\n' .. held, '\\nu' .. key .. '\\n', 1, true) then return 'exists:' .. key end
    end
  end
  records[#records + 1] = r
end
for _, r in ipairs(records) do
  for _, key in ipairs(r.u) do redis.call('SET', key, r.claim) end
  for _, key in ipairs(r.i) do redis.call('ZADD', key, 0, r.member) end
  for _, key in ipairs(r.d) do redis.call('SADD', key, r.tag) end
  redis.call('HSET', r.rec, 'd', r.body, 'x', r.held)
  redis.call('ZADD', r.part, 0, r.member)
end
return 'ok'
`;

/**
 * On the node of a unique value, when a plain SET NX GET found it taken: refresh a claim this
 * record already owns with this write's token (so a concurrent take-over of it fails, and so
 * does the release of the token it replaces), or replace `ARGV[2]`, a stale claim the caller has
 * verified. KEYS: claim. ARGV: record key, stale claim or "", new value.
 * Returns {"new"} (it was free or stale), {"refreshed", replaced claim} or {"taken", current claim}.
 */
export const CLAIM = `${OWNER_OF}
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[3])
  return { 'new' }
end
if ownerOf(current) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[3])
  return { 'refreshed', current }
end
return { 'taken', current }
`;

/**
 * Frees a claim, or puts back the one it replaced: only if it is still exactly ARGV[1] (a claim
 * value), or, with ARGV[1] a bare record key (from a record written before tokens), still owned
 * by it. KEYS: claim. ARGV: claim value or record key, the value to put back or "" to delete.
 * Returns 1 if changed.
 */
export const RELEASE = `${OWNER_OF}
local current = redis.call('GET', KEYS[1])
if current == false then return 0 end
if current ~= ARGV[1] and not (string.find(ARGV[1], '\\n', 1, true) == nil and ownerOf(current) == ARGV[1]) then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * The claims an old `x` lists that `keep` lacks, each with its token from the old `t` (the
 * n-th "u" line goes with the n-th token), appended to `out` as key, token pairs.
 */
const DROPPED = `
local function dropped(old, tokens, keep, out)
  local t = {}
  for token in string.gmatch(tokens or '', '([^\\n]*)\\n') do t[#t + 1] = token end
  local n = 0
  for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
    if kind == 'u' then
      n = n + 1
      if not keep[key] then
        out[#out + 1] = key
        out[#out + 1] = t[n] or ''
      end
    end
  end
  return out
end
`;

/** Whether the old `x` (ARGV[n]) names a zset this script was not given in KEYS, from KEYS[first]. */
const UNDECLARED = `
local function undeclared(old, keep, first)
  local declared = {}
  for i = first, #KEYS do declared[KEYS[i]] = true end
  for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
    if kind == 'i' and not keep[key] and not declared[key] then return true end
  end
  return false
end
`;

/**
 * On the record's node: write one record with its partition entry and its index zsets (every
 * key shares the record's tag). Claims were made before; the record stores their tokens in `t`,
 * and the claims it no longer holds are returned, each with the token the record held it by,
 * for the caller to free. Old zsets must be declared: when the stored `x` names one the caller
 * did not pass, the script changes nothing and returns it to retry with.
 * KEYS: record, partition, zsets to hold…, zsets of the old `x`…
 * ARGV: mode, body, member, held, #zsets to hold, tokens.
 * Returns {"ok", dropped claim key, its token, …} | {"exists"} | {"missing"} | {"retry", old x}.
 */
export const RECORD_WRITE = `${UNDECLARED}${DROPPED}
local rec, mode, member, held, ni = KEYS[1], ARGV[1], ARGV[3], ARGV[4], tonumber(ARGV[5])
local exists = redis.call('EXISTS', rec) == 1
if exists then
  if mode == 'insert' then return { 'exists' } end
elseif mode == 'update' then
  return { 'missing' }
end
local out = { 'ok' }
if exists then
  local old = redis.call('HGET', rec, 'x') or ''
  if old ~= held then
    local keep = {}
    for _, key in string.gmatch(held, '(%a)([^\\n]+)\\n') do keep[key] = true end
    if undeclared(old, keep, 3) then return { 'retry', old } end
    for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
      if kind == 'i' and not keep[key] then redis.call('ZREM', key, member) end
    end
    dropped(old, redis.call('HGET', rec, 't'), keep, out)
  end
end
for i = 3, 2 + ni do redis.call('ZADD', KEYS[i], 0, member) end
redis.call('HSET', rec, 'd', ARGV[2], 'x', held, 't', ARGV[6])
redis.call('ZADD', KEYS[2], 0, member)
return out
`;

/**
 * On one tag's node: insert records of that tag, all or nothing (claims were made before).
 * KEYS: per record: record, partition, zsets…  ARGV: per record: #zsets, body, member, held, tokens.
 * Returns "ok" or "exists".
 */
export const RECORD_INSERT_MANY = `
local records = {}
local k, a = 1, 1
while a <= #ARGV do
  local ni = tonumber(ARGV[a])
  local r = { rec = KEYS[k], part = KEYS[k + 1], body = ARGV[a + 1], member = ARGV[a + 2], held = ARGV[a + 3], tokens = ARGV[a + 4], i = {} }
  for j = 1, ni do r.i[j] = KEYS[k + 1 + j] end
  k = k + 2 + ni
  a = a + 5
  if redis.call('EXISTS', r.rec) == 1 then return 'exists' end
  records[#records + 1] = r
end
for _, r in ipairs(records) do
  for _, key in ipairs(r.i) do redis.call('ZADD', key, 0, r.member) end
  redis.call('HSET', r.rec, 'd', r.body, 'x', r.held, 't', r.tokens)
  redis.call('ZADD', r.part, 0, r.member)
end
return 'ok'
`;

/**
 * Deletes a record with its partition entry and index zset entries. With ARGV[2] = "one-node"
 * it also frees its claims; otherwise it returns them, each with its token, for the caller to
 * free, and returns {"retry", x} when `x` names a zset not declared in KEYS.
 * KEYS: record, partition, the record's zsets…  ARGV: member, "one-node" | "".
 * Returns {"none"} | {"ok", claim key, token, …} | {"retry", x}.
 */
export const DELETE = `${OWNER_OF}${UNDECLARED}${DROPPED}
local rec, member = KEYS[1], ARGV[1]
if redis.call('EXISTS', rec) == 0 then return { 'none' } end
local old = redis.call('HGET', rec, 'x') or ''
local oneNode = ARGV[2] == 'one-node'
if not oneNode and undeclared(old, {}, 3) then return { 'retry', old } end
local claims = { 'ok' }
for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
  if kind == 'i' then
    redis.call('ZREM', key, member)
  elseif oneNode then
    local owner = redis.call('GET', key)
    if owner and ownerOf(owner) == rec then redis.call('DEL', key) end
  end
end
if not oneNode then dropped(old, redis.call('HGET', rec, 't'), {}, claims) end
redis.call('DEL', rec)
redis.call('ZREM', KEYS[2], member)
return claims
`;
