// Issue 8.4 and its bad input: Redis down, restarted, slow, stalled or refusing, under two pools
// that share it for the response cache (CACHE_STORE=redis), the rate limiter
// (RATE_LIMITER_STORE=redis) and the bus, as two Directus instances behind one load balancer.
// The pools talk to a redis-server of this file's own through a TCP proxy that can refuse, delay,
// stall or answer -ERR (lib/redis.mjs), so the stack's Redis, which other suites use, is never
// touched. What must hold: every request is answered from the database meanwhile (never a 500,
// never slower than Redis's short timeouts allow), /server/health says what Directus says, the
// connection comes back by itself, the cache and the bus are used again, and no pool ever serves
// an answer cached before the outage that a write made during it made stale. Then keys and
// values near the limits, CACHE_VALUE_MAX_SIZE, CACHE_TTL on every key, and 10,000 distinct
// query strings against the memory store with the worker's memory measured.
// Needs the stack's Redis (tests/stack up --redis) as the sign that Redis is wanted; skipped
// without it. OUTAGE_DEBUG=1 prints the pools' logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV } from './lib/env.mjs';
import { sql } from './lib/db.mjs';
import { HAVE_REDIS, waitFor, startRedis, startProxy } from './lib/redis.mjs';
import { startPool, stopPools, fcgi, workerPids, rssKiB } from './lib/pool.mjs';

const skip = !ENV.REDIS
	? 'the stack has no Redis (tests/stack up --redis)'
	: !HAVE_REDIS ? 'redis-server or redis-cli is not installed here' : false;

const NS = `outage-${process.pid}`;
const ADMIN = { authorization: 'Bearer admin-static-token' };
const ARTICLE = '/items/articles/1?fields=id,title';
const ORIGINAL = sql(`SELECT title FROM articles WHERE id = 1`)[0]?.[0];
// One worker answers within REDIS_COMMAND_TIMEOUT_MS (200 ms) per Redis call it tries; a request
// makes a few at most before the back-off keeps it away from Redis. Generous for loaded CI.
const BOUND_MS = 1500;

let dir, redis, proxy, A, B;
const pools = [];
let serial = 0;

function config() {
	return {
		REDIS: `redis://127.0.0.1:${proxy.port}`,
		CACHE_ENABLED: 'true', CACHE_STORE: 'redis', CACHE_TTL: '5m', CACHE_NAMESPACE: NS, CACHE_STATUS_HEADER: 'X-Cache',
		RATE_LIMITER_ENABLED: 'true', RATE_LIMITER_STORE: 'redis', RATE_LIMITER_POINTS: '1000000', RATE_LIMITER_DURATION: '60',
		LOG_LEVEL: process.env.OUTAGE_DEBUG ? 'info' : 'warn',
	};
}

before(async () => {
	if (skip) return;
	dir = mkdtempSync(join(tmpdir(), 'celer-outage-'));
	redis = await startRedis(dir);
	proxy = await startProxy(redis.port);
	A = await startPool(pools, dir, 'a', config(), 2);
	B = await startPool(pools, dir, 'b', config(), 1);
	A.name = 'pool A';
	B.name = 'pool B';
});

after(async () => {
	if (skip) return;
	sql(`UPDATE articles SET title = '${ORIGINAL.replaceAll("'", "''")}' WHERE id = 1`);
	if (process.env.OUTAGE_DEBUG) for (const p of pools) console.error(p.sock, p.proc.stderrText);
	await stopPools(pools);
	await proxy.close();
	await redis.close();
	rmSync(dir, { recursive: true, force: true });
	for (const p of pools) assert.doesNotMatch(p.proc.stderrText, /runtime error|Sanitizer|\berror\b/, `${p.sock} logged no error`);
});

/** GET as the admin: {status, title, cache (X-Cache), ms, res}; the answer is never a 500. */
async function read(pool, path = ARTICLE) {
	const t0 = Date.now();
	const res = await fcgi(pool, path, { headers: ADMIN });
	const ms = Date.now() - t0;
	assert.notEqual(res.status, 500, `${pool.name} ${path}: ${res.body}`);
	const data = res.status === 200 ? JSON.parse(res.body).data : undefined;
	return { status: res.status, title: data?.title, cache: res.headers['x-cache'], ms, res };
}

async function patchTitle(pool, title) {
	const t0 = Date.now();
	const res = await fcgi(pool, '/items/articles/1', { method: 'PATCH', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
	assert.equal(res.status, 200, res.body);
	assert.ok(Date.now() - t0 < BOUND_MS, `the write took ${Date.now() - t0} ms`);
	return title;
}

const newTitle = (what) => `${what} ${process.pid}-${++serial}`;

/** Reads through both pools until each has answered from the cache; every answer must be want. */
async function servedFreshThenCached(want, ms = 8000) {
	const hit = new Set();
	const ok = await waitFor(async () => {
		for (const p of [A, B]) {
			const r = await read(p);
			assert.equal(r.status, 200);
			assert.equal(r.title, want, `${p.name} served a stale answer (${r.cache})`);
			if (r.cache === 'HIT') hit.add(p);
		}
		return hit.size === 2;
	}, ms);
	assert.ok(ok, `both pools use the cache again (hits: ${[...hit].map((p) => p.name)})`);
}

/** An answer cached in Redis and served from there by both pools. */
async function cachedEverywhere() {
	const t = await patchTitle(A, newTitle('cached'));
	await servedFreshThenCached(t);
	return t;
}

async function health(pool) {
	const res = await fcgi(pool, '/server/health', { headers: ADMIN });
	return { status: res.status, body: JSON.parse(res.body) };
}

/** While Redis misbehaves: a write, then reads through both pools, all from the database. */
async function servedFromDatabase(what) {
	const t = await patchTitle(A, newTitle(what));
	for (const p of [A, B, A, B, A]) {
		const r = await read(p);
		assert.equal(r.status, 200);
		assert.equal(r.title, t, `${p.name}: the write is seen`);
		assert.notEqual(r.cache, 'HIT', `${p.name}: nothing comes from the cache`);
		assert.ok(r.ms < BOUND_MS, `${p.name} answered in ${r.ms} ms`);
	}
	return t;
}

test('Redis unreachable: reads, writes and logins answered from the database, health says so, nothing stale once it is back', { skip }, async () => {
	const before = await cachedEverywhere();
	await proxy.down();
	const during = await servedFromDatabase('written while Redis was down');
	assert.notEqual(during, before);
	// A list read too, and the rate limiter lets requests through (Directus would answer 500
	// once ioredis gives up; Celer serves, see INSTALL.md).
	const list = await read(B, '/items/articles?filter[id][_eq]=1&fields=title');
	assert.equal(JSON.parse(list.res.body).data[0].title, during);
	// Logins need the login-attempt limiter: 503 "Rate limiter unreachable", as Directus.
	const login = await fcgi(A, '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ENV.ADMIN_EMAIL ?? 'admin@example.com', password: ENV.ADMIN_PASSWORD ?? 'admin-password' }) });
	assert.equal(login.status, 503, login.body);
	const [err] = JSON.parse(login.body).errors;
	assert.equal(err.extensions.code, 'SERVICE_UNAVAILABLE');
	assert.match(err.message, /Rate limiter unreachable/);
	// /server/health: the Redis checks fail, as Directus's (the thrown ioredis error serializes
	// to {}), and the whole is an error: 503.
	const h = await health(A);
	assert.equal(h.status, 503);
	assert.equal(h.body.status, 'error');
	for (const [name, type] of [['cache:responseTime', 'cache'], ['rateLimiter:responseTime', 'ratelimiter']]) {
		const [c] = h.body.checks[name];
		assert.deepEqual(Object.keys(c), ['status', 'componentType', 'observedValue', 'observedUnit', 'threshold', 'output']);
		assert.equal(c.status, 'error');
		assert.equal(c.componentType, type);
		assert.deepEqual(c.output, {});
	}
	assert.equal(h.body.checks['pg:responseTime']?.[0].status ?? 'ok', 'ok');

	// Back: the entry of `before` is still in Redis (it kept its data), but no pool serves it.
	assert.ok(redis.cli('KEYS', `${NS}:resp:*`).stdout.trim(), 'the pre-outage entry survived in Redis');
	await proxy.up();
	await servedFreshThenCached(during);
	// Every worker is back once its back-off (2 s at most) has passed.
	let ok;
	assert.ok(await waitFor(async () => (ok = await health(A)).status === 200 && (await health(A)).status === 200, 4000), JSON.stringify(ok?.body));
	assert.equal(ok.body.checks['cache:responseTime'][0].status, 'ok');
	assert.equal(ok.body.checks['rateLimiter:responseTime'][0].status, 'ok');
});

test('Redis restarted (keys lost): the connections and the bus subscription come back by themselves', { skip }, async () => {
	const cached = await cachedEverywhere();
	await redis.stop();
	const during = await servedFromDatabase('written while Redis was restarting');
	await redis.start();
	assert.notEqual(during, cached);
	await servedFreshThenCached(during);
	// Both masters listen on the bus again (through the proxy: the same Redis).
	const subscribers = () => Number(redis.cli('PUBSUB', 'NUMSUB', 'directus:bus:celer.invalidate').stdout.trim().split('\n')[1]);
	assert.ok(await waitFor(() => subscribers() === 2, 5000), `subscribers: ${subscribers()}`);
	// A schema change behind the API, announced through A, reaches B's worker within a second.
	const col = `outage_probe_${process.pid}`;
	const probe = () => fcgi(B, `/items/tags?fields=${col}&limit=1`, { headers: ADMIN }).then((r) => r.status);
	// (a resubscribe makes every worker rebuild its caches on its next request: that one first)
	assert.equal(await probe(), 403);
	sql(`ALTER TABLE tags ADD COLUMN ${col} VARCHAR(20)`);
	try {
		assert.equal(await probe(), 403, 'B has not been told yet');
		assert.equal((await fcgi(A, '/utils/cache/clear?system', { method: 'POST', headers: ADMIN })).status, 200);
		assert.ok(await waitFor(async () => (await probe()) === 200, 1000), 'B heard it on the bus');
	} finally {
		sql(`ALTER TABLE tags DROP COLUMN ${col}`);
		await fcgi(A, '/utils/cache/clear?system', { method: 'POST', headers: ADMIN });
	}
});

test('a schema change announced while Redis stalls reaches the other pool once Redis answers again', { skip }, async () => {
	const col = `outage_stall_${process.pid}`;
	const probe = () => fcgi(B, `/items/tags?fields=${col}&limit=1`, { headers: ADMIN }).then((r) => r.status);
	assert.equal(await probe(), 403);
	sql(`ALTER TABLE tags ADD COLUMN ${col} VARCHAR(20)`);
	try {
		proxy.mode = 'stall';
		// Announced through A: the message cannot reach B (nothing comes back through Redis).
		assert.equal((await fcgi(A, '/utils/cache/clear?system', { method: 'POST', headers: ADMIN })).status, 200);
		await sleep(300);
		assert.equal(await probe(), 403, 'B has not heard it');
		proxy.mode = 'pass';
		// A's master says it again once Redis answers (it looks every second).
		assert.ok(await waitFor(async () => (await probe()) === 200, 4000), 'B heard it after all');
	} finally {
		proxy.mode = 'pass';
		sql(`ALTER TABLE tags DROP COLUMN ${col}`);
		await fcgi(A, '/utils/cache/clear?system', { method: 'POST', headers: ADMIN });
	}
});

const troubles = [
	['answering 1 s late (past the command timeout)', () => (proxy.delayMs = 1000), () => (proxy.delayMs = 0)],
	['stalled (connections accepted, never an answer)', () => (proxy.mode = 'stall'), () => (proxy.mode = 'pass')],
	['paused (CLIENT PAUSE)', () => redis.cli('CLIENT', 'PAUSE', '2500', 'ALL'), () => sleep(2600)],
	['answering -ERR to every command', () => (proxy.mode = 'error'), () => (proxy.mode = 'pass')],
];

for (const [label, start, end] of troubles) {
	test(`Redis ${label}: bounded answers from the database, no 500, nothing stale after`, { skip }, async () => {
		await cachedEverywhere();
		await start();
		let during;
		try {
			during = await servedFromDatabase(label);
			const login = await fcgi(B, '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'x' }) });
			assert.ok([401, 503].includes(login.status), `login: ${login.status} ${login.body}`);
		} finally {
			await end();
		}
		await servedFreshThenCached(during);
	});
}

test('Redis slow but within the timeout (50 ms per answer): the cache is used, answers are right', { skip }, async () => {
	proxy.delayMs = 50;
	try {
		const t = await cachedEverywhere();
		const r = await read(B);
		assert.equal(r.cache, 'HIT');
		assert.equal(r.title, t);
	} finally {
		proxy.delayMs = 0;
	}
});

// ------------------------------------------------------------------ bad input

test('keys and values near the limits: a 16 KB query string, answers over CACHE_VALUE_MAX_SIZE, CACHE_TTL on every key', { skip }, async () => {
	// The longest request line nginx passes (large_client_header_buffers 16k): the key is a
	// digest, so Redis sees 64 hex characters whatever the query.
	const long = `${ARTICLE}&pad=${'x'.repeat(16 * 1024 - 200)}`;
	const first = await read(A, long);
	assert.equal(first.status, 200);
	assert.equal(first.cache, 'MISS');
	const again = await read(B, long);
	assert.equal(again.cache, 'HIT');
	assert.equal(again.res.body, first.res.body);
	const keys = redis.cli('KEYS', `${NS}:resp:*`).stdout.trim().split('\n');
	for (const k of keys) assert.equal(k.length, `${NS}:resp:`.length + 64, k);
	// Every entry and tag set carries CACHE_TTL (5m); versions and the epoch are one per
	// collection, without one.
	for (const k of redis.cli('KEYS', `${NS}:*`).stdout.trim().split('\n')) {
		const ttl = Number(redis.cli('PTTL', k).stdout.trim());
		if (/:(resp|tag):/.test(k)) assert.ok(ttl > 0 && ttl <= 300000, `${k}: PTTL ${ttl}`);
		else assert.match(k, /:(ver:[^:]+|epoch:)$/);
	}

	// A pool that caches at most 2,000 bytes: bigger answers are served in full, never stored.
	const small = await startPool(pools, dir, 'small', { ...config(), CACHE_VALUE_MAX_SIZE: '2000', CACHE_NAMESPACE: `${NS}-small` }, 1);
	small.name = 'pool small';
	const big = '/items/comments?limit=-1';
	const full = await read(A, big);
	assert.ok(full.res.body.length > 2000);
	for (let i = 0; i < 2; i++) {
		const r = await read(small, big);
		assert.equal(r.status, 200);
		assert.equal(r.cache, 'MISS');
		assert.equal(r.res.body, full.res.body);
		assert.equal(r.res.headers['cache-control'], 'no-cache');
	}
	assert.equal(redis.cli('KEYS', `${NS}-small:resp:*`).stdout.trim(), '');
	await read(small, ARTICLE);
	assert.equal((await read(small, ARTICLE)).cache, 'HIT', 'small answers are still cached');
});

test('10,000 distinct query strings from one client, memory store: the worker stays bounded in memory', { skip: skip || (process.env.ASAN_OPTIONS && 'RSS means nothing under ASan') }, async () => {
	const mem = await startPool(pools, dir, 'memory', { CACHE_ENABLED: 'true', CACHE_STORE: 'memory', CACHE_TTL: '5m', CACHE_STATUS_HEADER: 'X-Cache', LOG_LEVEL: 'error' }, 1);
	mem.name = 'pool memory';
	const [worker] = workerPids(mem.proc.pid);
	// Answers of over 8 KB: the 8,500 measured, were they all kept, would grow it by 70 MB or more;
	// the store keeps 1,024 entries at most (lib/cache/respcache.h).
	const path = (i) => `/items/comments?limit=100&fields=*&q=${i}`;
	const burst = async (from, n) => {
		for (let i = from; i < from + n; i += 8) {
			const rs = await Promise.all(Array.from({ length: Math.min(8, from + n - i) }, (_, j) => fcgi(mem, path(i + j), { headers: ADMIN })));
			for (const r of rs) assert.equal(r.status, 200, r.body);
		}
	};
	await burst(0, 1500); // fill the table once: the baseline is a full store
	const size = (await fcgi(mem, path(0), { headers: ADMIN })).body.length;
	assert.ok(size > 8000, `answers of ${size} bytes`);
	const before = rssKiB(worker);
	await burst(1500, 8500);
	const after = rssKiB(worker);
	assert.deepEqual(workerPids(mem.proc.pid), [worker], 'the same worker served them all');
	const grownMiB = (after - before) / 1024;
	if (process.env.OUTAGE_DEBUG) console.error(`RSS ${before} → ${after} KiB, answers of ${size} bytes`);
	assert.ok(grownMiB < 40, `VmRSS grew by ${grownMiB.toFixed(1)} MiB (${before} → ${after} KiB) over 8,500 more distinct answers of ${size} bytes`);
	// Still a working cache.
	await fcgi(mem, path(42), { headers: ADMIN });
	assert.equal((await fcgi(mem, path(42), { headers: ADMIN })).headers['x-cache'], 'HIT');
});
