// Reads through /items against the fixture, as the admin's static token (the read path for
// other roles lands with permissions): envelopes, nesting, filters, meta, aggregates, errors
// with Directus's exact texts, per-database value formats, and hostile input answered with an
// envelope, never a 500. Read-only: the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, call } from './lib/env.mjs';

const DB = ENV.STACK_DB || ENV.DB_CLIENT;
const admin = { authorization: 'Bearer admin-static-token' };
const get = (path, headers = admin) => call('GET', path, { headers });

function forbiddenField(field, coll, where) {
	const reason = `You don't have permission to access field "${field}" in collection "${coll}" or it does not exist. Queried in ${where}.`;
	return { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] };
}

function invalidQuery(reason) {
	return { errors: [{ message: `Invalid query. ${reason}.`, extensions: { reason, code: 'INVALID_QUERY' } }] };
}

const generic403 = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };

test('list and single item envelopes, with Directus headers', async () => {
	const r = await get('/items/articles?fields=id,title&limit=2');
	assert.equal(r.status, 200);
	assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
	assert.equal(r.headers.get('cache-control'), 'no-cache');
	assert.deepEqual(r.json, {
		data: [
			{ id: 1, title: 'Quiet Deep Dive to JSON #1' },
			{ id: 2, title: 'Quick Story to Mountains #2' },
		],
	});
	const one = await get('/items/articles/2?fields=id,slug');
	assert.deepEqual(one.json, { data: { id: 2, slug: 'quick-story-to-mountains-2' } });
	const head = await call('HEAD', '/items/articles/2?fields=id', { headers: admin });
	assert.equal(head.status, 200);
	assert.equal(head.text, '');
});

test('missing, malformed, unknown and system items are 403 for the admin too', async () => {
	for (const path of ['/items/articles/99999', '/items/articles/abc', '/items/articles/1.5', '/items/nope', '/items/directus_users', '/items/directus_users/1']) {
		const r = await get(path);
		assert.equal(r.status, 403, path);
		assert.deepEqual(r.json, generic403, path);
	}
});

test('the public reads what its policy grants (details in 50_perms)', async () => {
	const r = await get('/items/tags?limit=1&fields=id', {});
	assert.deepEqual(r.json, { data: [{ id: 1 }] });
	const missing = await get('/items/tags/99999', {});
	assert.equal(missing.status, 403);
	assert.deepEqual(missing.json, generic403);
});

test('nested m2o, o2m, m2m and wildcards', async () => {
	const r = await get('/items/articles?fields=id,author.name,category.parent.title,comments.id,tags.tags_id.name&filter[id][_in]=1,2');
	assert.deepEqual(r.json.data[1], {
		id: 2,
		author: { name: 'Linus Torvalds' },
		category: { parent: { title: 'Technology' } },
		comments: r.json.data[1].comments,
		tags: [{ tags_id: { name: 'database' } }, { tags_id: { name: 'security' } }],
	});
	assert.deepEqual(r.json.data[0].comments.map((c) => c.id), [1, 2, 3, 4]);
	const star = await get('/items/articles/1');
	assert.deepEqual(star.json.data.comments, [1, 2, 3, 4]);
	assert.deepEqual(star.json.data.tags, []);
	const tree = await get('/items/categories?fields=*.*.*&filter[id][_eq]=7');
	assert.deepEqual(tree.json.data[0].parent.parent.children, [5, 6]);
	assert.equal(tree.json.data[0].parent.children[0].title, 'JavaScript');
});

test('filters: operators, logical groups, relations, _some/_none, functions, $NOW', async () => {
	const count = async (q) => (await get(`/items/articles?fields=id&limit=1&meta=filter_count&${q}`)).json.meta.filter_count;
	assert.equal(await count('filter[status][_eq]=published'), 287);
	assert.equal(await count('filter[status][_neq]=published'), 213);
	assert.equal(await count('filter[views][_null]=true'), 21);
	assert.equal(await count('filter[_or][0][status][_eq]=draft&filter[_or][1][status][_eq]=archived'), 213);
	assert.equal(await count('filter[comments][body][_contains]=Great'), 185);
	assert.equal(await count('filter[comments][_none][body][_contains]=Great'), 315);
	assert.equal(await count(`filter=${encodeURIComponent('{"comments":{"_none":{"id":{"_nnull":true}}}}')}`), 62);
	assert.equal(await count('filter[year(published_date)][_eq]=2023'), 87);
	assert.equal(await count('filter[published_date][_lt]=$NOW(-100%20years)'), 0);
	assert.equal(await count('filter[author][name][_eq]=Ada%20Lovelace'), 32);
});

test('search, sort, paging and meta', async () => {
	const s = await get('/items/articles?search=quantum&fields=id&limit=1&meta=filter_count,total_count');
	assert.deepEqual(Object.keys(s.json), ['meta', 'data']);
	assert.deepEqual(Object.keys(s.json.meta), ['filter_count', 'total_count']);
	assert.equal(s.json.meta.total_count, 500);
	const page = await get('/items/articles?limit=7&page=3&fields=id');
	assert.deepEqual(page.json.data.map((a) => a.id), [15, 16, 17, 18, 19, 20, 21]);
	const sorted = await get('/items/articles?sort=-views,id&filter[views][_nnull]=true&fields=id,views&limit=2');
	assert.ok(sorted.json.data[0].views >= sorted.json.data[1].views);
	const nested = await get('/items/articles?sort=author.name,-id&filter[author][_nnull]=true&fields=id,author.name&limit=2');
	assert.equal(nested.json.data[0].author.name, 'Ada Lovelace');
	const all = await get('/items/articles?limit=-1&fields=id');
	assert.equal(all.json.data.length, 500);
});

test('aggregates and groupBy, with each database\'s value types', async () => {
	const r = await get('/items/articles?aggregate[count]=*&groupBy[]=status');
	const asDb = (n) => (DB === 'pg' ? String(n) : n);
	assert.deepEqual(r.json.data, [
		{ status: 'archived', count: asDb(63) },
		{ status: 'draft', count: asDb(150) },
		{ status: 'published', count: asDb(287) },
	]);
	const mm = await get('/items/articles?aggregate[min]=views&aggregate[max]=views');
	assert.deepEqual(mm.json.data, [{ min: { views: 20 }, max: { views: 95492 } }]);
	const unknown = await get('/items/articles?aggregate[median]=views&limit=3');
	assert.deepEqual(unknown.json, { data: [{}, {}, {}] });
});

test('deep: per-parent limit and sort', async () => {
	const r = await get('/items/articles?fields=id,comments.id&deep[comments][_limit]=2&deep[comments][_sort]=-id&filter[id][_in]=1,3');
	assert.deepEqual(r.json.data, [
		{ id: 1, comments: [{ id: 4 }, { id: 3 }] },
		{ id: 3, comments: [{ id: 8 }, { id: 7 }] },
	]);
});

test('singletons answer an object; SEARCH reads with a body query or keys', async () => {
	const s = await get('/items/site_settings?fields=site_name');
	assert.deepEqual(s.json, { data: { site_name: 'Anchor Demo Site' } });
	const q = await call('SEARCH', '/items/articles', { headers: admin, body: { query: { fields: ['id'], limit: 2, sort: ['-id'] } } });
	assert.deepEqual(q.json, { data: [{ id: 500 }, { id: 499 }] });
	const k = await call('SEARCH', '/items/articles', { headers: admin, body: { keys: [3, 1], query: { fields: ['id'] } } });
	assert.deepEqual(k.json, { data: [{ id: 1 }, { id: 3 }] });
	const bad = await call('SEARCH', '/items/articles', { headers: admin, body: { keys: [true] } });
	assert.equal(bad.status, 400);
	assert.equal(bad.json.errors[0].extensions.code, 'INVALID_PAYLOAD');
});

test('errors carry Directus\'s exact texts', async () => {
	const cases = [
		['/items/articles?fields=id,nope', 403, forbiddenField('nope', 'articles', 'root')],
		['/items/articles?filter[nope][_eq]=1', 403, forbiddenField('nope', 'articles', 'root')],
		['/items/articles?fields=id,author.nope', 403, forbiddenField('nope', 'authors', '"author"')],
		['/items/articles?sort=nope', 403, forbiddenField('nope', 'articles', 'root')],
		['/items/articles?filter[title][_foo]=x', 400, invalidQuery('"string" field type does not contain the "_foo" filter operator')],
		['/items/articles?filter[views][_contains]=5', 400, invalidQuery('"integer" field type does not contain the "_contains" filter operator')],
		['/items/articles?filter=%7B%22status%22%3A', 400, invalidQuery('Invalid JSON for filter object')],
		['/items/articles?limit=abc', 400, invalidQuery('"limit" must be a number')],
		['/items/articles?limit=1.5', 400, invalidQuery('"limit" must be an integer')],
		['/items/articles?limit=-2', 400, invalidQuery('"limit" must be greater than or equal to -1')],
		['/items/articles?meta=bogus', 400, invalidQuery('"meta[0]" must be one of [total_count, filter_count]')],
		['/items/articles?fields=year(title)', 400, invalidQuery('Invalid function specified "year"')],
		['/items/articles?filter[author][_some][id][_eq]=1', 400, invalidQuery('"_some" can only be used with top level relational alias field')],
		['/items/does_not_exist?limit=abc', 400, invalidQuery('"limit" must be a number')],
		// sanitizeQuery runs for every route, before the router: a bad query beats a 404
		['/no/such/route?meta=bogus', 400, invalidQuery('"meta[0]" must be one of [total_count, filter_count]')],
		['/server/info?limit=1.5', 400, invalidQuery('"limit" must be an integer')],
		['/users/me?filter=%7B', 400, invalidQuery('Invalid JSON for filter object')],
	];
	for (const [path, status, body] of cases) {
		const r = await get(path);
		assert.equal(r.status, status, path);
		assert.deepEqual(r.json, body, path);
	}
});

test('hostile input gets an envelope, never a 500, within bounded time', async () => {
	const deep = 'a.'.repeat(100) + 'b';
	const big = Array.from({ length: 100000 }, (_, i) => i).join(',');
	const sorts = Array.from({ length: 500 }, (_, i) => (i % 2 ? '-id' : 'title')).join(',');
	const paths = [
		`/items/articles?fields=${deep}`,
		`/items/articles?filter=${encodeURIComponent('{"_and":['.repeat(300) + '{}' + ']}'.repeat(300))}`,
		`/items/articles?fields=id&limit=1&sort=${sorts}`,
		'/items/articles?fields=id&limit=1000000000000&filter[id][_lt]=3',
		"/items/articles?fields=id&filter[title][_eq]=%27%20OR%201%3D1%20--",
		'/items/articles?fields=id&filter[title][_eq]=a%00b&search=%00%F0%9F%98%80',
		'/items/articles?fields=id;DROP%20TABLE%20articles&limit=1',
		'/items/articles?sort=id);--&fields=id',
		'/items/articles?fields=id&filter[published_date][_eq]=%27);DELETE%20FROM%20articles;--',
		'/items/articles?aggregate[count]=*)%20FROM%20x;--&groupBy=a%60b',
		`/items/articles?fields=id&filter[id][_in]=${big}`,
	];
	for (const path of paths) {
		const t0 = Date.now();
		const r = await call('GET', path.length > 8000 ? '/items/articles?fields=id&limit=1' : path, { headers: admin });
		assert.ok(r.status < 500, `${path.slice(0, 80)}: ${r.status} ${r.text.slice(0, 200)}`);
		assert.ok(r.json && (r.json.data !== undefined || r.json.errors), path.slice(0, 80));
		assert.ok(Date.now() - t0 < 10000, `${path.slice(0, 80)} took too long`);
	}
	// A 100,000-element _in list through SEARCH (no URL length limit there).
	const r = await call('SEARCH', '/items/articles', {
		headers: admin,
		body: { query: { fields: ['id'], limit: 1, filter: { id: { _in: big.split(',').map(Number) } } } },
	});
	assert.ok(r.status < 500, r.text.slice(0, 200));
	// Still the same table afterwards.
	const n = await get('/items/articles?aggregate[count]=*');
	assert.equal(Number(n.json.data[0].count), 500);
});
