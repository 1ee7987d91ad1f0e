// The rate limiters (RATE_LIMITER_* / RATE_LIMITER_GLOBAL_*), on small pools of their own driven
// over FastCGI (so each request can come from any REMOTE_ADDR), with the stack's database. The
// redis store runs against a redis-server this file starts on a free port, so that it can stop,
// freeze and restart it: a Redis that is down or slow must never turn a request into an error,
// and the limiter must count again once Redis is back. RL_DEBUG=1 prints the pools' logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, CELER_BIN, ROOT } from './lib/env.mjs';
import { HAVE_REDIS, waitFor, freePort, startRedis } from './lib/redis.mjs';
import { DB_KEYS, startPool as startPoolIn, stopPools, workerPids, fcgi as get } from './lib/pool.mjs';

const LIMITS = { RATE_LIMITER_ENABLED: 'true', RATE_LIMITER_POINTS: '3', RATE_LIMITER_DURATION: '20' };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let dir;
const pools = [];
let redis; // { port, proc }

/** A pool of `workers` workers on a socket of its own; extra is its configuration. */
function startPool(name, extra, workers = 2) {
	return startPoolIn(pools, dir, name, extra, workers);
}

/** Directus's 429, byte for byte where it is deterministic. */
function assert429(res, limit, durationS) {
	assert.equal(res.status, 429, res.body);
	const h = res.headers;
	assert.equal(h['content-type'], 'application/json; charset=utf-8');
	assert.equal(h['x-powered-by'], 'Directus');
	assert.ok(h['content-security-policy']);
	assert.match(h.etag, /^W\/"[0-9a-f]+-/);
	assert.equal(h['cache-control'], undefined, 'error headers: no Cache-Control');
	assert.equal(h.vary, undefined, 'error headers: no Vary');
	const retry = Number(h['retry-after']);
	assert.ok(Number.isInteger(retry) && retry <= durationS && retry >= durationS - 2, h['retry-after']);
	const body = JSON.parse(res.body);
	assert.deepEqual(Object.keys(body), ['errors']);
	assert.equal(body.errors.length, 1);
	const [e] = body.errors;
	assert.deepEqual(Object.keys(e), ['message', 'extensions']);
	assert.deepEqual(Object.keys(e.extensions), ['limit', 'reset', 'code']);
	assert.equal(e.message, `Too many requests, retry after ${retry}s.`);
	assert.equal(e.extensions.code, 'REQUESTS_EXCEEDED');
	assert.equal(e.extensions.limit, limit);
	assert.match(e.extensions.reset, ISO);
	const left = Date.parse(e.extensions.reset) - Date.now();
	assert.ok(left > (retry - 1) * 1000 && left <= durationS * 1000 + 50, `reset in ${left} ms`);
	// The body is exactly Directus's, with that reset.
	assert.equal(res.body, `{"errors":[{"message":"Too many requests, retry after ${retry}s.","extensions":{"limit":${limit},"reset":"${e.extensions.reset}","code":"REQUESTS_EXCEEDED"}}]}`);
}

/** Sends n pings from one client and returns their statuses. */
async function pings(pool, n, opts) {
	const out = [];
	for (let i = 0; i < n; i++) out.push((await get(pool, '/server/ping', opts)).status);
	return out;
}

async function health(pool, ip) {
	const res = await get(pool, '/server/health', { ip, headers: { authorization: `Bearer ${ENV.ADMIN_TOKEN}` } });
	return { status: res.status, body: JSON.parse(res.body) };
}

// ------------------------------------------------------------------ our own redis-server

const redisCli = (...args) => redis.cli(...args);

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'celer-rl-'));
	writeFileSync(join(dir, 'none.env'), '');
	if (HAVE_REDIS) redis = await startRedis(dir);
});

after(async () => {
	if (process.env.RL_DEBUG) for (const p of pools) console.error(p.sock, p.proc.stderrText);
	await stopPools(pools);
	if (redis) await redis.close();
	rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ memory store

let memory;

test('memory store: past RATE_LIMITER_POINTS /server/ping answers 429 REQUESTS_EXCEEDED as Directus does', async () => {
	memory = await startPool('memory', { ...LIMITS, RATE_LIMITER_STORE: 'memory' }, 4);
	for (let i = 0; i < 3; i++) {
		const res = await get(memory, '/server/ping', { ip: '192.0.2.1' });
		assert.equal(res.status, 200);
		assert.equal(res.body, 'pong');
	}
	const res = await get(memory, '/server/ping', { ip: '192.0.2.1' });
	assert429(res, 3, 20);
	assert.equal(res.headers['retry-after'], '20', 'the window opened a moment ago');
	// Refused requests keep being refused until the window ends.
	assert429(await get(memory, '/server/info', { ip: '192.0.2.1' }), 3, 20);
	const head = await get(memory, '/server/ping', { ip: '192.0.2.1', method: 'HEAD' });
	assert.equal(head.status, 429);
	assert.equal(head.body, '');
	assert.equal(head.headers['retry-after'], res.headers['retry-after']);
	assert.equal(head.headers['cache-control'], undefined);
});

test('every route counts (unknown ones too), but `/` and robots.txt are answered before the limiters', async () => {
	const ip = '192.0.2.2';
	for (let i = 0; i < 5; i++) {
		assert.equal((await get(memory, '/', { ip })).status, 302);
		assert.equal((await get(memory, '/robots.txt', { ip })).status, 200);
	}
	// A malformed JSON body fails in the body parser, before the limiters: not counted either.
	const bad = await get(memory, '/server/info', { ip, method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
	assert.equal(bad.status, 400);
	assert.equal((await get(memory, '/server/info', { ip })).status, 200);
	assert.equal((await get(memory, '/no/such/route', { ip })).status, 404);
	assert.equal((await get(memory, '/server/info', { ip, method: 'POST' })).status, 404);
	assert429(await get(memory, '/server/ping', { ip }), 3, 20);
	assert429(await get(memory, '/no/such/route', { ip }), 3, 20);
});

test('each client IP has its own bucket: X-Forwarded-For (IP_TRUST_PROXY) and REMOTE_ADDR', async () => {
	assert.deepEqual(await pings(memory, 4, { xff: '203.0.113.1' }), [200, 200, 200, 429]);
	assert.deepEqual(await pings(memory, 1, { xff: '203.0.113.2, 10.0.0.1' }), [200]);
	// The first X-Forwarded-For entry is the client, whatever proxy REMOTE_ADDR is.
	assert.deepEqual(await pings(memory, 1, { xff: '203.0.113.1', ip: '10.1.1.1' }), [429]);
	assert.deepEqual(await pings(memory, 4, { ip: '198.51.100.7' }), [200, 200, 200, 429]);
	assert.deepEqual(await pings(memory, 1, { ip: '198.51.100.8' }), [200]);
	// IPv4-mapped IPv6 is the same client (Directus strips ::ffff:).
	assert.deepEqual(await pings(memory, 1, { ip: '::ffff:198.51.100.7' }), [429]);
	assert.deepEqual(await pings(memory, 4, { ip: '2001:db8::7' }), [200, 200, 200, 429]);
	// Not an IP in X-Forwarded-For: the socket address counts.
	assert.deepEqual(await pings(memory, 1, { xff: 'garbage', ip: '198.51.100.8' }), [200]);
});

test('memory store: one count for the whole pool, whichever worker serves the request', async () => {
	assert.equal(workerPids(memory.proc.pid).length, 4);
	const ip = '192.0.2.40';
	const all = await Promise.all(Array.from({ length: 16 }, () => get(memory, '/server/ping', { ip })));
	const ok = all.filter((r) => r.status === 200).length;
	assert.equal(ok, 3, `statuses ${all.map((r) => r.status)}`);
	for (const r of all) if (r.status !== 200) assert429(r, 3, 20);
});

test('/server/health for an admin adds rateLimiter:responseTime (memory store)', async () => {
	const { body } = await health(memory, '192.0.2.50');
	const names = Object.keys(body.checks);
	assert.ok(names.includes('rateLimiter:responseTime'), names.join());
	assert.ok(!names.includes('rateLimiterGlobal:responseTime'));
	assert.ok(!names.includes('cache:responseTime'));
	// Directus's order: database, cache, limiters, storage, email.
	assert.ok(names.indexOf('rateLimiter:responseTime') < names.indexOf('storage:local:responseTime'));
	const [c] = body.checks['rateLimiter:responseTime'];
	assert.deepEqual(Object.keys(c), ['status', 'componentType', 'observedValue', 'observedUnit', 'threshold']);
	assert.equal(c.status, 'ok');
	assert.equal(c.componentType, 'ratelimiter');
	assert.equal(c.observedUnit, 'ms');
	assert.equal(c.threshold, 150);
	assert.equal(typeof c.observedValue, 'number');
	// The probe gives its point back: the health caller's own bucket is charged once per request.
	assert.deepEqual(await pings(memory, 3, { ip: '192.0.2.50' }), [200, 200, 429]);
});

test('global limiter: one bucket checked before the IP buckets', async () => {
	const pool = await startPool('global', {
		...LIMITS, RATE_LIMITER_GLOBAL_ENABLED: 'true', RATE_LIMITER_GLOBAL_POINTS: '5', RATE_LIMITER_GLOBAL_DURATION: '20',
	});
	for (let i = 1; i <= 5; i++) assert.equal((await get(pool, '/server/ping', { ip: `192.0.2.${100 + i}` })).status, 200);
	assert429(await get(pool, '/server/ping', { ip: '192.0.2.106' }), 5, 20);
	assert429(await get(pool, '/server/ping', { ip: '192.0.2.101' }), 5, 20);
});

test('the global limiter needs the IP limiter and a higher rate, else start-up fails as in Directus', async () => {
	const env = { PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', FCGI_LISTEN: `unix:${join(dir, 'x.sock')}`, CONFIG_PATH: join(dir, 'none.env') };
	for (const k of DB_KEYS) if (ENV[k]) env[k] = ENV[k];
	for (const extra of [
		{ RATE_LIMITER_GLOBAL_ENABLED: 'true' },
		{ ...LIMITS, RATE_LIMITER_GLOBAL_ENABLED: 'true', RATE_LIMITER_GLOBAL_POINTS: '3', RATE_LIMITER_GLOBAL_DURATION: '20' },
	]) {
		const r = spawnSync(CELER_BIN, [], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 5000 });
		assert.equal(r.status, 78, JSON.stringify(extra));
		assert.match(r.stderr, /RATE_LIMITER_GLOBAL/);
	}
});

// ------------------------------------------------------------------ nginx's limit_req snippet

const NGINX = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];

test("nginx/snippets: the optional edge limiter (off until rendered) answers with Directus's envelope", { skip: NGINX ? false : 'nginx is not installed' }, async () => {
	const pool = await startPool('edge', {}, 1);
	const prefix = join(dir, 'nginx'), port = await freePort();
	const render = spawnSync(join(ROOT, 'nginx/render'), ['--prefix', prefix, '--listen', `127.0.0.1:${port}`,
		'--fcgi', `unix:${pool.sock}`, '--daemon', 'off', '--workers', '1', '--access-log', 'off'], { encoding: 'utf8' });
	assert.equal(render.status, 0, render.stderr);
	const nginx = spawn(NGINX, ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: 'ignore' });
	const exited = new Promise((resolve) => nginx.on('exit', resolve));
	// One connection per request (no keep-alive): a reload closes idle connections.
	const hit = (xff) => new Promise((resolve, reject) => {
		const req = http.get({ host: '127.0.0.1', port, path: '/server/ping', agent: false, headers: { 'x-forwarded-for': xff } }, (res) => {
			let text = '';
			res.on('data', (d) => (text += d));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
		});
		req.on('error', reject);
	});
	try {
		assert.ok(await waitFor(async () => (await hit('203.0.113.70').catch(() => ({}))).status === 200), 'nginx serves');
		for (let i = 0; i < 5; i++) assert.equal((await hit('203.0.113.70')).status, 200, 'not limited by default');
		const r = spawnSync(join(ROOT, 'nginx/snippets/render-rate-limit'), ['--prefix', prefix, '--points', '3', '--duration', '20'], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		process.kill(nginx.pid, 'SIGHUP');
		// The reload is asynchronous: each try uses a fresh client address (realip trusts
		// X-Forwarded-For from this host).
		let got, n = 0;
		assert.ok(await waitFor(async () => {
			const xff = `203.0.113.${100 + n++}`;
			got = [];
			try {
				for (let i = 0; i < 4; i++) got.push(await hit(xff));
			} catch {
				return false; // a connection the reload cut: try again with a fresh address
			}
			return got.map((g) => g.status).join() === '200,200,200,429';
		}, 5000), 'limited after the reload');
		const refused = got[3];
		assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
		assert.equal(refused.headers['retry-after'], '20');
		assert.equal(refused.text, '{"errors":[{"message":"Too many requests, retry after 20s.","extensions":{"limit":3,"code":"REQUESTS_EXCEEDED"}}]}');
	} finally {
		nginx.kill('SIGQUIT');
		await exited;
	}
});

// ------------------------------------------------------------------ redis store

const needRedis = { skip: HAVE_REDIS ? false : 'redis-server is not installed' };
let red, red2;

test('redis store: same answers, one count for every worker of every pool on that Redis', needRedis, async () => {
	const cfg = { ...LIMITS, RATE_LIMITER_STORE: 'redis', REDIS: `redis://127.0.0.1:${redis.port}`, CACHE_ENABLED: 'true', CACHE_STORE: 'redis', CACHE_STATUS_HEADER: 'X-Cache', CACHE_NAMESPACE: `rl-${process.pid}` };
	red = await startPool('redis', cfg, 3);
	red2 = await startPool('redis2', cfg, 1);
	assert.deepEqual(await pings(red, 2, { ip: '192.0.2.200' }), [200, 200]);
	assert.deepEqual(await pings(red2, 1, { ip: '192.0.2.200' }), [200]);
	const res = await get(red, '/server/ping', { ip: '192.0.2.200' });
	assert429(res, 3, 20);
	assert.equal(res.headers['retry-after'], '20');
	assert429(await get(red2, '/server/ping', { ip: '192.0.2.200' }), 3, 20);
	// rate-limiter-flexible's layout: rlflx:<ip>, an integer with a TTL of the duration.
	const pttl = Number(redisCli('PTTL', 'rlflx:192.0.2.200').stdout.trim());
	assert.ok(pttl > 18000 && pttl <= 20000, `PTTL ${pttl}`);
	assert.equal(redisCli('GET', 'rlflx:192.0.2.200').stdout.trim(), '5');
	assert.deepEqual(await pings(red, 4, { xff: '203.0.113.9' }), [200, 200, 200, 429]);
});

test('redis store: /server/health adds cache:responseTime (CACHE_STORE=redis) and rateLimiter:responseTime', needRedis, async () => {
	const { status, body } = await health(red, '192.0.2.201');
	const names = Object.keys(body.checks);
	const i = names.indexOf('cache:responseTime'), j = names.indexOf('rateLimiter:responseTime');
	assert.ok(i > 0 && j === i + 1, names.join());
	for (const [name, type] of [['cache:responseTime', 'cache'], ['rateLimiter:responseTime', 'ratelimiter']]) {
		const [c] = body.checks[name];
		assert.deepEqual(Object.keys(c), ['status', 'componentType', 'observedValue', 'observedUnit', 'threshold']);
		assert.equal(c.status, 'ok');
		assert.equal(c.componentType, type);
		assert.equal(c.threshold, 150);
	}
	assert.notEqual(status, 500);
	// The probes leave no key behind.
	assert.equal(redisCli('KEYS', '*health-*').stdout.trim(), '');
});

test('Redis answering with an error: the request is served (fail open), never a 500', needRedis, async () => {
	redisCli('SET', 'rlflx:192.0.2.210', 'not-a-number');
	assert.deepEqual(await pings(red, 6, { ip: '192.0.2.210' }), [200, 200, 200, 200, 200, 200]);
	redisCli('DEL', 'rlflx:192.0.2.210');
	assert.deepEqual(await pings(red, 4, { ip: '192.0.2.210' }), [200, 200, 200, 429]);
});

test('Redis frozen (SIGSTOP): requests wait at most the short timeout and are served', needRedis, async () => {
	process.kill(redis.proc.pid, 'SIGSTOP');
	try {
		for (let i = 0; i < 6; i++) {
			const t0 = Date.now();
			const res = await get(red, '/server/ping', { ip: '192.0.2.220' });
			assert.equal(res.status, 200);
			assert.ok(Date.now() - t0 < 1500, `answered in ${Date.now() - t0} ms`);
		}
		const h = await health(red, '192.0.2.221');
		assert.equal(h.status, 503);
		assert.equal(h.body.status, 'error');
		assert.equal(h.body.checks['rateLimiter:responseTime'][0].status, 'error');
	} finally {
		process.kill(redis.proc.pid, 'SIGCONT');
	}
	// Counting resumes once Redis answers again (after the back-off).
	const ip = '192.0.2.222';
	assert.ok(await waitFor(async () => (await get(red, '/server/ping', { ip })).status === 429, 8000), 'limits again');
});

test('Redis down, then restarted: served meanwhile (never 500), limited again once it is back', needRedis, async () => {
	await redis.stop();
	const statuses = [];
	for (let i = 0; i < 10; i++) {
		for (const p of [red, red2]) {
			const t0 = Date.now();
			const res = await get(p, '/server/ping', { ip: '192.0.2.230' });
			statuses.push(res.status);
			assert.ok(Date.now() - t0 < 1000, `answered in ${Date.now() - t0} ms`);
		}
	}
	assert.deepEqual([...new Set(statuses)], [200]);
	const h = await health(red, '192.0.2.231');
	assert.equal(h.status, 503);
	const [c] = h.body.checks['cache:responseTime'];
	assert.equal(c.status, 'error');
	assert.deepEqual(Object.keys(c), ['status', 'componentType', 'observedValue', 'observedUnit', 'threshold', 'output']);
	// Other routes keep working too, and reads are answered from the database (the response
	// cache on Redis is skipped, never an error).
	assert.equal((await get(red, '/server/info', { ip: '192.0.2.232' })).status, 200);
	const item = { ip: '192.0.2.233', headers: { authorization: `Bearer ${ENV.ADMIN_TOKEN}` } };
	for (let i = 0; i < 3; i++) {
		const r = await get(red, '/items/articles/1?fields=id,title', item);
		assert.equal(r.status, 200);
		assert.equal(JSON.parse(r.body).data.id, 1);
		assert.notEqual(r.headers['x-cache'], 'HIT');
	}

	await redis.start();
	// Workers that failed to connect meanwhile wait out their back-off (2 s at most).
	await sleep(2200);
	for (const p of [red, red2]) {
		const ip = p === red ? '192.0.2.240' : '192.0.2.241';
		assert.ok(await waitFor(async () => (await get(p, '/server/ping', { ip })).status === 429, 8000), 'limits again');
	}
	// Every worker is back: a burst over all of them counts exactly.
	const ip = '192.0.2.242';
	const all = await Promise.all(Array.from({ length: 12 }, () => get(red, '/server/ping', { ip })));
	assert.equal(all.filter((r) => r.status === 200).length, 3, `statuses ${all.map((r) => r.status)}`);
	assert.equal(all.filter((r) => r.status === 500).length, 0);
	// The response cache is used again: a read is stored, then a hit in every worker.
	// (each try from another client IP, so that the rate limiter stays out of it)
	let n = 0;
	const again = () => ({ ip: `198.51.100.${++n}`, headers: { authorization: `Bearer ${ENV.ADMIN_TOKEN}` } });
	assert.equal((await get(red, '/items/articles/2?fields=id', again())).status, 200);
	assert.ok(await waitFor(async () => (await get(red, '/items/articles/2?fields=id', again())).headers['x-cache'] === 'HIT'), 'cached again');
	const ok = await health(red, '192.0.2.243');
	assert.equal(ok.body.checks['cache:responseTime'][0].status, 'ok');
	assert.equal(ok.body.checks['rateLimiter:responseTime'][0].status, 'ok');
});

test('a Redis restart between two requests costs nothing: stale connections are reopened and the command sent again', needRedis, async () => {
	await redis.stop();
	await redis.start();
	const ip = '192.0.2.250';
	const all = await Promise.all(Array.from({ length: 12 }, () => get(red, '/server/ping', { ip })));
	assert.equal(all.filter((r) => r.status === 200).length, 3, `statuses ${all.map((r) => r.status)}`);
	assert.equal(redisCli('GET', `rlflx:${ip}`).stdout.trim(), '12');
});
