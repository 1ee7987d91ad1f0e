// Two pools on one database and one Redis (tests/stack up --second-pool) behave as one: a schema
// change made behind the API and announced through one pool (POST /utils/cache/clear?system) is
// used by every worker of the other within a second, and so is Directus's own schemaChanged
// message on its bus channel. Needs the stack's Redis; skipped without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, ROOT, call } from './lib/env.mjs';
import { sql } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const skip = ENV.REDIS ? false : 'the stack has no Redis (tests/stack up --redis)';
let second;

before(() => {
	if (skip) return;
	const out = execFileSync(`${ROOT}/tests/stack`, ['up', '--second-pool'], {
		encoding: 'utf8',
		env: { ...process.env, STACK_DIR: ENV.STACK_DIR },
	});
	second = out.match(/^BASE_URL=(\S+)$/m)[1];
});

const read = (base, field, headers = admin) =>
	fetch(`${base}/items/tags?fields=${field}&limit=1&sort=id`, { headers }).then((r) => r.status);

/** Polls until every worker of the pool at base answers status (4 tries per poll: any worker). */
async function within(ms, base, field, status) {
	const end = Date.now() + ms;
	for (;;) {
		const got = await Promise.all([1, 2, 3, 4].map(() => read(base, field)));
		if (got.every((s) => s === status)) return;
		if (Date.now() > end) assert.fail(`${base}: ${field} answered ${got} after ${ms} ms, want ${status}`);
		await sleep(50);
	}
}

const column = (name) => `busprobe_${name}_${process.pid}`;
function addColumn(name) {
	sql(`ALTER TABLE tags ADD COLUMN ${column(name)} VARCHAR(20)`);
}
function dropColumn(name) {
	sql(`ALTER TABLE tags DROP COLUMN ${column(name)}`);
}

test('only admins clear the caches', { skip }, async () => {
	for (const headers of [{}, { authorization: 'Bearer editor-static-token' }]) {
		const r = await call('POST', '/utils/cache/clear?system', { headers });
		assert.equal(r.status, 403);
		assert.equal(r.json.errors[0].extensions.code, 'FORBIDDEN');
	}
	const r = await call('POST', '/utils/cache/clear', { headers: admin });
	assert.equal(r.status, 200);
	assert.equal(r.text, '');
});

test('a schema change announced through one pool reaches the other', { skip }, async () => {
	const field = column('a');
	await within(1000, second, 'id', 200); // both pools have loaded their schema
	addColumn('a');
	try {
		// Nothing told the pools yet: the schema each worker holds does not have the column.
		assert.equal(await read(second, field), 403);
		// Without ?system only the response cache is cleared: the schema stays.
		assert.equal((await call('POST', '/utils/cache/clear', { headers: admin })).status, 200);
		await sleep(300);
		assert.equal(await read(second, field), 403);
		assert.equal((await call('POST', '/utils/cache/clear?system', { headers: admin })).status, 200);
		await within(1000, ENV.BASE_URL, field, 200);
		await within(1000, second, field, 200);
	} finally {
		dropColumn('a');
		await call('POST', '/utils/cache/clear?system', { headers: admin });
	}
	await within(1000, second, field, 403);
});

test("Directus's own schemaChanged message is heard too", { skip }, async () => {
	const field = column('b');
	addColumn('b');
	try {
		assert.equal(await read(second, field), 403);
		const [host, port] = [ENV.REDIS_HOST || '127.0.0.1', ENV.REDIS_PORT];
		// What a Directus instance on the same Redis publishes after clearSystemCache().
		execFileSync('redis-cli', ['-h', host, '-p', String(port), 'PUBLISH', 'directus:bus:schemaChanged', '{}']);
		await within(1000, second, field, 200);
		await within(1000, ENV.BASE_URL, field, 200);
	} finally {
		dropColumn('b');
		await call('POST', '/utils/cache/clear?system', { headers: admin });
	}
});
