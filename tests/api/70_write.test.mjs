// Writes through /items as Directus 11.3.5 answers them: create / update / delete in every body
// form, nested relational writes, activity and revision rows, the batch body checks with Joi's
// messages, singletons, permissions, and bad input (unknown fields, wrong types, huge and deeply
// nested payloads, duplicate keys, concurrent updates) answered with an envelope and never half
// written. Every test removes what it created, so the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, call } from './lib/env.mjs';
import { sql, q } from './lib/db.mjs';

const DB = ENV.STACK_DB || ENV.DB_CLIENT;
const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const send = (method, path, body, headers = admin) => call(method, path, { headers, body });
const get = (path, headers = admin) => call('GET', path, { headers });
const run = Date.now().toString(36);

function invalidPayload(reason) {
	return { errors: [{ message: `Invalid payload. ${reason}.`, extensions: { reason, code: 'INVALID_PAYLOAD' } }] };
}
const generic403 = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };

async function adminId() {
	return (await get('/users/me?fields=id')).json.data.id;
}

async function cleanupArticles(slugPrefix) {
	await send('DELETE', '/items/articles', { query: { filter: { slug: { _starts_with: slugPrefix } }, limit: -1 } });
}

test('create one, read back with the query; update; delete; 204s for missing keys', async () => {
	const slug = `w70-basic-${run}`;
	const c = await send('POST', '/items/articles?fields=id,title,status,views,slug', { title: 'W70 basic', slug });
	assert.equal(c.status, 200);
	assert.equal(c.headers.get('cache-control'), 'no-cache');
	const id = c.json.data.id;
	assert.deepEqual(c.json.data, { id, title: 'W70 basic', status: 'draft', views: 0, slug });

	const u = await send('PATCH', `/items/articles/${id}?fields=title,views`, { title: 'W70 renamed', views: 3 });
	assert.deepEqual(u.json, { data: { title: 'W70 renamed', views: 3 } });
	assert.deepEqual((await get(`/items/articles/${id}?fields=title,views`)).json.data, { title: 'W70 renamed', views: 3 });

	const d = await send('DELETE', `/items/articles/${id}`);
	assert.equal(d.status, 204);
	assert.equal(d.text, '');
	assert.equal((await get(`/items/articles/${id}`)).status, 403);

	// Directus: updating / deleting a key that does not exist is no error for an admin.
	assert.equal((await send('PATCH', '/items/articles/987654', { title: 'none' })).status, 204);
	assert.equal((await send('DELETE', '/items/articles/987654')).status, 204);
	// A malformed key is the generic 403.
	assert.deepEqual((await send('PATCH', '/items/articles/abc', { title: 'x' })).json, generic403);
});

test('specials and defaults: user_created, date_created, date_updated, database defaults', async () => {
	const me = await adminId();
	const slug = `w70-specials-${run}`;
	const c = await send('POST', '/items/articles?fields=id,status,views,user_created,date_created,date_updated', {
		title: 'W70 specials',
		slug,
		user_created: 'c0000000-0000-4000-8000-00000000a001',
	});
	const { id, ...rest } = c.json.data;
	assert.equal(rest.status, 'draft');
	assert.equal(rest.views, 0);
	assert.equal(rest.user_created, me, 'user-created overrides the payload');
	assert.equal(rest.date_updated, null);
	const created = Date.parse(rest.date_created + (rest.date_created.endsWith('Z') ? '' : 'Z'));
	assert.ok(Math.abs(Date.now() - created) < 60_000, rest.date_created);
	const u = await send('PATCH', `/items/articles/${id}?fields=date_updated`, { views: 1 });
	assert.ok(u.json.data.date_updated);
	await send('DELETE', `/items/articles/${id}`);
});

test('nested create: m2o object, o2m objects, m2m through the junction; update replaces; detailed o2m', async () => {
	const slug = `w70-nested-${run}`;
	const c = await send('POST', '/items/articles?fields=id,category.id,category.title,comments.body,tags.tags_id.id,tags.tags_id.name', {
		title: 'W70 nested',
		slug,
		category: { title: `W70 cat ${run}` },
		comments: [{ body: 'one' }, { body: 'two' }],
		tags: [{ tags_id: 1 }, { tags_id: { name: `w70-tag-${run}` } }],
	});
	assert.equal(c.status, 200, c.text);
	const a = c.json.data;
	assert.equal(a.category.title, `W70 cat ${run}`);
	assert.deepEqual(a.comments, [{ body: 'one' }, { body: 'two' }]);
	assert.deepEqual(a.tags.map((t) => t.tags_id.name), ['news', `w70-tag-${run}`]);
	const newTag = a.tags[1].tags_id.id;

	// Array form replaces: junction rows left out are nullified (one_deselect_action nullify),
	// comments left out are deleted (delete).
	const u = await send('PATCH', `/items/articles/${a.id}?fields=tags.tags_id.id,comments.body`, {
		tags: [{ tags_id: 2 }],
		comments: [{ body: 'three' }],
	});
	assert.deepEqual(u.json.data, { tags: [{ tags_id: { id: 2 } }], comments: [{ body: 'three' }] });
	const orphans = await get('/items/articles_tags?filter[articles_id][_null]=true&fields=id,tags_id&limit=-1');
	assert.ok(orphans.json.data.some((r) => r.tags_id === newTag), 'deselected junction row nullified');

	const d = await send('PATCH', `/items/articles/${a.id}?fields=comments.body`, {
		comments: { create: [{ body: 'four' }], update: [], delete: [] },
	});
	assert.deepEqual(d.json.data.comments, [{ body: 'three' }, { body: 'four' }]);
	const bad = await send('PATCH', `/items/articles/${a.id}`, { comments: { create: 'x' } });
	assert.deepEqual(bad.json, invalidPayload('Invalid one-to-many update structure: "create" must be an array'));

	await send('DELETE', `/items/articles/${a.id}`);
	assert.deepEqual((await get(`/items/comments?filter[article][_eq]=${a.id}&fields=id`)).json.data, []);
	await send('DELETE', '/items/articles_tags', { query: { filter: { articles_id: { _null: true } }, limit: -1 } });
	await send('DELETE', `/items/categories/${a.category.id}`);
	await send('DELETE', `/items/tags/${newTag}`);
});

test('nested keys: an m2o object with an existing key updates it, o2m key lists attach and detach', async () => {
	const cat = await send('POST', '/items/categories?fields=id', { title: `W70 keyed ${run}` });
	const catId = cat.json.data.id;
	const a = await send('POST', '/items/articles?fields=id,category.title', {
		title: 'W70 keyed',
		slug: `w70-keyed-${run}`,
		category: { id: catId, title: `W70 keyed ${run} renamed` },
	});
	assert.equal(a.status, 200, a.text);
	assert.equal(a.json.data.category.title, `W70 keyed ${run} renamed`);
	const id = a.json.data.id;
	// Comments of another article, by key: moved over; the list replaces what was there.
	const c1 = await send('POST', '/items/comments?fields=id', { article: 1, body: `w70 move ${run}` });
	const moved = c1.json.data.id;
	const u = await send('PATCH', `/items/articles/${id}?fields=comments`, { comments: [moved] });
	assert.deepEqual(u.json.data.comments, [moved]);
	// An unknown key in an o2m list is the generic 403, and nothing changes.
	const bad = await send('PATCH', `/items/articles/${id}`, { comments: [987654321] });
	assert.deepEqual(bad.json, generic403);
	assert.deepEqual((await get(`/items/articles/${id}?fields=comments`)).json.data.comments, [moved]);
	await send('DELETE', `/items/articles/${id}`);
	await send('DELETE', `/items/categories/${catId}`);
});

test('a failure anywhere in a nested write rolls the whole request back', async () => {
	const slug = `w70-rollback-${run}`;
	const activity = () => sql('SELECT COUNT(*) FROM directus_activity')[0][0];
	const before = activity();
	const r = await send('POST', '/items/articles', {
		title: 'W70 rollback',
		slug,
		category: { title: `W70 rollback cat ${run}` },
		comments: [{ body: 'rolled back' }],
		tags: [{ tags_id: { name: 'news' } }], // tags.name is unique: the last write fails
	});
	assert.equal(r.status, 400);
	assert.deepEqual(r.json, {
		errors: [
			{
				message: 'Value for field "name" in collection "tags" has to be unique.',
				extensions: { code: 'RECORD_NOT_UNIQUE', collection: 'tags', field: 'name', ...(DB === 'mysql' ? { primaryKey: false } : {}) },
			},
		],
	});
	assert.deepEqual((await get(`/items/articles?filter[slug][_eq]=${slug}&fields=id`)).json.data, []);
	assert.deepEqual((await get(`/items/categories?filter[title][_eq]=W70 rollback cat ${run}&fields=id`)).json.data, []);
	assert.equal(activity(), before, 'no activity rows either');

	// Duplicate explicit keys in one batch: the second insert fails, the first is undone too.
	const dup = await send('POST', '/items/tags', [
		{ id: 900001, name: `w70-dup-a-${run}` },
		{ id: 900001, name: `w70-dup-b-${run}` },
	]);
	assert.equal(dup.status, 400);
	assert.equal(dup.json.errors[0].extensions.code, 'RECORD_NOT_UNIQUE');
	assert.deepEqual((await get(`/items/tags?filter[name][_starts_with]=w70-dup-&fields=id`)).json.data, []);
});

test('activity and revision rows as Directus writes them', async () => {
	const me = await adminId();
	const name = `w70-act-${run}`;
	const c = await send('POST', '/items/tags', { name });
	const id = c.json.data.id;
	const act = sql(
		`SELECT ${q('action')}, ${q('user')}, ${q('collection')}, ${q('item')}, ${q('ip')} FROM directus_activity WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}' ORDER BY id`,
	);
	assert.deepEqual(act, [['create', me, 'tags', String(id), act[0][4]]]);
	assert.ok(act[0][4], 'ip recorded');
	const rev = sql(`SELECT ${q('data')}, ${q('delta')}, ${q('parent')} FROM directus_revisions WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}'`);
	assert.deepEqual(rev.map((r) => [JSON.parse(r[0]), JSON.parse(r[1]), r[2]]), [[{ name }, { name }, null]]);

	await send('PATCH', `/items/tags/${id}`, { name: `${name}-2` });
	const upd = sql(`SELECT ${q('data')}, ${q('delta')} FROM directus_revisions WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}' ORDER BY id`);
	assert.equal(upd.length, 2);
	assert.deepEqual(JSON.parse(upd[1][0]), { id, name: `${name}-2` });
	assert.deepEqual(JSON.parse(upd[1][1]), { name: `${name}-2` });

	await send('DELETE', `/items/tags/${id}`);
	const del = sql(`SELECT ${q('action')} FROM directus_activity WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}' ORDER BY id`);
	assert.deepEqual(del.map((r) => r[0]), ['create', 'update', 'delete']);
	assert.equal(sql(`SELECT COUNT(*) FROM directus_revisions WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}'`)[0][0], '2', 'no revision for a delete');
});

test('batch forms: array create, array update, keys + data, query + data (limit 100), delete by keys and query', async () => {
	const prefix = `w70-b-${run}-`;
	const c = await send('POST', '/items/tags?fields=id,name', [{ name: `${prefix}1` }, { name: `${prefix}2` }, { name: `${prefix}3` }]);
	assert.deepEqual(c.json.data.map((t) => t.name), [`${prefix}1`, `${prefix}2`, `${prefix}3`]);
	const ids = c.json.data.map((t) => t.id);

	const arr = await send('PATCH', '/items/tags?fields=name', [
		{ id: ids[0], name: `${prefix}1x` },
		{ id: ids[1], name: `${prefix}2x` },
	]);
	assert.deepEqual(arr.json.data.map((t) => t.name), [`${prefix}1x`, `${prefix}2x`]);
	const miss = await send('PATCH', '/items/tags', [{ name: 'no key' }]);
	assert.deepEqual(miss.json, invalidPayload('Item in update misses primary key'));

	const keys = await send('PATCH', '/items/tags?fields=name', { keys: [ids[2]], data: { name: `${prefix}3x` } });
	assert.deepEqual(keys.json.data, [{ name: `${prefix}3x` }]);
	const byq = await send('PATCH', '/items/tags?fields=name&sort=name', {
		query: { filter: { name: { _starts_with: prefix } } },
		data: { name: `${prefix}same` },
	});
	assert.equal(byq.status, 400, 'tags.name is unique: the second row collides');
	assert.equal(byq.json.errors[0].extensions.code, 'RECORD_NOT_UNIQUE');
	assert.equal((await get(`/items/tags?filter[name][_eq]=${prefix}same&fields=id`)).json.data.length, 0, 'rolled back');

	// Query-based updates touch at most the query's limit (default 100).
	const arts = Array.from({ length: 105 }, (_, i) => ({ title: `W70 many ${i}`, slug: `${prefix}a${i}` }));
	const many = await send('POST', '/items/articles?fields=id', arts);
	assert.equal(many.json.data.length, 105);
	const upd = await send('PATCH', '/items/articles?fields=id', { query: { filter: { slug: { _starts_with: prefix } } }, data: { views: 42 } });
	assert.equal(upd.json.data.length, 100);
	const counted = await get(`/items/articles?filter[slug][_starts_with]=${prefix}&filter[views][_eq]=42&meta=filter_count&limit=0`);
	assert.equal(counted.json.meta.filter_count, 100);

	assert.equal((await send('DELETE', '/items/tags', { keys: ids.slice(0, 2) })).status, 204);
	assert.equal((await send('DELETE', '/items/tags', [ids[2], ids[2]])).status, 204, 'duplicate keys in a delete');
	assert.equal((await send('DELETE', '/items/articles', { query: { filter: { slug: { _starts_with: prefix } }, limit: -1 } })).status, 204);
	assert.equal((await get(`/items/articles?filter[slug][_starts_with]=${prefix}&meta=filter_count&limit=0`)).json.meta.filter_count, 0);
});

test('batch body checks with Joi messages', async () => {
	const cases = [
		['PATCH', {}, '"data" is required'],
		['PATCH', { keys: [1] }, '"data" is required'],
		['PATCH', { keys: 1, data: {} }, '"keys" must be an array'],
		['PATCH', { keys: [1], data: [] }, '"data" must be of type object'],
		['PATCH', { keys: [1], query: {}, data: {} }, '"value" contains a conflict between exclusive peers [query, keys]'],
		['PATCH', { data: {} }, '"value" must contain at least one of [query, keys]'],
		['PATCH', { keys: [1], data: {}, other: 1 }, '"other" is not allowed'],
		['DELETE', {}, '"value" must contain at least one of [query, keys]'],
		['DELETE', { keys: [true] }, '"keys[0]" must be one of [string, number]'],
		['DELETE', { query: 'x' }, '"query" must be of type object'],
	];
	for (const [method, body, reason] of cases) {
		const r = await send(method, '/items/tags', body);
		assert.deepEqual(r.json, invalidPayload(reason), `${method} ${JSON.stringify(body)}`);
	}
	const bad = await call('POST', '/items/tags', { headers: { ...admin, 'content-type': 'application/json' }, raw: '{"name": ' });
	assert.deepEqual(bad.json, invalidPayload('Unexpected end of JSON input'));
});

test('singletons: POST and PATCH by key 404, DELETE without a body 500', async () => {
	const p = await send('POST', '/items/site_settings', { site_name: 'x' });
	assert.deepEqual(p.json, {
		errors: [{ message: "Route /site_settings doesn't exist.", extensions: { path: '/site_settings', code: 'ROUTE_NOT_FOUND' } }],
	});
	assert.equal((await send('PATCH', '/items/site_settings/1', { site_name: 'x' })).status, 404);
	const d = await call('DELETE', '/items/site_settings', { headers: admin });
	assert.equal(d.status, 500);
	assert.equal(d.json.errors[0].message, "Cannot read properties of undefined (reading 'limit')");
	const before = (await get('/items/site_settings')).json.data;
	const u = await send('PATCH', '/items/site_settings?fields=id,site_name', { site_name: before.site_name });
	assert.deepEqual(u.json.data, { id: before.id, site_name: before.site_name });
});

test('bad input: unknown fields ignored for admins, wrong types per database, 10 MB strings, 100 levels of m2o', async () => {
	const slug = `w70-bad-${run}`;
	const u = await send('POST', '/items/articles?fields=title', { title: 'W70 unknown', slug, no_such_field: 1 });
	assert.deepEqual(u.json, { data: { title: 'W70 unknown' } });

	const t = await send('POST', '/items/articles?fields=views', { title: 'W70 typed', slug: `${slug}-t`, views: 'lots' });
	if (DB === 'sqlite3' || DB === 'sqlite') assert.deepEqual(t.json, { data: { views: 'lots' } });
	else {
		assert.equal(t.status, 500);
		assert.equal(t.json.errors[0].extensions.code, 'INTERNAL_SERVER_ERROR');
	}
	const badDate = await send('POST', '/items/articles', { title: 'W70 date', published_date: '2024-02-30' });
	assert.deepEqual(badDate.json, invalidPayload('Invalid DateTime format in field "published_date"'));

	const big = await send('POST', '/items/tags', { name: 'x'.repeat(10 * 1024 * 1024) });
	assert.deepEqual(big.json, invalidPayload('request entity too large'));

	let deep = { title: `w70-deep-${run}-0` };
	const root = deep;
	for (let i = 1; i < 100; i++) deep = deep.parent = { title: `w70-deep-${run}-${i}` };
	const d = await send('POST', '/items/categories?fields=title,parent.title', root);
	const made = await get(`/items/categories?filter[title][_starts_with]=w70-deep-${run}-&fields=id&sort=id&limit=-1`);
	if (DB === 'mysql') {
		// The revision holds the payload as sent; MariaDB's JSON check refuses nesting beyond 32
		// levels, so Directus answers 500 there too, and nothing stays written.
		assert.equal(d.status, 500);
		assert.equal(made.json.data.length, 0);
	} else {
		assert.deepEqual(d.json.data, { title: `w70-deep-${run}-0`, parent: { title: `w70-deep-${run}-1` } });
		assert.equal(made.json.data.length, 100);
	}
	// Children first: each parent must go after the rows pointing at it.
	for (const { id } of made.json.data.reverse()) await send('DELETE', `/items/categories/${id}`);
	await cleanupArticles(slug);
});

async function login(email, password) {
	const r = await call('POST', '/auth/login', { body: { email, password } });
	assert.equal(r.status, 200, r.text);
	return { authorization: `Bearer ${r.json.data.access_token}` };
}

test('permissions: 403 for the public, field allow-lists, validation and presets, row rules on update and delete', async () => {
	const pub = await send('POST', '/items/articles', { title: 'anonymous' }, {});
	assert.equal(pub.status, 403);
	assert.equal(pub.json.errors[0].extensions.reason, `You don't have permission to "create" from collection "articles" or it does not exist.`);
	const c = await send('POST', '/items/comments?fields=id,article,body', { article: 1, body: `w70 editor ${run}` }, editor);
	assert.equal(c.status, 200, c.text);
	assert.deepEqual(c.json.data, { id: c.json.data.id, article: 1, body: `w70 editor ${run}` });
	assert.equal((await send('DELETE', `/items/comments/${c.json.data.id}`, undefined, editor)).status, 204);
	assert.equal((await send('POST', '/items/authors', { name: 'no' }, editor)).status, 403);

	const author = await login('author@example.com', 'author-password');
	const short = await send('POST', '/items/articles', { title: 'ab' }, author);
	assert.deepEqual(short.json.errors, [
		{ message: 'Validation failed for field "title". Value doesn\'t have the correct format.', extensions: { field: 'title', type: 'regex', invalid: 'ab', code: 'FAILED_VALIDATION' } },
	]);
	const withStatus = await send('POST', '/items/articles', { title: 'Author publishes', status: 'published' }, author);
	assert.equal(withStatus.status, 403);
	// The preset sets status; the payload's own keys win over presets, user_created is the author.
	const mine = await send('POST', '/items/articles?fields=id,status,user_created', { title: 'W70 author draft', slug: `w70-author-${run}` }, author);
	assert.equal(mine.status, 200, mine.text);
	assert.equal(mine.json.data.status, 'draft');
	assert.equal(mine.json.data.user_created, 'c0000000-0000-4000-8000-00000000a001');
	const other = await send('PATCH', '/items/articles/1', { title: 'Hijacked' }, author);
	assert.equal(other.json.errors[0].extensions.reason, 'You don\'t have permissions to perform "update" for the field(s) "title" in collection "articles" or it does not exist.');
	assert.equal((await get('/items/articles/1?fields=title')).json.data.title, 'Quiet Deep Dive to JSON #1');
	assert.equal((await send('DELETE', '/items/articles/1', undefined, author)).status, 403);
	const edit = await send('PATCH', `/items/articles/${mine.json.data.id}?fields=title`, { title: 'W70 author edit' }, author);
	assert.deepEqual(edit.json, { data: { title: 'W70 author edit' } });
	assert.equal((await send('DELETE', `/items/articles/${mine.json.data.id}`, undefined, author)).status, 204);
});

test('32 concurrent updates of one row: all succeed, the row holds one of the values, 32 activity rows', async () => {
	const c = await send('POST', '/items/tags', { name: `w70-conc-${run}` });
	const id = c.json.data.id;
	const results = await Promise.all(
		Array.from({ length: 32 }, (_, i) => send('PATCH', `/items/tags/${id}?fields=name`, { name: `w70-conc-${run}-${i}` })),
	);
	for (const r of results) assert.equal(r.status, 200, r.text);
	const final = (await get(`/items/tags/${id}?fields=name`)).json.data.name;
	assert.match(final, new RegExp(`^w70-conc-${run}-\\d+$`));
	assert.equal(
		sql(`SELECT COUNT(*) FROM directus_activity WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}' AND ${q('action')} = 'update'`)[0][0],
		'32',
	);
	await send('DELETE', `/items/tags/${id}`);
});

test('/utils/revert/:revision puts the item back as the revision shows it', async () => {
	const c = await send('POST', '/items/tags', { name: `w70-rv-${run}` });
	const id = c.json.data.id;
	await send('PATCH', `/items/tags/${id}`, { name: `w70-rv-${run}-changed` });
	const [[first]] = sql(`SELECT id FROM directus_revisions WHERE ${q('collection')} = 'tags' AND ${q('item')} = '${id}' ORDER BY id`);
	const r = await call('POST', `/utils/revert/${first}`, { headers: admin });
	assert.equal(r.status, 204);
	assert.equal((await get(`/items/tags/${id}?fields=name`)).json.data.name, `w70-rv-${run}`);
	assert.equal((await call('POST', `/utils/revert/${first}`, {})).status, 403, 'the public cannot read revisions');
	assert.equal((await call('POST', '/utils/revert/999999999', { headers: admin })).status, 403);
	await send('DELETE', `/items/tags/${id}`);
});

// The fixture has no sort field: the test adds one to tags and restarts the workers so they see it.
async function reloadWorkers() {
	process.kill(Number(ENV.POOL_PID), 'SIGHUP');
	await new Promise((r) => setTimeout(r, 500));
}

test('/utils/sort/:collection moves an item and renumbers around it', async () => {
	const body = (b) => ({ headers: admin, body: b });
	assert.deepEqual((await call('POST', '/utils/sort/tags', body({ item: 1 }))).json, invalidPayload('"to" is required'));
	assert.deepEqual((await call('POST', '/utils/sort/tags', body({ item: 1, to: 2 }))).json, invalidPayload('Collection "tags" doesn\'t have a sort field'));
	assert.equal((await call('POST', '/utils/sort/nope', body({ item: 1, to: 2 }))).status, 403);

	sql(`ALTER TABLE tags ADD COLUMN ${q('sort')} INTEGER`);
	sql(`UPDATE directus_collections SET sort_field = 'sort' WHERE ${q('collection')} = 'tags'`);
	sql(`UPDATE tags SET ${q('sort')} = id WHERE id <= 5`);
	try {
		await reloadWorkers();
		const r = await call('POST', '/utils/sort/tags', body({ item: 1, to: 3 }));
		assert.equal(r.status, 200, r.text);
		assert.equal(r.text, '');
		const order = sql(`SELECT id FROM tags WHERE id <= 5 ORDER BY ${q('sort')}`).map((x) => Number(x[0]));
		assert.deepEqual(order, [2, 3, 1, 4, 5]);
		assert.equal(sql(`SELECT COUNT(*) FROM tags WHERE ${q('sort')} IS NULL`)[0][0], '0', 'rows without a sort value were numbered');
		const missing = await call('POST', '/utils/sort/tags', body({ item: 1, to: 987654 }));
		assert.equal(missing.status, 500);
		const ed = await call('POST', '/utils/sort/tags', { headers: editor, body: { item: 3, to: 2 } });
		assert.equal(ed.status, 200, 'the editor may update tags');
		const pub = await call('POST', '/utils/sort/tags', { body: { item: 3, to: 2 } });
		assert.equal(pub.status, 403);
	} finally {
		sql(`UPDATE directus_collections SET sort_field = NULL WHERE ${q('collection')} = 'tags'`);
		sql(`ALTER TABLE tags DROP COLUMN ${q('sort')}`);
		await reloadWorkers();
	}
});
