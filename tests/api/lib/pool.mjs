// A private Celer pool on the stack's database, for tests that need settings the stack's own pool
// does not run with (the response cache, a worker count): the stack's config with FCGI_LISTEN on a
// socket of its own and `extra` over it. Talk to it over FastCGI (lib/fcgi.mjs); stopPools() at
// the end ends every pool started and removes its files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, CELER_BIN } from './env.mjs';
import { request as fcgiRequest } from './fcgi.mjs';

export const pools = [];

/** Starts a pool; resolves to request(method, path, headers = {}, body) → {status, headers, body}. */
export async function startPool(extra) {
	const dir = mkdtempSync(join(tmpdir(), 'celer-pool-'));
	const sock = join(dir, 'celer.sock');
	const base = readFileSync(ENV.CONFIG_PATH, 'utf8')
		.split('\n')
		.filter((l) => !/^(FCGI_LISTEN|PID_FILE|WORKERS|LOG_LEVEL|CACHE_[A-Z_]+)=/.test(l))
		.join('\n');
	const lines = Object.entries({ FCGI_LISTEN: `unix:${sock}`, LOG_LEVEL: 'warn', ...extra }).map(([k, v]) => `${k}=${v}`);
	writeFileSync(join(dir, 'pool.env'), `${base}\n${lines.join('\n')}\n`);
	const env = { PATH: process.env.PATH, CONFIG_PATH: join(dir, 'pool.env') };
	for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
	const child = spawn(CELER_BIN, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	child.stderrText = '';
	child.stderr.on('data', (d) => (child.stderrText += d));
	child.exited = new Promise((resolve) => child.on('exit', resolve));
	pools.push({ child, dir });
	for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(25);
	assert.ok(existsSync(sock), child.stderrText);
	return (method, path, headers = {}, body) =>
		fcgiRequest(sock, method, path, body === undefined ? { headers } : { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Ends every pool started; each must have logged no error. */
export async function stopPools() {
	for (const { child, dir } of pools.splice(0)) {
		if (child.exitCode === null) child.kill('SIGTERM');
		await child.exited;
		rmSync(dir, { recursive: true, force: true });
		assert.doesNotMatch(child.stderrText, /runtime error|Sanitizer|\berror\b/, 'the pool logged no error');
	}
}
