// Private celer-fcgi pools on the stack's database, driven over FastCGI (so a test picks each
// request's REMOTE_ADDR and talks to the workers with no nginx between), each with the settings
// the test gives it. Two ways to configure one:
//  - startPool(pools, dir, name, extra, workers): the environment only (the stack's database
//    keys, an empty config file, extra on top) — 60_ratelimit, 24_redis_outage;
//  - startStackPool(extra): the stack's own config file with extra over it, for tests that need
//    everything the stack's pool runs with but a setting or two (the response cache, a worker
//    count) — 23_respcache, 45_system_write. stopStackPools() ends them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, CELER_BIN } from './env.mjs';
import { openRequest, cgiParams, request as fcgiRequest } from './fcgi.mjs';
import { waitFor } from './redis.mjs';

export const DB_KEYS = ['DB_CLIENT', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USER', 'DB_PASSWORD', 'DB_FILENAME'];
const SANITIZER_KEYS = ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'];

export function workerPids(pid) {
	const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
	return out ? out.split('\n').map(Number) : [];
}

/** VmRSS of a process in KiB (0 when it is gone). */
export function rssKiB(pid) {
	try {
		const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/** Spawns the pool binary with env and waits until its socket answers with `workers` workers.
 *  proc.stderrText holds its log; proc.exited resolves however it ends (a failed spawn too, so
 *  a test that stops it never waits forever). */
async function spawnPool(env, sock, workers) {
	for (const k of SANITIZER_KEYS) if (process.env[k] && !(k in env)) env[k] = process.env[k];
	const proc = spawn(CELER_BIN, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	proc.stderrText = '';
	proc.stderr.on('data', (d) => (proc.stderrText += d));
	proc.exited = new Promise((resolve) => {
		proc.on('exit', (code, signal) => resolve({ code, signal }));
		proc.on('error', (error) => resolve({ error }));
	});
	const up = await waitFor(() => existsSync(sock) && workerPids(proc.pid).length === workers);
	return { proc, up };
}

/**
 * A pool of `workers` workers listening on dir/<name>.sock, configured by the environment only
 * (the stack's database, an empty config file, extra on top). Returns {sock, proc}. Stop every
 * pool with stopPools(pools).
 */
export async function startPool(pools, dir, name, extra, workers = 2) {
	const sock = join(dir, `${name}.sock`);
	const env = { PATH: process.env.PATH };
	for (const k of DB_KEYS) if (ENV[k]) env[k] = ENV[k];
	Object.assign(env, {
		FCGI_LISTEN: `unix:${sock}`, WORKERS: String(workers), SECRET: ENV.SECRET ?? 'pool-test',
		CONFIG_PATH: '/dev/null', STORAGE_LOCAL_ROOT: dir, LOG_LEVEL: 'warn', ...extra,
	});
	const pool = { sock };
	pools.push(pool);
	const { proc, up } = await spawnPool(env, sock, workers);
	pool.proc = proc;
	assert.ok(up, proc.stderrText);
	return pool;
}

export async function stopPools(pools) {
	for (const p of pools) {
		if (!p.proc) continue;
		if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM');
		await p.proc.exited;
	}
}

/** One request: REMOTE_ADDR is what nginx passes, xff an X-Forwarded-For; body a string. */
export async function fcgi(pool, path, { ip = '127.0.0.1', xff, headers = {}, method = 'GET', body = '' } = {}) {
	const h = { ...headers };
	if (xff) h['x-forwarded-for'] = xff;
	const r = openRequest(pool.sock, { ...cgiParams(method, path, { headers: h, body }), REMOTE_ADDR: ip });
	if (body) r.sendBody(body);
	r.end();
	return r.response;
}

const stackPools = [];

/** A pool on the stack's config file with extra over it (2 workers unless extra says); with
 *  { storage: true } its own local storage root, dir/uploads, is set as well. Resolves to
 *  request(method, path, headers = {}, body) → {status, headers, body, json}: a string or
 *  Buffer body is sent as it is, anything else as JSON. request.uploads is the storage root. */
export async function startStackPool(extra, { storage = false } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'celer-pool-'));
	const sock = join(dir, 'celer.sock');
	const uploads = join(dir, 'uploads');
	const settings = {
		FCGI_LISTEN: `unix:${sock}`, WORKERS: '2', LOG_LEVEL: 'warn',
		...(storage ? { STORAGE_LOCATIONS: 'local', STORAGE_LOCAL_ROOT: uploads } : {}), ...extra,
	};
	const overridden = (l) => /^(FCGI_LISTEN|PID_FILE|WORKERS|LOG_LEVEL|CACHE_[A-Z_]+)=/.test(l) || Object.hasOwn(settings, l.split('=')[0]);
	const base = readFileSync(ENV.CONFIG_PATH, 'utf8').split('\n').filter((l) => !overridden(l)).join('\n');
	writeFileSync(join(dir, 'pool.env'), `${base}\n${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
	const entry = { dir };
	stackPools.push(entry);
	const { proc, up } = await spawnPool({ PATH: process.env.PATH, CONFIG_PATH: join(dir, 'pool.env') }, sock, Number(settings.WORKERS));
	entry.proc = proc;
	assert.ok(up, proc.stderrText);
	const request = async (method, path, headers = {}, body) => {
		const raw = body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
		const r = await fcgiRequest(sock, method, path, body === undefined ? { headers }
			: raw ? { headers, body } : { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
		let json;
		try {
			json = JSON.parse(r.body);
		} catch {
			json = undefined;
		}
		return { ...r, json };
	};
	request.uploads = uploads;
	return request;
}

/** Ends every pool startStackPool started; each must have logged no error. */
export async function stopStackPools() {
	for (const { proc, dir } of stackPools.splice(0)) {
		if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
		if (proc) await proc.exited;
		rmSync(dir, { recursive: true, force: true });
		if (proc) assert.doesNotMatch(proc.stderrText, /runtime error|Sanitizer|\berror\b/, 'the pool logged no error');
	}
}
