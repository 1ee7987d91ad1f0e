// Regression: a worker whose schema went stale (tests/stack reset bumps it) and that meets the
// database down while reloading answered 503 without extensions.service / reason, which a
// worker with a loaded schema gives (the schema load copied only the message of the error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, ROOT, call } from './lib/env.mjs';

const server = ENV.DB_CLIENT === 'pg' || ENV.DB_CLIENT === 'mysql';

function stack(...args) {
	execFileSync(resolve(ROOT, 'tests/stack'), args, { stdio: 'ignore', env: process.env });
}

test('a schema reload that meets the database down answers the full 503', { skip: !server && 'SQLite has no server to stop' }, async () => {
	stack('reset');
	stack('db', 'stop');
	try {
		for (let i = 0; i < 4; i++) {
			const r = await call('GET', '/server/info');
			assert.equal(r.status, 503);
			assert.deepEqual(r.json.errors[0].extensions, { service: 'database', reason: 'Database connection failed', code: 'SERVICE_UNAVAILABLE' });
		}
	} finally {
		stack('db', 'start');
	}
	for (let i = 0; i < 50 && (await call('GET', '/server/info')).status !== 200; i++) await sleep(100);
});
