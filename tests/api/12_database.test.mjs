// The database going away and coming back: requests answer 503 SERVICE_UNAVAILABLE while it is
// down and succeed again afterwards, without restarting any worker (tests/stack db stop|start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, ROOT, call } from './lib/env.mjs';

const server = ENV.DB_CLIENT === 'pg' || ENV.DB_CLIENT === 'mysql';

function stack(...args) {
	execFileSync(resolve(ROOT, 'tests/stack'), args, { stdio: 'ignore', env: process.env });
}

function workers() {
	return spawnSync('pgrep', ['-P', ENV.POOL_PID], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
}

test('database down: 503 SERVICE_UNAVAILABLE; back up: served again by the same workers', { skip: !server && 'SQLite has no server to stop' }, async () => {
	assert.equal((await call('GET', '/server/info')).status, 200);
	const before = workers();
	stack('db', 'stop');
	try {
		for (let i = 0; i < 4; i++) {
			const r = await call('GET', '/server/info');
			assert.equal(r.status, 503);
			assert.equal(r.json.errors[0].extensions.code, 'SERVICE_UNAVAILABLE');
			assert.equal(r.json.errors[0].extensions.service, 'database');
			assert.doesNotMatch(r.text, /directus@|password|127\.0\.0\.1/, 'no connection details leak');
		}
		const health = await call('GET', '/server/health');
		assert.equal(health.status, 503);
		assert.deepEqual(health.json, { status: 'error' });
		assert.equal((await call('GET', '/server/ping')).status, 200, 'ping needs no database');
	} finally {
		stack('db', 'start');
	}
	let r;
	for (let i = 0; i < 50; i++) {
		r = await call('GET', '/server/info');
		if (r.status === 200) break;
		await sleep(100);
	}
	assert.equal(r.status, 200);
	assert.equal(r.json.data.project.project_name, 'Directus');
	assert.deepEqual(workers(), before, 'no worker was restarted');
});
