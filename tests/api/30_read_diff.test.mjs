// Reads where the differential run (tests/compat/diff-reads.mjs against real Directus 11.3.5)
// found Celer answering differently; each expectation is what real Directus answered on the
// fixture. Read-only: the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, call } from './lib/env.mjs';

const DB = ENV.STACK_DB || ENV.DB_CLIENT;

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const get = (path, headers = admin) => call('GET', path, { headers });

async function login(email, password) {
	const r = await call('POST', '/auth/login', { body: { email, password } });
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return { authorization: `Bearer ${r.json.data.access_token}` };
}

const unexpected = { errors: [{ message: 'An unexpected error occurred.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };

test('groupBy values go through processValues: a group renders as a plain read of the field', async () => {
	for (const field of ['published_date', 'date_created']) {
		const q = `sort=${field}&limit=2&filter[${field}][_nnull]=true`;
		const groups = await get(`/items/articles?aggregate[count]=*&groupBy=${field}&${q}`);
		const plain = await get(`/items/articles?fields=${field}&${q}`);
		assert.equal(groups.status, 200);
		assert.deepEqual(groups.json.data.map((row) => row[field]), plain.json.data.map((row) => row[field]), field);
	}
	// PostgreSQL (the anchor): a dateTime has no milliseconds or Z, a timestamp is an ISO instant
	if (DB === 'pg') {
		const r = await get('/items/articles?aggregate[count]=*&groupBy=published_date&sort=published_date&limit=1&filter[published_date][_nnull]=true');
		assert.equal(r.json.data[0].published_date, '2021-01-11T12:38:05');
	}
});

test('an aggregate string that is not a JSON object crashes sanitizeAggregate: 500, its text for admins only', async () => {
	const r = await get('/items/articles?aggregate=%7B%22count%22%3A');
	assert.equal(r.status, 500);
	assert.deepEqual(r.json, {
		errors: [{ message: `Cannot assign to read only property '0' of string '{"count":'`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
	});
	const pub = await call('GET', '/items/articles?aggregate=%22ab%22');
	assert.equal(pub.status, 500);
	assert.deepEqual(pub.json, unexpected);
	const ed = await get('/items/articles?aggregate=abc', editor);
	assert.deepEqual([ed.status, ed.json], [500, unexpected]);
	// a JSON value that is no object is still Joi's 400
	const num = await get('/items/articles?aggregate=5');
	assert.equal(num.status, 400);
	assert.equal(num.json.errors[0].extensions.reason, '"aggregate" must be of type object');
});


// applyParentFilters lodash-merges {fk: {_in: parent keys}} into a deep _filter; when the filter's
// only key is that same field, applyFilter reads only the user's (first) operator.
const missing = (fk) => ({ errors: [{ message: `Missing parentItem '${fk}' of 'articles' when merging o2m nested items`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });

test('deep _filter on the o2m foreign key loses the parent restriction: rows of other parents make Directus throw', async () => {
	const r = await get('/items/articles?fields=id,comments.id&sort=id&limit=2&deep[comments][_filter][article][_gte]=1');
	assert.deepEqual([r.status, r.json], [500, missing(3)]);
	// the foreign key expanded as an object prints as one
	const obj = await get('/items/articles?fields=id,comments.article.id&sort=id&limit=2&deep[comments][_filter][article][status][_eq]=published');
	assert.deepEqual([obj.status, obj.json], [500, missing('[object Object]')]);
	// non-admins get the generic text
	const ed = await get('/items/articles?fields=id,comments.id&sort=id&limit=2&deep[comments][_filter][article][_gte]=1', editor);
	assert.deepEqual([ed.status, ed.json], [500, unexpected]);
	// two operators are an _and after parseFilter: the restriction holds
	const and = await get('/items/articles?fields=id,comments.id&sort=id&limit=2&deep[comments][_filter][article][_gte]=1&deep[comments][_filter][article][_lte]=2');
	assert.equal(and.status, 200);
	assert.deepEqual(and.json, { data: [{ id: 1, comments: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] }, { id: 2, comments: [] }] });
});

test('deep _in on the foreign key merges index-wise with the parent keys', async () => {
	// parents 1, 2: merged [1, 2, 3], so article 3's comments come back for no parent
	const r = await get('/items/articles?fields=id,comments.id&sort=id&limit=2&deep[comments][_filter][article][_in]=1,2,3');
	assert.deepEqual([r.status, r.json], [500, missing(3)]);
	// parents 1, 2, 3: merged [1, 2, 3], the user's own list is gone
	const all = await get('/items/articles?fields=id,comments.id&sort=id&limit=3&deep[comments][_filter][article][_in]=2');
	assert.equal(all.status, 200);
	assert.deepEqual(all.json, {
		data: [
			{ id: 1, comments: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] },
			{ id: 2, comments: [] },
			{ id: 3, comments: [{ id: 5 }, { id: 6 }, { id: 7 }, { id: 8 }] },
		],
	});
});

test('deep _filter on an m2o primary key: related rows no parent points to make Directus throw a TypeError', async () => {
	const r = await get('/items/articles?fields=id,author.id&sort=id&limit=2&deep[author][_filter][id][_eq]=5');
	assert.equal(r.status, 500);
	assert.deepEqual(r.json, {
		errors: [{ message: 'parentsByForeignKey.get is not a function or its return value is not iterable', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
	});
	// _in merged with the parents' foreign keys: the user's values are overwritten
	const all = await get('/items/articles?fields=id,author.id&sort=id&limit=3&deep[author][_filter][id][_in]=999');
	assert.equal(all.status, 200);
	assert.deepEqual(all.json, { data: [{ id: 1, author: { id: 8 } }, { id: 2, author: { id: 3 } }, { id: 3, author: { id: 6 } }] });
});

test('groupBy under a row rule: any sort but the first group field alone fails on PostgreSQL', async () => {
	// Directus groups by CASE WHEN <rule> THEN column END and orders by the bare column
	const author = await login('author@example.com', 'author-password');
	const bad = await get('/items/articles?aggregate[count]=*&groupBy=status&sort=-status', author);
	const pub = await call('GET', '/items/articles?aggregate[count]=*&groupBy=author&sort=-author&limit=2');
	if (DB === 'pg') {
		assert.deepEqual([bad.status, bad.json], [500, unexpected]);
		assert.deepEqual([pub.status, pub.json], [500, unexpected]);
	} else {
		assert.equal(bad.status, 200);
		assert.equal(pub.status, 200);
	}
	// the sort getAllowedSort gives a grouped query (the first group field) is fine everywhere
	for (const q of ['groupBy=status&sort=status', 'groupBy=status', 'groupBy=status,author&sort=status', 'groupBy=status&sort=count']) {
		const r = await get(`/items/articles?aggregate[count]=*&${q}`, author);
		assert.equal(r.status, 200, q);
	}
	const ok = await get('/items/articles?aggregate[count]=*&groupBy=status', author);
	assert.deepEqual(
		ok.json.data.map((row) => [row.status, Number(row.count)]),
		[['archived', 2], ['draft', 10], ['published', 287]],
	);
	// no row rule (the editor): no case/when, any grouped sort works
	const ed = await get('/items/articles?aggregate[count]=*&groupBy=status&sort=-status', editor);
	assert.deepEqual(ed.json.data.map((row) => row.status), ['published', 'draft', 'archived']);
});

test('meta filter_count of an aggregate query with a relational filter counts items', async () => {
	const r = await get('/items/comments?aggregate[countDistinct]=article&groupBy[]=article&sort=article&filter[article][status][_eq]=draft&limit=2&meta=*');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.meta, { total_count: 1510, filter_count: 427 });
	assert.deepEqual(r.json.data.map((row) => row.article), [3, 13]);
	const o2m = await get('/items/articles?aggregate[count]=*&filter[comments][body][_contains]=a&meta=*');
	assert.deepEqual(o2m.json.meta, { total_count: 500, filter_count: 438 });
	assert.equal(Number(o2m.json.data[0].count), 1496);
});

test('values PostgreSQL refuses for the column fail the query as in Directus (500), elsewhere they match nothing', async () => {
	const cases = [
		'filter[views][_in]=a,b',
		'filter[views][_gt]=1.5',
		'filter[views][_eq]=99999999999',
		'filter[id][_eq]=$NOW',
		'filter[user_created][_eq]=abc',
		'filter[published_date][_eq]=abc',
	];
	for (const q of cases) {
		const r = await get(`/items/articles?fields=id&limit=1&${q}`, editor);
		if (DB === 'pg') assert.deepEqual([r.status, r.json], [500, unexpected], q);
		else assert.equal(r.status, 200, q);
	}
	// what PostgreSQL takes still works, and a key that is no number is still a 403
	const ok = await get('/items/articles?fields=id&limit=1&sort=id&filter[views][_gt]=1&filter[user_created][_eq]=c0000000-0000-4000-8000-00000000e001', editor);
	assert.deepEqual(ok.json, { data: [{ id: 1 }] });
	assert.equal((await get('/items/articles/abc')).status, 403);
});

test('operator errors: plain conditions of a level are checked before its _and/_or groups and _some/_none', async () => {
	const reason = (type, op) => `"${type}" field type does not contain the "${op}" filter operator`;
	const check = async (path, type, op) => {
		const r = await get(path);
		assert.equal(r.status, 400, path);
		assert.equal(r.json.errors[0].extensions.reason, reason(type, op), path);
	};
	await check('/items/categories?filter[_and][0][children][_some][id][_contains]=10&filter[_and][1][parent][id][_nempty]=true', 'integer', '_nempty');
	await check('/items/articles?filter[_and][0][_or][0][views][_contains]=1&filter[_and][1][status][_regex]=a', 'string', '_regex');
	// plain beside plain: key order
	await check('/items/articles?filter[_and][0][views][_contains]=1&filter[_and][1][status][_regex]=a', 'integer', '_contains');
});

test('count() of a relation first in fields does not hide the fields after it from the checks', async () => {
	const one = (field) => `You don't have permission to access field "${field}" in collection "articles" or it does not exist. Queried in root.`;
	const a = await get('/items/articles?fields=count(tags),nonexistent_field&limit=1');
	assert.equal(a.status, 403);
	assert.equal(a.json.errors[0].extensions.reason, one('nonexistent_field'));
	const pub = await call('GET', '/items/articles?fields=count(tags),category,user_created.last_name,body&limit=1');
	assert.equal(pub.status, 403);
	assert.equal(pub.json.errors[0].extensions.reason, one('body'));
	const both = await call('GET', '/items/articles?fields=count(comments),author,price&limit=1');
	assert.equal(both.json.errors[0].extensions.reason, `You don't have permission to access fields "comments", "price" in collection "articles" or they do not exist. Queried in root.`);
});

test('/fields: directus_users.provider lists the configured auth providers as choices (none)', async () => {
	const r = await get('/fields/directus_users/provider');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.data.meta.options, { choices: [] });
	const all = await get('/fields');
	const row = all.json.data.find((f) => f.collection === 'directus_users' && f.field === 'provider');
	assert.deepEqual(row.meta.options, { choices: [] });
});

test('a single item ignores meta, so a filter only meta would check is never checked', async () => {
	const r = await get('/items/articles_tags/10?filter[id][_nempty]=true&meta=*', editor);
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, { data: { id: 10, articles_id: 6, tags_id: 10 } });
});

test('a deep _filter error surfaces only when the nested query runs, in the order of the nested fields', async () => {
	// no parent item: the nested query never runs, so its bad operator goes unnoticed
	for (const q of ['fields=id,comments.id&filter[id][_eq]=99999&deep[comments][_filter][id][_contains]=1', 'fields=id,author.name&filter[id][_eq]=99999&deep[author][_filter][id][_contains]=1']) {
		const r = await get(`/items/articles?${q}`);
		assert.deepEqual([r.status, r.json], [200, { data: [] }], q);
	}
	const bad = await get('/items/articles?fields=id,comments.id&limit=1&deep[comments][_filter][id][_contains]=1');
	assert.equal(bad.status, 400);
	assert.equal(bad.json.errors[0].extensions.reason, '"integer" field type does not contain the "_contains" filter operator');
	// two failing nested nodes: the first in fields wins
	const deep = 'sort=id&limit=2&deep[comments][_filter][article][_lte]=100&deep[category][_filter][id][_nbetween]=3,7';
	const first = await get(`/items/articles?fields=id,comments.id,category.id&${deep}`);
	assert.deepEqual([first.status, first.json], [500, missing(3)]);
	const second = await get(`/items/articles?fields=id,category.id,comments.id&${deep}`);
	assert.equal(second.status, 500);
	assert.equal(second.json.errors[0].message, 'parentsByForeignKey.get is not a function or its return value is not iterable');
});

test('several operators or a logical operator under the second field of a path: Directus compares the first field with an array (PostgreSQL refuses it)', async () => {
	for (const q of ['filter[category][parent][_neq]=500&filter[category][parent][_gt]=1000', 'filter[category][parent][_or][0][_eq]=2']) {
		const r = await get(`/items/articles?fields=id&sort=id&limit=3&${q}`, editor);
		if (DB === 'pg') assert.deepEqual([r.status, r.json], [500, unexpected], q);
		else assert.equal(r.status, 200, q);
	}
	// under the first field the logical operator moves to the top: a plain condition
	const ok = await get('/items/articles?fields=id&sort=id&limit=3&filter[category][_or][0][parent][_eq]=2', editor);
	assert.deepEqual(ok.json, { data: [{ id: 2 }, { id: 12 }, { id: 14 }] });
	const two = await get('/items/articles?fields=id&sort=id&limit=2&filter[views][_gt]=100&filter[views][_lt]=200', editor);
	assert.equal(two.status, 200);
});

test('a nested node\'s own nested errors come before the merge that throws', async () => {
	const r = await get('/items/articles?fields=id,tags.tags_id.name&limit=2&sort=id&deep[tags][_filter][articles_id][_lt]=500&deep[tags][tags_id][_filter][name][_lt]=x');
	assert.equal(r.status, 400);
	assert.equal(r.json.errors[0].extensions.reason, '"string" field type does not contain the "_lt" filter operator');
});

test('_some/_none join their relation into a flat aggregate: joined rows are counted', async () => {
	const r = await call('SEARCH', '/items/categories', {
		headers: admin,
		body: { query: { filter: { children: { _none: { title: { _eq: 'x' } } } }, aggregate: { count: ['*'] }, groupBy: ['parent'] } },
	});
	assert.equal(r.status, 200);
	const byParent = Object.fromEntries(r.json.data.map((row) => [String(row.parent), Number(row.count)]));
	assert.deepEqual(byParent, { 2: 3, 3: 1, 4: 1, 5: 2, null: 5 });
	// a list read is unchanged: each item once
	const list = await get('/items/categories?filter[children][_some][id][_gt]=0&fields=id&meta=*&sort=id');
	assert.deepEqual(list.json, { meta: { total_count: 10, filter_count: 4 }, data: [{ id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }] });
});

test('an alias of an m2o after the relation under its own name: its rows find no parent (TypeError)', async () => {
	const typeError = { errors: [{ message: 'parentsByForeignKey.get is not a function or its return value is not iterable', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
	const alias = (a) => encodeURIComponent(JSON.stringify(a));
	const after = await get(`/items/articles?alias=${alias({ o0: 'author' })}&fields=author.name,o0.id,id&limit=2&sort=id`);
	assert.deepEqual([after.status, after.json], [500, typeError]);
	// before it, or two aliases, are fine
	const before = await get(`/items/articles?alias=${alias({ o0: 'author' })}&fields=o0.id,author.name,id&limit=1&sort=id`);
	assert.equal(before.status, 200);
	assert.deepEqual(before.json, { data: [{ id: 1, o0: { id: 8 }, author: { name: 'Radia Perlman' } }] });
	const two = await get(`/items/articles?alias=${alias({ o0: 'author', o1: 'author' })}&fields=o0.id,o1.id,id&limit=1&sort=id`);
	assert.deepEqual(two.json, { data: [{ id: 1, o0: { id: 8 }, o1: { id: 8 } }] });
	// no related row on any parent: nothing to merge, no error
	const none = await get(`/items/articles?alias=${alias({ o0: 'author' })}&fields=author.name,o0.id,id&filter[author][_null]=true&limit=2&sort=id`);
	assert.equal(none.status, 200);
});
