// Private celer-fcgi pools on the stack's database, driven over FastCGI (so a test picks each
// request's REMOTE_ADDR and talks to the workers with no nginx between), each with the settings
// the test gives it. Used by 60_ratelimit and 24_redis_outage.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV, CELER_BIN } from './env.mjs';
import { openRequest, cgiParams } from './fcgi.mjs';
import { waitFor } from './redis.mjs';

export const DB_KEYS = ['DB_CLIENT', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USER', 'DB_PASSWORD', 'DB_FILENAME'];

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

/**
 * A pool of `workers` workers listening on dir/<name>.sock, configured by the environment only
 * (the stack's database, an empty config file, extra on top). Returns {sock, proc}; proc.stderrText
 * holds its log. Stop every pool with stopPools(pools).
 */
export async function startPool(pools, dir, name, extra, workers = 2) {
	const sock = join(dir, `${name}.sock`);
	const env = { PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '' };
	for (const k of DB_KEYS) if (ENV[k]) env[k] = ENV[k];
	Object.assign(env, {
		FCGI_LISTEN: `unix:${sock}`, WORKERS: String(workers), SECRET: ENV.SECRET ?? 'pool-test',
		CONFIG_PATH: '/dev/null', STORAGE_LOCAL_ROOT: dir, LOG_LEVEL: 'warn', ...extra,
	});
	const proc = spawn(CELER_BIN, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	proc.stderrText = '';
	proc.stderr.on('data', (d) => (proc.stderrText += d));
	proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
	const pool = { sock, proc };
	pools.push(pool);
	assert.ok(await waitFor(() => existsSync(sock) && workerPids(proc.pid).length === workers), proc.stderrText);
	return pool;
}

export async function stopPools(pools) {
	for (const p of pools) {
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
