// The per-worker accountability cache (lib/auth/acccache): a static token, the role chain and
// the policies of a caller are cached by every worker, and a change made straight in the
// database (behind Celer's back, so no generation is bumped) still takes effect within
// GEN_MAX_AGE_MS (1 s): a suspended user, a removed static token and a removed policy stop
// working by then, however warm the workers' caches are. That a hit runs no SQL at all is shown
// by the unit test tests/unit/auth/test_accountability.c (db_statement_count).
// Every change is undone at the end, so the suite can run twice in a row.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, call, settle, CACHE_MAX_AGE_MS } from './lib/env.mjs';
import { q, sql } from './lib/db.mjs';

const AUTHOR2_ID = 'c0000000-0000-4000-8000-00000000a002';
const AUTHOR_ROLE = 'a0000000-0000-4000-8000-00000000a001';
const TOKEN = 'acccache-test-token';
const ACCESS_ID = 'd0000000-0000-4000-8000-0000000000c1';
const bearer = { authorization: `Bearer ${TOKEN}` };
// Time for a request on top of the age limit: the stack runs on a busy 2-core machine.
const SLACK_MS = 300;

after(async () => {
	sql(`DELETE FROM directus_access WHERE id = '${ACCESS_ID}'`);
	sql(`UPDATE directus_users SET status = 'active', token = NULL, role = '${AUTHOR_ROLE}' WHERE id = '${AUTHOR2_ID}'`);
	await settle();
});

/** Warms every worker: enough concurrent requests that each worker of the pool serves some. */
async function warm(headers, path = '/server/info') {
	const rs = await Promise.all(Array.from({ length: 16 }, () => call('GET', path, { headers, noSettle: true })));
	return rs.map((r) => r.status);
}

/** Polls path with headers until the answer's status is `want`; resolves to the time it took. */
async function until(want, headers, path = '/server/info') {
	const t0 = Date.now();
	for (;;) {
		const statuses = await warm(headers, path);
		if (statuses.every((s) => s === want)) return Date.now() - t0;
		assert.ok(Date.now() - t0 < 5000, `still ${statuses} after 5 s`);
		await sleep(50);
	}
}

test('a suspended user stops working within the cache age limit', async () => {
	sql(`UPDATE directus_users SET status = 'active', token = '${TOKEN}' WHERE id = '${AUTHOR2_ID}'`);
	await settle();
	assert.deepEqual([...new Set(await warm(bearer))], [200]);
	sql(`UPDATE directus_users SET status = 'suspended' WHERE id = '${AUTHOR2_ID}'`);
	const took = await until(401, bearer);
	assert.ok(took <= CACHE_MAX_AGE_MS + SLACK_MS, `took ${took} ms`);
	const r = await call('GET', '/items/articles?limit=1', { headers: bearer });
	assert.equal(r.status, 401);
	assert.equal(r.json.errors[0].extensions.code, 'INVALID_CREDENTIALS');
	// Back to active: the token works again, as soon as the workers look again.
	sql(`UPDATE directus_users SET status = 'active' WHERE id = '${AUTHOR2_ID}'`);
	assert.ok((await until(200, bearer)) <= CACHE_MAX_AGE_MS + SLACK_MS);
});

test('a removed static token stops working within the cache age limit', async () => {
	sql(`UPDATE directus_users SET status = 'active', token = '${TOKEN}' WHERE id = '${AUTHOR2_ID}'`);
	await settle();
	assert.deepEqual([...new Set(await warm(bearer))], [200]);
	sql(`UPDATE directus_users SET token = NULL WHERE id = '${AUTHOR2_ID}'`);
	const took = await until(401, bearer);
	assert.ok(took <= CACHE_MAX_AGE_MS + SLACK_MS, `took ${took} ms`);
});

test('policies attached or detached in SQL show within the age limit, both ways', async () => {
	const adminPolicy = sql(`SELECT id FROM directus_policies WHERE admin_access = ${ENV.DB_CLIENT === 'pg' ? 'true' : '1'}`)[0][0];
	sql(`UPDATE directus_users SET status = 'active', token = '${TOKEN}' WHERE id = '${AUTHOR2_ID}'`);
	await settle();
	// /server/health answers the admin with its checks, anyone else with the status alone.
	const isAdmin = async () => (await call('GET', '/server/health', { headers: bearer, noSettle: true })).json?.checks !== undefined;
	const adminAnswer = async (want) => {
		const t0 = Date.now();
		for (;;) {
			const all = await Promise.all(Array.from({ length: 16 }, isAdmin));
			if (all.every((x) => x === want)) return Date.now() - t0;
			assert.ok(Date.now() - t0 < 5000, `admin still ${all}`);
			await sleep(50);
		}
	};
	await adminAnswer(false);
	sql(`INSERT INTO directus_access (id, role, ${q('user')}, policy) VALUES ('${ACCESS_ID}', NULL, '${AUTHOR2_ID}', '${adminPolicy}')`);
	assert.ok((await adminAnswer(true)) <= CACHE_MAX_AGE_MS + SLACK_MS);
	sql(`DELETE FROM directus_access WHERE id = '${ACCESS_ID}'`);
	assert.ok((await adminAnswer(false)) <= CACHE_MAX_AGE_MS + SLACK_MS);
});

test('one cached caller, two client IPs: the IP allow-list is judged per request', async () => {
	const adminPolicy = sql(`SELECT id FROM directus_policies WHERE admin_access = ${ENV.DB_CLIENT === 'pg' ? 'true' : '1'}`)[0][0];
	sql(`UPDATE directus_policies SET ip_access = '10.30.0.0/16' WHERE id = '${adminPolicy}'`);
	try {
		const admin = { authorization: 'Bearer admin-static-token' };
		const checks = (ip) => call('GET', '/server/health', { headers: { ...admin, 'x-forwarded-for': ip } });
		// Alternate the IPs many times over warm workers: each answer follows its own IP.
		for (let i = 0; i < 10; i++) {
			assert.notEqual((await checks('10.30.1.2')).json.checks, undefined, 'inside the allow-list');
			assert.equal((await checks('10.31.1.2')).json.checks, undefined, 'outside the allow-list');
		}
	} finally {
		sql(`UPDATE directus_policies SET ip_access = NULL WHERE id = '${adminPolicy}'`);
		await settle();
	}
});
