// Read permissions as Directus 11.3.5 applies them, per fixture account: the public policy, the
// Editor (static token editor-static-token) and the Author (logged in with POST /auth/login).
// Row rules (also in meta counts), field allow-lists, `*` limited to readable fields, relations
// into unreadable collections dropped, the same 403 for a forbidden and a missing item, and
// GET /users/me. Read-only: the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from './lib/env.mjs';
import { q, sql } from './lib/db.mjs';

const editor = { authorization: 'Bearer editor-static-token' };
const generic403 = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };
const get = (path, headers = {}) => call('GET', path, { headers });

function forbidden(reason) {
	return { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] };
}

async function login(email, password) {
	const r = await call('POST', '/auth/login', { body: { email, password } });
	assert.equal(r.status, 200);
	return { authorization: `Bearer ${r.json.data.access_token}` };
}

test('the public reads published articles only, with its field list', async () => {
	const r = await get('/items/articles?meta=total_count,filter_count&limit=1');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.meta, { total_count: 287, filter_count: 287 });
	assert.deepEqual(Object.keys(r.json.data[0]).sort(), ['author', 'category', 'id', 'published_date', 'slug', 'tags', 'title']);
	const draft = await get('/items/articles/3');
	const missing = await get('/items/articles/99999');
	assert.equal(draft.status, 403);
	assert.deepEqual(draft.json, generic403);
	assert.deepEqual(missing.json, draft.json);
});

test('unreadable fields and collections answer 403 with the reason', async () => {
	const body = await get('/items/articles?fields=id,body');
	assert.deepEqual(body.json, forbidden('You don\'t have permission to access field "body" in collection "articles" or it does not exist. Queried in root.'));
	const f = await get('/items/articles?filter[status][_eq]=draft');
	assert.equal(f.status, 403);
	const s = await get('/items/articles?sort=views');
	assert.equal(s.status, 403);
	const c = await get('/items/comments');
	assert.deepEqual(c.json, forbidden('You don\'t have permission to access collection "comments" or it does not exist. Queried in root.'));
	const nested = await get('/items/articles?fields=id,author.email&limit=1', editor);
	assert.deepEqual(nested.json, forbidden('You don\'t have permission to access field "email" in collection "authors" or it does not exist. Queried in "author".'));
});

test('the editor reads everything but authors.email; * leaves email out', async () => {
	const r = await get('/items/articles?fields=id,author.*&limit=1', editor);
	assert.equal(r.status, 200);
	assert.deepEqual(Object.keys(r.json.data[0].author).sort(), ['bio', 'date_created', 'id', 'name']);
	const m = await get('/items/articles?meta=total_count&limit=1&fields=id', editor);
	assert.equal(m.json.meta.total_count, 500);
	const single = await get('/items/site_settings', editor);
	assert.equal(single.status, 403);
});

test('the author sees published articles and its own, and no relations it cannot read', async () => {
	const author = await login('author@example.com', 'author-password');
	const r = await get('/items/articles?meta=filter_count,total_count&limit=2', author);
	assert.deepEqual(r.json.meta, { filter_count: 299, total_count: 299 });
	// comments, tags (no read on comments / articles_tags) are dropped from *
	assert.equal('comments' in r.json.data[0], false);
	assert.equal('tags' in r.json.data[0], false);
	const own = await get('/items/articles/40?fields=id,status', author);
	assert.deepEqual(own.json, { data: { id: 40, status: 'draft' } });
	const other = await get('/items/articles/132', author);
	assert.deepEqual(other.json, generic403);
	const drop = await get('/items/articles/1?fields=id,tags.tags_id.name', author);
	assert.deepEqual(drop.json, { data: { id: 1 } });
	// the default sort falls back to the first readable field when the key is not readable
	const a = await get('/items/authors?limit=2', author);
	assert.deepEqual(a.json.data.map((x) => x.name), ['Ada Lovelace', 'Alan Turing']);
});

test('GET /users/me', async () => {
	const pub = await get('/users/me');
	assert.equal(pub.status, 401);
	assert.equal(pub.json.errors[0].extensions.code, 'INVALID_CREDENTIALS');
	const me = await get('/users/me?fields=id,email,role.name', editor);
	assert.deepEqual(me.json, { data: { id: 'c0000000-0000-4000-8000-00000000e001', email: 'editor@example.com', role: { name: 'Editor' } } });
	const token = await get('/users/me?fields=email,token', editor);
	assert.deepEqual(token.json, { data: { id: 'c0000000-0000-4000-8000-00000000e001' } });
	const author = await login('author@example.com', 'author-password');
	const all = await get('/users/me', author);
	assert.equal(all.json.data.password, '**********');
	assert.equal('token' in all.json.data, false);
	assert.equal(all.json.data.email, 'author@example.com');
});

// Two overlapping policies on one collection (attached to author2 for the duration of the test):
// A grants id,body on comments 1–3, B grants id,date_created on comments 2 and up. A field's value
// shows only on rows covered by a policy that grants it, null elsewhere (Directus's CASE WHEN).
test('two overlapping policies: the per-row field rule', async () => {
	const P = 'd0000000-0000-4000-8000-0000000000f1';
	const AC = 'd0000000-0000-4000-8000-0000000000f2';
	const U = 'c0000000-0000-4000-8000-00000000a002';
	const cleanup = () => {
		sql(`DELETE FROM directus_permissions WHERE id IN (9901, 9902)`);
		sql(`DELETE FROM directus_access WHERE id = '${AC}'`);
		sql(`DELETE FROM directus_policies WHERE id = '${P}'`);
	};
	cleanup();
	try {
		sql(`INSERT INTO directus_policies (id, name, icon, enforce_tfa, admin_access, app_access) VALUES ('${P}', 'zz overlap', 'badge', false, false, false)`);
		sql(`INSERT INTO directus_access (id, role, ${q('user')}, policy, sort) VALUES ('${AC}', NULL, '${U}', '${P}', 1)`);
		sql(`INSERT INTO directus_permissions (id, collection, action, permissions, fields, policy) VALUES (9901, 'comments', 'read', '{"id":{"_lte":3}}', 'id,body', '${P}')`);
		sql(`INSERT INTO directus_permissions (id, collection, action, permissions, fields, policy) VALUES (9902, 'comments', 'read', '{"id":{"_gte":2}}', 'id,date_created', '${P}')`);
		const author2 = await login('author2@example.com', 'author2-password');
		const r = await get('/items/comments?fields=id,body,date_created&filter[id][_lte]=4&sort=id&meta=total_count', author2);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.meta.total_count, 1510);
		const [c1, c2, c3, c4] = r.json.data;
		assert.deepEqual(r.json.data.map((c) => c.id), [1, 2, 3, 4]);
		assert.equal(typeof c1.body, 'string');
		assert.equal(c1.date_created, null);
		assert.equal(typeof c2.body, 'string');
		assert.notEqual(c2.date_created, null);
		assert.notEqual(c3.date_created, null);
		assert.equal(c4.body, null);
		assert.notEqual(c4.date_created, null);
		// * expands to the union; article is readable by neither
		const star = await get('/items/comments/1', author2);
		assert.deepEqual(Object.keys(star.json.data).sort(), ['body', 'date_created', 'id']);
		const art = await get('/items/comments?fields=article', author2);
		assert.equal(art.status, 403);
	} finally {
		cleanup();
	}
});

test('GET /permissions/me and GET /policies/me/globals', async () => {
	const pub = await get('/permissions/me');
	assert.deepEqual(pub.json, generic403);
	const ed = await get('/permissions/me', editor);
	assert.deepEqual(ed.json.data.authors.read, { access: 'full', fields: ['id', 'name', 'bio', 'date_created'] });
	assert.deepEqual(ed.json.data.authors.create, { access: 'none' });
	assert.deepEqual(ed.json.data.directus_users.read.access, 'partial');
	const author = await login('author@example.com', 'author-password');
	const au = await get('/permissions/me', author);
	assert.deepEqual(au.json.data.articles.create.presets, { status: 'draft' });
	assert.equal(au.json.data.articles.read.access, 'partial');
	const admin = await get('/permissions/me', { authorization: 'Bearer admin-static-token' });
	assert.deepEqual(admin.json.data.comments.share, { access: 'full', fields: ['*'] });
	assert.deepEqual((await get('/policies/me/globals')).json, { data: { app_access: false } });
	assert.deepEqual((await get('/policies/me/globals', editor)).json, { data: { app_access: true, admin_access: false, enforce_tfa: false } });
});

// $CURRENT_USER.<path> in a permission rule, nested through relations (the user's role): the
// referenced record is read for the rule, and the rule itself reaches directus_users/roles.
test('dynamic variables with paths in permission rules', async () => {
	const P = 'd0000000-0000-4000-8000-0000000000f3';
	const AC = 'd0000000-0000-4000-8000-0000000000f4';
	const U = 'c0000000-0000-4000-8000-00000000a002';
	const admin = { authorization: 'Bearer admin-static-token' };
	const cleanup = () => {
		sql(`DELETE FROM directus_permissions WHERE id = 9903`);
		sql(`DELETE FROM directus_access WHERE id = '${AC}'`);
		sql(`DELETE FROM directus_policies WHERE id = '${P}'`);
	};
	const count = async (path, who) => (await get(`${path}&meta=filter_count&limit=1&fields=id`, who)).json.meta.filter_count;
	cleanup();
	try {
		sql(`INSERT INTO directus_policies (id, name, icon, enforce_tfa, admin_access, app_access) VALUES ('${P}', 'zz vars', 'badge', false, false, false)`);
		sql(`INSERT INTO directus_access (id, role, ${q('user')}, policy, sort) VALUES ('${AC}', NULL, '${U}', '${P}', 1)`);
		sql(`INSERT INTO directus_permissions (id, collection, action, permissions, fields, policy) VALUES (9903, 'comments', 'read', '{"article":{"user_created":{"role":{"name":{"_eq":"$CURRENT_USER.role.name"}}}}}', 'id', '${P}')`);
		const author2 = await login('author2@example.com', 'author2-password');
		const expected = await count('/items/comments?filter[article][user_created][role][name][_eq]=Author', admin);
		assert.ok(expected > 0);
		assert.equal(await count('/items/comments?', author2), expected);
		const none = await get('/items/comments?fields=id,body', author2);
		assert.equal(none.status, 403);

		// $CURRENT_ROLES.<path> and $CURRENT_POLICIES.<path> read the caller's roles and policies
		// (readMany) and collect the path's values into a list; the policy is named after the
		// author's role so both rules select the same comments as the first one.
		sql(`UPDATE directus_policies SET name = 'Author' WHERE id = '${P}'`);
		for (const variable of ['$CURRENT_ROLES.name', '$CURRENT_POLICIES.name']) {
			sql(`UPDATE directus_permissions SET permissions = '{"article":{"user_created":{"role":{"name":{"_in":"${variable}"}}}}}' WHERE id = 9903`);
			assert.equal((await call('POST', '/utils/cache/clear?system', { headers: admin })).status, 200);
			assert.equal(await count('/items/comments?', author2), expected, variable);
		}
		sql(`UPDATE directus_permissions SET permissions = '{"article":{"user_created":{"role":{"name":{"_in":"$CURRENT_ROLES.nothing"}}}}}' WHERE id = 9903`);
		assert.equal((await call('POST', '/utils/cache/clear?system', { headers: admin })).status, 200);
		assert.equal(await count('/items/comments?', author2), 0);
	} finally {
		cleanup();
	}
});
