// The system routes as Directus 11.3.5 answers them on the fixture: the schema listings
// (/collections, /fields, /relations, /schema/snapshot) and the collection-shaped routes over
// directus_* tables (/users, /roles, /policies, /permissions, ...) with the query language of
// /items, per caller (admin, editor with the app access minimal rules, the public), concealed
// fields and each controller's own quirks. Read-only: the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from './lib/env.mjs';
import { DB_CLIENT, one } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const EDITOR_ID = 'c0000000-0000-4000-8000-00000000e001';
const EDITOR_ROLE = 'a0000000-0000-4000-8000-00000000e001';
const PUBLIC_POLICY = 'abf8a154-5b1c-4a46-ac9c-7300570f4f17';
const generic403 = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };
const get = (path, headers = {}) => call('GET', path, { headers });
const search = (path, body, headers = admin) => call('SEARCH', path, { headers, body });

function forbidden(reason) {
	return { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] };
}

function count(table) {
	return Number(one(`SELECT COUNT(*) FROM ${table}`));
}

test('/users takes the query language of /items', async () => {
	const r = await get('/users?fields=email,role.name&filter[role][name][_eq]=Author&sort=-first_name&meta=*', admin);
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.data, [
		{ email: 'author2@example.com', role: { name: 'Author' } },
		{ email: 'author@example.com', role: { name: 'Author' } },
	]);
	assert.deepEqual(r.json.meta, { total_count: count('directus_users'), filter_count: 2 });
	const page = await get('/users?fields=first_name&sort=first_name&limit=1&page=2', admin);
	assert.deepEqual(page.json.data, [{ first_name: 'Ann' }]);
	const bad = await get('/users?fields=nope', admin);
	assert.deepEqual(bad.json, forbidden('You don\'t have permission to access field "nope" in collection "directus_users" or it does not exist. Queried in root.'));
});

test('password and token read back concealed, and only when set', async () => {
	const r = await get('/users?fields=email,password,token&filter[email][_in]=admin@example.com,author@example.com&sort=first_name', admin);
	assert.deepEqual(r.json.data, [
		{ email: 'admin@example.com', password: '**********', token: '**********' },
		{ email: 'author@example.com', password: '**********', token: null },
	]);
	const me = await get('/users?fields=password', editor);
	assert.deepEqual(me.json.data, [{ password: '**********' }]);
});

test('/users/:id reads one user; a bad, missing or "…me" key is refused', async () => {
	const r = await get(`/users/${EDITOR_ID}?fields=email,role.name`, admin);
	assert.deepEqual(r.json, { data: { email: 'editor@example.com', role: { name: 'Editor' } } });
	assert.deepEqual((await get('/users/not-a-uuid', admin)).json, generic403);
	assert.deepEqual((await get('/users/c0000000-0000-4000-8000-0000000000ff', admin)).json, generic403);
	const me = await get('/users/xme', admin);
	assert.equal(me.status, 404);
	assert.equal(me.json.errors[0].extensions.code, 'ROUTE_NOT_FOUND');
});

test('an app user sees only its own user row and role; the public sees no users', async () => {
	const users = await get('/users?fields=id,email', editor);
	assert.deepEqual(users.json.data, [{ id: EDITOR_ID, email: 'editor@example.com' }]);
	const token = await get('/users?fields=token', editor);
	assert.deepEqual(token.json, forbidden('You don\'t have permission to access field "token" in collection "directus_users" or it does not exist. Queried in root.'));
	const other = await get('/users/c0000000-0000-4000-8000-00000000a001', editor);
	assert.deepEqual(other.json, generic403);
	const pub = await get('/users');
	assert.deepEqual(pub.json, forbidden('You don\'t have permission to access collection "directus_users" or it does not exist. Queried in root.'));
	const roles = await get('/roles?fields=id,name', editor);
	assert.deepEqual(roles.json.data, [{ id: EDITOR_ROLE, name: 'Editor' }]);
});

test('/roles/me is the caller\'s role chain; the public gets 403', async () => {
	const r = await get('/roles/me?fields=name,users', editor);
	assert.deepEqual(r.json, { data: [{ name: 'Editor', users: [EDITOR_ID] }] });
	assert.deepEqual((await get('/roles/me')).json, generic403);
});

test('SEARCH {keys} reads by key where the controller does, and is ignored by /roles', async () => {
	const p = await search('/policies?fields=id', { keys: [PUBLIC_POLICY] });
	assert.deepEqual(p.json, { data: [{ id: PUBLIC_POLICY }] });
	const r = await search('/roles?fields=name&sort=name', { keys: [EDITOR_ROLE] });
	assert.deepEqual(r.json.data.map((x) => x.name), ['Administrator', 'Author', 'Editor']);
	const q = await search('/users', { query: { fields: ['email'], filter: { id: { _eq: EDITOR_ID } } } });
	assert.deepEqual(q.json, { data: [{ email: 'editor@example.com' }] });
	const bad = await search('/policies', { nope: 1 });
	assert.equal(bad.status, 400);
	assert.equal(bad.json.errors[0].extensions.code, 'INVALID_PAYLOAD');
});

test('/permissions lists every row and appends the app access minimal rows', async () => {
	const r = await get('/permissions?fields=id,collection&limit=1', admin);
	const rows = count('directus_permissions');
	assert.equal(r.json.data.length, rows + 20, 'limit is ignored, 20 built-in rows follow');
	const builtIn = r.json.data.slice(rows);
	assert.ok(builtIn.every((x) => x.policy === null && x.system === true && !('id' in x)));
	const users = await get('/permissions?fields=collection&filter[collection][_eq]=directus_users', admin);
	const appRows = users.json.data.filter((x) => x.system);
	assert.equal(appRows.length, 1);
	assert.deepEqual(appRows[0].permissions, { id: { _eq: '$CURRENT_USER' } });
	assert.ok(appRows[0].fields.includes('tfa_secret'));
	assert.equal((await get('/permissions', editor)).status, 403);
	// readOne goes through the same readByQuery: a missing key reads the first built-in row.
	const missing = await get('/permissions/999999', admin);
	assert.equal(missing.status, 200);
	assert.equal(missing.json.data.collection, 'directus_collections');
	assert.equal(missing.json.data.policy, null);
	const real = await get('/permissions/1?fields=id', admin);
	assert.deepEqual(real.json, { data: { id: 1 } });
});

test('/collections lists what the caller may read; the public gets 403', async () => {
	const all = await get('/collections', admin);
	const names = all.json.data.map((c) => c.collection);
	for (const c of ['articles', 'tags', 'directus_users', 'directus_files']) assert.ok(names.includes(c), c);
	const users = all.json.data.find((c) => c.collection === 'directus_users');
	assert.equal(users.meta.system, true);
	assert.equal(users.schema.name, 'directus_users');
	const author = await call('POST', '/auth/login', { body: { email: 'author@example.com', password: 'author-password' } });
	const mine = await get('/collections', { authorization: `Bearer ${author.json.data.access_token}` });
	const mineNames = mine.json.data.map((c) => c.collection);
	assert.ok(mineNames.includes('articles') && mineNames.includes('directus_users'));
	assert.ok(!mineNames.includes('tags') && !mineNames.includes('directus_files'));
	const pub = await get('/collections');
	assert.deepEqual(pub.json, forbidden('You don\'t have permission to access collection "directus_collections" or it does not exist. Queried in root.'));
	assert.deepEqual((await get('/collections/nope', admin)).json, generic403);
	const one = await get('/collections/tags', editor);
	assert.equal(one.json.data.collection, 'tags');
});

test('/fields shows columns with their schema, cut to readable fields', async () => {
	const r = await get('/fields/authors', editor);
	assert.deepEqual(r.json.data.map((f) => f.field), ['id', 'name', 'bio', 'date_created']);
	const all = await get('/fields/authors', admin);
	assert.ok(all.json.data.some((f) => f.field === 'email'));
	const pw = await get('/fields/directus_users/password', admin);
	assert.equal(pw.json.data.type, 'hash');
	assert.deepEqual(pw.json.data.meta.special, ['hash', 'conceal']);
	assert.equal(pw.json.data.schema.is_nullable, true);
	const status = await get('/fields/articles/status', admin);
	assert.equal(status.json.data.schema.default_value, 'draft');
	assert.deepEqual(Object.keys(status.json.data), ['collection', 'field', 'type', 'meta', 'schema']);
	assert.deepEqual((await get('/fields/nope', admin)).json, generic403);
	assert.deepEqual((await get('/fields/authors/email', editor)).json, generic403);
	const pub = await get('/fields/articles');
	assert.deepEqual(pub.json, forbidden('You don\'t have permission to perform "read" for collection "directus_fields" or it does not exist.'));
});

test('/relations leaves out relations into what the caller cannot read', async () => {
	const key = (r) => `${r.collection}.${r.field}`;
	const all = (await get('/relations', admin)).json.data.map(key);
	const mine = (await get('/relations', editor)).json.data.map(key);
	assert.ok(all.includes('directus_files.folder') && !mine.includes('directus_files.folder'));
	assert.ok(mine.includes('articles.author'));
	const one = await get('/relations/articles/author', admin);
	assert.equal(one.json.data.related_collection, 'authors');
	assert.equal(one.json.data.meta.one_deselect_action, 'nullify');
	const sys = await get('/relations/directus_users/role', admin);
	assert.equal(sys.json.data.meta, null, 'readOne reads only stored relation rows');
	assert.deepEqual((await get('/relations/articles/title', admin)).json, generic403);
});

test('/settings is the settings singleton, readable by app users', async () => {
	const r = await get('/settings?fields=project_name&meta=*', editor);
	assert.deepEqual(r.json, { data: { project_name: 'Directus' } });
	const pub = await get('/settings');
	assert.deepEqual(pub.json, forbidden('You don\'t have permission to access collection "directus_settings" or it does not exist. Queried in root.'));
	assert.equal((await search('/settings', {})).status, 404);
});

test('/schema/snapshot is for admins', async () => {
	const r = await get('/schema/snapshot', admin);
	const vendor = { pg: 'postgres', mysql: 'mysql' }[DB_CLIENT] ?? 'sqlite';
	assert.equal(r.json.data.vendor, vendor);
	assert.ok(r.json.data.collections.some((c) => c.collection === 'articles'));
	assert.ok(!r.json.data.fields.some((f) => f.collection.startsWith('directus_')));
	assert.deepEqual((await get('/schema/snapshot', editor)).json, generic403);
});

test('the other system routes read their tables; /shares never answers meta', async () => {
	for (const [path, table] of [['/folders', 'directus_folders'], ['/presets', 'directus_presets'], ['/activity', 'directus_activity'], ['/access', 'directus_access'], ['/policies', 'directus_policies']]) {
		const r = await get(`${path}?meta=total_count&limit=0`, admin);
		assert.equal(r.status, 200, path);
		assert.deepEqual(r.json, { meta: { total_count: count(table) }, data: [] }, path);
	}
	const shares = await get('/shares?meta=*', admin);
	assert.deepEqual(Object.keys(shares.json), ['data']);
	assert.equal((await get('/activity')).status, 403);
	assert.equal((await call('POST', '/webhooks/1', { headers: admin })).status, 404);
});
