// GET /permissions/me/:collection/:pk? (Directus 11.3.5's getItemPermissions) and the per-worker
// permission cache: a permission changed in the database (behind Celer's back) is honoured once
// the cache's age limit (1 s) has passed. Temporary policies are attached to author2 and removed
// again, so the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './lib/env.mjs';
import { q, sql } from './lib/db.mjs';

const editor = { authorization: 'Bearer editor-static-token' };
const admin = { authorization: 'Bearer admin-static-token' };
const generic403 = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };
const get = (path, headers = {}) => call('GET', path, { headers });
const AUTHOR2 = 'c0000000-0000-4000-8000-00000000a002';

async function login(email, password) {
	const r = await call('POST', '/auth/login', { body: { email, password } });
	assert.equal(r.status, 200);
	return { authorization: `Bearer ${r.json.data.access_token}` };
}

const access = (update, del, share) => ({ data: { update: { access: update }, delete: { access: del }, share: { access: share } } });

/** A policy attached to author2 with the given permission rows, removed by the returned cleanup. */
function tempPolicy(P, AC, rows) {
	const cleanup = () => {
		sql(`DELETE FROM directus_permissions WHERE policy = '${P}'`);
		sql(`DELETE FROM directus_access WHERE id = '${AC}'`);
		sql(`DELETE FROM directus_policies WHERE id = '${P}'`);
	};
	cleanup();
	sql(`INSERT INTO directus_policies (id, name, icon, enforce_tfa, admin_access, app_access) VALUES ('${P}', 'zz item perms', 'badge', false, false, false)`);
	sql(`INSERT INTO directus_access (id, role, ${q('user')}, policy, sort) VALUES ('${AC}', NULL, '${AUTHOR2}', '${P}', 1)`);
	for (const [id, coll, action, rule, fields, presets] of rows) {
		sql(
			`INSERT INTO directus_permissions (id, collection, action, permissions, fields, presets, policy) VALUES (${id}, '${coll}', '${action}', ${rule ? `'${rule}'` : 'NULL'}, '${fields}', ${presets ? `'${presets}'` : 'NULL'}, '${P}')`,
		);
	}
	return cleanup;
}

test('item permissions: the rows of each action, and the item passing their rule', async () => {
	const author = await login('author@example.com', 'author-password');
	// author: update and delete only its own articles, no share rows
	assert.deepEqual((await get('/permissions/me/articles', author)).json, access(true, true, false));
	assert.deepEqual((await get('/permissions/me/articles/40', author)).json, access(true, true, false));
	assert.deepEqual((await get('/permissions/me/articles/132', author)).json, access(false, false, false));
	assert.deepEqual((await get('/permissions/me/articles/99999', author)).json, access(false, false, false));
	assert.deepEqual((await get('/permissions/me/authors', author)).json, access(false, false, false));
	// an unknown collection is no error, just no access
	assert.deepEqual((await get('/permissions/me/nope/1', author)).json, access(false, false, false));
	// the editor may update any article, even one it cannot own
	assert.deepEqual((await get('/permissions/me/articles/132', editor)).json, access(true, true, false));
	assert.deepEqual((await get('/permissions/me/site_settings', editor)).json, access(false, false, false));
	// admins may do everything; the public is refused
	assert.deepEqual((await get('/permissions/me/articles/1', admin)).json, access(true, true, true));
	const pub = await get('/permissions/me/articles');
	assert.equal(pub.status, 403);
	assert.deepEqual(pub.json, generic403);
});

test('item permissions: a singleton lists its update fields and presets; share rows count; presets resolved', async () => {
	const P = 'd0000000-0000-4000-8000-0000000000f5';
	const cleanup = tempPolicy(P, 'd0000000-0000-4000-8000-0000000000f6', [
		[9911, 'site_settings', 'update', null, 'site_name', '{"maintenance":false}'],
		[9912, 'site_settings', 'update', '{"id":{"_eq":1}}', 'maintenance,site_name', '{"site_name":"x"}'],
		[9913, 'articles', 'share', '{"status":{"_eq":"published"}}', '*', null],
		[9915, 'tags', 'create', null, 'name', '{"name":"$CURRENT_USER","flag":"true","when":"$NOW","roles":["$CURRENT_ROLE"]}'],
	]);
	try {
		const author2 = await login('author2@example.com', 'author2-password');
		const s = await get('/permissions/me/site_settings', author2);
		assert.equal(s.status, 200, s.text);
		assert.deepEqual(s.json.data.update, { access: true, fields: ['site_name', 'maintenance'], presets: { maintenance: false, site_name: 'x' } });
		assert.deepEqual(s.json.data.delete, { access: false });
		// share through the rule: a published article yes, a draft no
		assert.equal((await get('/permissions/me/articles/1', author2)).json.data.share.access, true);
		assert.equal((await get('/permissions/me/articles/3', author2)).json.data.share.access, false);
		// GET /permissions/me shows presets with their dynamic variables resolved
		const me = await get('/permissions/me', author2);
		const { when, ...presets } = me.json.data.tags.create.presets;
		assert.deepEqual(presets, { name: AUTHOR2, flag: true, roles: ['a0000000-0000-4000-8000-00000000a001'] });
		assert.match(when, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	} finally {
		cleanup();
	}
});

// Two policies with update rows on one collection: author2's own (the Author role's policy) and a
// temporary one for published articles with a narrower field list. An item passes when either
// rule covers it.
test('item permissions: overlapping update rows of two policies', async () => {
	const P = 'd0000000-0000-4000-8000-0000000000f9';
	const cleanup = tempPolicy(P, 'd0000000-0000-4000-8000-0000000000fa', [
		[9916, 'articles', 'update', '{"status":{"_eq":"published"}}', 'body', null],
	]);
	try {
		const author2 = await login('author2@example.com', 'author2-password');
		const upd = async (id) => (await get(`/permissions/me/articles/${id}`, author2)).json.data.update.access;
		assert.equal(await upd(132), true); // own draft: the Author rule
		assert.equal(await upd(1), true); // someone else's published article: the new rule
		assert.equal(await upd(3), false); // someone else's draft: neither
		// delete stays with the Author policy alone
		assert.equal((await get('/permissions/me/articles/1', author2)).json.data.delete.access, false);
	} finally {
		cleanup();
	}
});

test('the permission cache sees a change made in the database within its age limit', async () => {
	const P = 'd0000000-0000-4000-8000-0000000000f7';
	const cleanup = tempPolicy(P, 'd0000000-0000-4000-8000-0000000000f8', [[9914, 'comments', 'read', null, 'id', null]]);
	try {
		const author2 = await login('author2@example.com', 'author2-password');
		const before = await get('/items/comments/1?fields=id,body', author2);
		assert.equal(before.status, 403, before.text);
		assert.deepEqual((await get('/items/comments/1?fields=id', author2)).json, { data: { id: 1 } });
		sql(`UPDATE directus_permissions SET fields = 'id,body' WHERE id = 9914`);
		await sleep(1200);
		const after = await get('/items/comments/1?fields=id,body', author2);
		assert.equal(after.status, 200, after.text);
		assert.equal(typeof after.json.data.body, 'string');
		sql(`DELETE FROM directus_permissions WHERE id = 9914`);
		await sleep(1200);
		const gone = await get('/items/comments/1?fields=id', author2);
		assert.equal(gone.status, 403);
	} finally {
		cleanup();
	}
});
