// The worker pool itself, driven over its FastCGI socket (no nginx in between) so requests can be
// held half-sent while the master is signalled: respawn after kill -9, graceful SIGHUP reload,
// SIGTERM draining, configuration errors, and FastCGI on stdin (spawn-fcgi).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, CELER_BIN } from './lib/env.mjs';
import { request, openRequest, cgiParams } from './lib/fcgi.mjs';

const DB_KEYS = ['DB_CLIENT', 'DB_HOST', 'DB_PORT', 'DB_DATABASE', 'DB_USER', 'DB_PASSWORD', 'DB_FILENAME'];
let dir, sock, master;

function poolEnv(extra = {}) {
	const env = { PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '' };
	for (const k of DB_KEYS) if (ENV[k]) env[k] = ENV[k];
	return { ...env, FCGI_LISTEN: `unix:${sock}`, WORKERS: '2', SECRET: 'pool-test', ...extra };
}

async function waitFor(cond, ms = 5000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await cond()) return true;
		await sleep(25);
	}
	return false;
}

function workerPids(pid) {
	const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
	return out ? out.split('\n').map(Number) : [];
}

async function ping() {
	return request(sock, 'GET', '/server/ping');
}

function startPool(extra) {
	const child = spawn(CELER_BIN, [], { env: poolEnv(extra), stdio: ['ignore', 'ignore', 'pipe'] });
	child.stderrText = '';
	child.stderr.on('data', (d) => (child.stderrText += d));
	child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	return child;
}

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'celer-pool-'));
	sock = join(dir, 'celer.sock');
	writeFileSync(join(dir, '.env'), 'LOG_LEVEL=info\n');
	master = startPool({ CONFIG_PATH: join(dir, '.env') });
	assert.ok(await waitFor(() => existsSync(sock) && workerPids(master.pid).length === 2), master.stderrText);
});

after(async () => {
	if (master.exitCode === null) master.kill('SIGTERM');
	await master.exited;
	rmSync(dir, { recursive: true, force: true });
});

test('a worker killed with kill -9 is replaced and the next request succeeds', async () => {
	const [victim] = workerPids(master.pid);
	process.kill(victim, 'SIGKILL');
	for (let i = 0; i < 20; i++) assert.equal((await ping()).body, 'pong');
	assert.ok(await waitFor(() => workerPids(master.pid).length === 2));
	assert.ok(!workerPids(master.pid).includes(victim));
});

test('a client that disconnects mid-body costs nothing: the worker survives and serves the next', async () => {
	const pids = workerPids(master.pid);
	for (let i = 0; i < 4; i++) {
		const r = openRequest(sock, cgiParams('GET', '/server/info', { body: '{"a":"' + 'x'.repeat(1000) + '"}', headers: { 'content-type': 'application/json' } }));
		r.sendBody('{"a":"xx');
		await sleep(20);
		r.destroy();
	}
	for (let i = 0; i < 10; i++) assert.equal((await ping()).body, 'pong');
	assert.deepEqual(workerPids(master.pid).sort(), pids.sort(), 'no worker died');
});

test('SIGHUP re-reads the configuration and replaces workers without failing a request in flight', async () => {
	const before = workerPids(master.pid);
	// A request whose body has not arrived yet is in flight in some worker.
	const body = JSON.stringify({ hello: 'world' });
	const held = [];
	for (let i = 0; i < 2; i++) {
		const r = openRequest(sock, cgiParams('GET', '/server/info', { body, headers: { 'content-type': 'application/json' } }));
		r.sendBody(body.slice(0, 5));
		held.push(r);
	}
	await sleep(100);
	writeFileSync(join(dir, '.env'), 'LOG_LEVEL=info\nWORKERS=3\n');
	process.kill(master.pid, 'SIGHUP');
	assert.ok(await waitFor(() => workerPids(master.pid).filter((p) => !before.includes(p)).length === 3));
	for (const r of held) {
		r.sendBody(body.slice(5));
		r.end();
		const res = await r.response;
		assert.equal(res.status, 200);
		assert.equal(JSON.parse(res.body).data.project.project_name, 'Directus');
	}
	// The old generation has drained and gone.
	assert.ok(await waitFor(() => workerPids(master.pid).length === 3), 'old workers exit after their request');
	assert.equal((await ping()).body, 'pong');
});

test('repeated SIGHUPs under a stream of requests fail none of them', async () => {
	let stop = false, served = 0;
	const failures = [];
	const client = async () => {
		while (!stop) {
			try {
				const r = await ping();
				if (r.body === 'pong') served++;
				else failures.push(r.status);
			} catch (e) {
				failures.push(e.message);
			}
		}
	};
	const clients = Array.from({ length: 8 }, client);
	for (let i = 0; i < 3; i++) {
		await sleep(150);
		process.kill(master.pid, 'SIGHUP');
	}
	await sleep(300);
	stop = true;
	await Promise.all(clients);
	assert.deepEqual(failures, []);
	assert.ok(served > 50, `served ${served}`);
});

test('a bad configuration on SIGHUP keeps the running one', async () => {
	assert.ok(await waitFor(() => workerPids(master.pid).length === 3), 'earlier generations drained');
	const pids = workerPids(master.pid);
	writeFileSync(join(dir, '.env'), 'PORT=not-a-port\n');
	process.kill(master.pid, 'SIGHUP');
	assert.ok(await waitFor(() => master.stderrText.includes('PORT')));
	assert.deepEqual(workerPids(master.pid).sort(), pids.sort());
	assert.equal((await ping()).body, 'pong');
});

test('SIGTERM lets the request in flight finish, then the pool exits and removes its socket', async () => {
	const body = '{"a":1}';
	const r = openRequest(sock, cgiParams('GET', '/server/info', { body, headers: { 'content-type': 'application/json' } }));
	r.sendBody(body.slice(0, 3));
	await sleep(100);
	master.kill('SIGTERM');
	await sleep(200);
	r.sendBody(body.slice(3));
	r.end();
	const res = await r.response;
	assert.equal(res.status, 200);
	const { code } = await master.exited;
	assert.equal(code, 0);
	assert.ok(!existsSync(sock));
});

test('a bad value stops start-up with a message naming the key', async () => {
	for (const [key, value] of [['MAX_PAYLOAD_SIZE', 'huge'], ['DB_CLIENT', 'oracle'], ['WORKERS', '-1']]) {
		const r = spawnSync(CELER_BIN, [], { env: poolEnv({ [key]: value }), encoding: 'utf8', timeout: 5000 });
		assert.equal(r.status, 78, `${key}=${value}`);
		assert.match(r.stderr, new RegExp(key));
	}
});

test('spawned by a web server with FastCGI on stdin (spawn-fcgi style) it serves as one worker', async (t) => {
	const which = spawnSync('sh', ['-c', 'command -v spawn-fcgi'], { encoding: 'utf8' });
	if (which.status !== 0) return t.skip('spawn-fcgi is not installed');
	const s = join(dir, 'spawned.sock');
	const env = poolEnv();
	const child = spawn('spawn-fcgi', ['-n', '-s', s, '--', CELER_BIN], { env, stdio: 'ignore' });
	try {
		assert.ok(await waitFor(() => existsSync(s)));
		const res = await request(s, 'GET', '/server/ping');
		assert.equal(res.body, 'pong');
		const info = await request(s, 'GET', '/server/info');
		assert.equal(JSON.parse(info.body).data.project.project_name, 'Directus');
	} finally {
		child.kill('SIGTERM');
	}
});
