// The response cache (spec §11) in private pools on the stack's database: CACHE_STORE=memory with
// one worker, and CACHE_STORE=redis with two workers sharing the stack's Redis (run the stack with
// --redis; without it that part is skipped). Hits and misses with Directus's headers, callers
// kept apart, answers served from the cache while the database changes behind it, POST
// /utils/cache/clear, CACHE_VALUE_MAX_SIZE, CACHE_SKIP_ALLOWED, and what is never cached.
// Every change is undone at the end, so the suite can run twice in a row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENV } from './lib/env.mjs';
import { startStackPool, stopStackPools } from './lib/pool.mjs';
import { sql } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };


/** Every answer of n concurrent GETs (spread over the pool's workers): their titles. */
async function titles(get, path, headers, n = 8) {
	const rs = await Promise.all(Array.from({ length: n }, () => get('GET', path, headers)));
	return rs.map((r) => {
		assert.equal(r.status, 200, r.body);
		const d = JSON.parse(r.body).data;
		return Array.isArray(d) ? d.map((x) => x.article?.title ?? x.title).join('|') : d.title;
	});
}

/** A write through Celer purges, in every worker, the answers that read what it changed. */
async function writesPurge(get) {
	const own = '/items/articles/1?fields=id,title';
	const related = '/items/comments?filter[article][_eq]=1&fields=id,article.title&limit=2';
	await get('POST', '/utils/cache/clear', admin);
	const before = await titles(get, own, editor);
	assert.deepEqual(new Set(before).size, 1);
	await titles(get, related, editor);
	for (const i of ['a', 'b']) {
		const t = `written through celer ${i} ${process.hrtime.bigint()}`;
		const w = await get('PATCH', '/items/articles/1', admin, { title: t });
		assert.equal(w.status, 200, w.body);
		assert.deepEqual(new Set(await titles(get, own, editor)), new Set([t]), `own read after write ${i}`);
		const rel = await titles(get, related, editor);
		assert.ok(rel.every((x) => x === `${t}|${t}`), `related read after write ${i}: ${rel}`);
	}
}

const TITLE = one(`SELECT title FROM articles WHERE id = 1`);
function one(q) {
	return sql(q)[0]?.[0];
}

after(async () => {
	sql(`UPDATE articles SET title = '${TITLE.replaceAll("'", "''")}' WHERE id = 1`);
	await stopStackPools();
});

const COMMON = { CACHE_ENABLED: 'true', CACHE_STATUS_HEADER: 'X-Cache', CACHE_TTL: '5m' };

test('memory store: miss then hit, Directus headers, callers kept apart, clear', async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'memory', WORKERS: '1', CACHE_SKIP_ALLOWED: 'true', PUBLIC_URL: 'http://celer.test/cms' });
	const path = '/items/articles/1?fields=id,title';
	const miss = await get('GET', path);
	assert.equal(miss.status, 200, miss.body);
	assert.equal(miss.headers['x-cache'], 'MISS');
	assert.equal(miss.headers['cache-control'], 'public, max-age=300');
	assert.equal(miss.headers.vary, 'Origin, Cache-Control');
	const hit = await get('GET', path);
	assert.equal(hit.headers['x-cache'], 'HIT');
	assert.equal(hit.body, miss.body);
	assert.equal(hit.headers.etag, miss.headers.etag);
	assert.equal(hit.headers['content-type'], 'application/json; charset=utf-8');
	assert.match(hit.headers['cache-control'], /^public, max-age=(300|299)$/);
	const notModified = await get('GET', path, { 'if-none-match': miss.headers.etag });
	assert.equal(notModified.status, 304);
	assert.equal(notModified.headers['x-cache'], 'HIT');

	// Served from the cache while the database changes behind it (no write went through Celer).
	sql(`UPDATE articles SET title = 'changed behind the cache' WHERE id = 1`);
	assert.equal(JSON.parse((await get('GET', path)).body).data.title, TITLE);
	// The editor is another caller: its own entry, computed now, private.
	const ed = await get('GET', path, editor);
	assert.equal(ed.headers['x-cache'], 'MISS');
	assert.equal(ed.headers['cache-control'], 'private, max-age=300');
	assert.equal(JSON.parse(ed.body).data.title, 'changed behind the cache');
	// Only admins clear the cache.
	const refused = await get('POST', '/utils/cache/clear', editor);
	assert.equal(refused.status, 403);
	assert.equal(JSON.parse(refused.body).errors[0].extensions.code, 'FORBIDDEN');
	const cleared = await get('POST', '/utils/cache/clear', admin);
	assert.equal(cleared.status, 200);
	assert.equal(cleared.body, '');
	const fresh = await get('GET', path);
	assert.equal(fresh.headers['x-cache'], 'MISS');
	assert.equal(JSON.parse(fresh.body).data.title, 'changed behind the cache');

	// The client may skip the lookup (CACHE_SKIP_ALLOWED): computed now, still stored.
	sql(`UPDATE articles SET title = 'skipped' WHERE id = 1`);
	const skipped = await get('GET', path, { 'cache-control': 'no-store' });
	assert.equal(skipped.headers['x-cache'], 'MISS');
	assert.equal(skipped.headers['cache-control'], 'no-store');
	assert.equal(JSON.parse(skipped.body).data.title, 'skipped');
	assert.equal(JSON.parse((await get('GET', path)).body).data.title, 'skipped');

	// The Data Studio (Referer under PUBLIC_URL/admin) always gets a fresh answer while
	// auto-purge is off; other referers use the cache.
	sql(`UPDATE articles SET title = 'studio' WHERE id = 1`);
	const studio = await get('GET', path, { referer: 'http://celer.test/cms/admin/content/articles' });
	assert.equal(studio.headers['cache-control'], 'no-store');
	assert.equal(JSON.parse(studio.body).data.title, 'studio');
	const elsewhere = await get('GET', path, { referer: 'http://celer.test/cms/other' });
	assert.equal(elsewhere.headers['x-cache'], 'HIT');

	// Never cached: errors, /auth, /server/health, SEARCH.
	const bad = await get('GET', '/items/articles?limit=x');
	assert.equal(bad.status, 400);
	assert.equal(bad.headers['cache-control'], undefined);
	assert.equal(bad.headers['x-cache'], undefined, 'refused before the cache, as sanitizeQuery does');
	const forbidden = await get('GET', '/items/directus_users');
	assert.equal(forbidden.status, 403);
	assert.equal(forbidden.headers['x-cache'], 'MISS');
	assert.equal((await get('GET', '/items/articles?limit=x')).status, 400);
	// Directus's cache middleware looks every GET up, so these say MISS too (never HIT: respond()
	// stores none of them); an export likewise.
	for (const p of ['/server/health', '/auth', '/items/articles?export=json', '/server/health']) {
		const r = await get('GET', p);
		assert.equal(r.headers['cache-control'], 'no-cache', p);
		assert.equal(r.headers['x-cache'], 'MISS', p);
	}
	assert.equal((await get('GET', '/server/ping')).headers['x-cache'], undefined, 'answered before the cache');
	// With the memory store, /server/health has the cache check Directus has (it cannot fail).
	const health = JSON.parse((await get('GET', '/server/health', admin)).body);
	assert.equal(health.checks['cache:responseTime'][0].status, 'ok');
	assert.equal(health.checks['cache:responseTime'][0].componentType, 'cache');
});

test('memory store, two workers: a write through Celer purges what it made stale in both', async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'memory', WORKERS: '2' });
	await writesPurge(get);
});

// Issue 8.3's precision: an answer is tagged with the tables its statements read, and a write
// purges the collections it wrote and those whose rows point at them (comments → articles), so a
// write to articles leaves a cached list of categories or authors alone, while a nested create
// of a category through articles purges the categories answer.
test('memory store: a write purges what read the collections it wrote, and leaves the rest', async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'memory', WORKERS: '1' });
	const paths = {
		categories: '/items/categories?fields=id,title&sort=-id&limit=1',
		authors: '/items/authors?fields=id&sort=id&limit=1',
		article: '/items/articles/1?fields=id,title',
		comments: '/items/comments?filter[article][_eq]=1&fields=id,article.title&limit=1',
	};
	const cache = async (path) => {
		const r = await get('GET', path, admin);
		assert.equal(r.status, 200, r.body);
		return r.headers['x-cache'];
	};
	const fill = async () => {
		for (const p of Object.values(paths)) await cache(p);
		for (const p of Object.values(paths)) assert.equal(await cache(p), 'HIT', p);
	};
	let aid, cid;
	try {
		await get('POST', '/utils/cache/clear', admin);
		await fill();
		const w = await get('PATCH', '/items/articles/1', admin, { title: `precise ${process.pid}` });
		assert.equal(w.status, 200, w.body);
		assert.equal(await cache(paths.article), 'MISS');
		assert.equal(await cache(paths.comments), 'MISS', 'comments read articles.title');
		assert.equal(await cache(paths.categories), 'HIT', 'categories read nothing the write changed');
		assert.equal(await cache(paths.authors), 'HIT');

		await fill();
		const title = `precise category ${process.pid}`;
		const c = await get('POST', '/items/articles?fields=id,category', admin, { title: 'precise nested', category: { title } });
		assert.equal(c.status, 200, c.body);
		({ id: aid, category: cid } = JSON.parse(c.body).data);
		const cat = await get('GET', paths.categories, admin);
		assert.equal(cat.headers['x-cache'], 'MISS', 'the nested create wrote categories');
		assert.equal(JSON.parse(cat.body).data[0].title, title);
		assert.equal(await cache(paths.authors), 'HIT');

		await fill();
		assert.equal((await get('DELETE', `/items/articles/${aid}`, admin)).status, 204);
		aid = undefined;
		assert.equal(await cache(paths.comments), 'MISS', 'comments point at articles: a delete may cascade');
		assert.equal(await cache(paths.authors), 'HIT');
	} finally {
		if (aid) sql(`DELETE FROM articles WHERE id = ${Number(aid)}`);
		if (cid) sql(`DELETE FROM categories WHERE id = ${Number(cid)}`);
	}
});

test('memory store: answers over CACHE_VALUE_MAX_SIZE are served, not cached', async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'memory', WORKERS: '1', CACHE_VALUE_MAX_SIZE: '200' });
	const small = '/items/articles/1?fields=id';
	const big = '/items/articles?limit=10';
	assert.equal((await get('GET', small)).headers['x-cache'], 'MISS');
	assert.equal((await get('GET', small)).headers['x-cache'], 'HIT');
	for (let i = 0; i < 2; i++) {
		const r = await get('GET', big);
		assert.equal(r.status, 200);
		assert.ok(r.body.length > 200);
		assert.equal(r.headers['x-cache'], 'MISS');
		assert.equal(r.headers['cache-control'], 'no-cache');
	}
});

test('redis store: two workers share the entries; clear reaches both', { skip: !ENV.REDIS && 'the stack runs without --redis' }, async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'redis', WORKERS: '2', CACHE_NAMESPACE: `respcache-test-${process.pid}` });
	await get('POST', '/utils/cache/clear', admin);
	const path = '/items/articles?limit=3&fields=id,title&sort=id';
	const first = await get('GET', path, editor);
	assert.equal(first.headers['x-cache'], 'MISS');
	// Whichever worker answers, the entry is there.
	const again = await Promise.all(Array.from({ length: 8 }, () => get('GET', path, editor)));
	for (const r of again) {
		assert.equal(r.headers['x-cache'], 'HIT');
		assert.equal(r.body, first.body);
		assert.match(r.headers['cache-control'], /^private, max-age=\d+$/);
	}
	assert.equal((await get('GET', path)).headers['x-cache'], 'MISS', 'the public is another caller');
	assert.equal((await get('POST', '/utils/cache/clear', admin)).status, 200);
	const after = await Promise.all(Array.from({ length: 4 }, () => get('GET', path, editor)));
	assert.equal(after.filter((r) => r.headers['x-cache'] === 'MISS').length >= 1, true);
	assert.equal((await get('GET', path, editor)).headers['x-cache'], 'HIT');
	await writesPurge(get);
});

test('redis store, two pools: nested writes, batch by query and deletes made through one purge the other', { skip: !ENV.REDIS && 'the stack runs without --redis' }, async () => {
	const ns = `respcache-pools-${process.pid}`;
	const a = await startStackPool({ ...COMMON, CACHE_STORE: 'redis', WORKERS: '1', CACHE_NAMESPACE: ns });
	const b = await startStackPool({ ...COMMON, CACHE_STORE: 'redis', WORKERS: '1', CACHE_NAMESPACE: ns });
	const body = one('SELECT body FROM comments WHERE id = 1');
	const categories = '/items/categories?fields=title&sort=-id&limit=1';
	const comment = '/items/comments/1?fields=body';
	const read = async (path) => {
		const r = await a('GET', path, editor);
		assert.equal(r.status, 200, r.body);
		return { data: JSON.parse(r.body).data, cache: r.headers['x-cache'] };
	};
	let aid, cid;
	try {
		await a('POST', '/utils/cache/clear', admin);
		const cat0 = await read(categories);
		assert.equal((await read(categories)).cache, 'HIT');
		await read(comment);
		assert.equal((await read(comment)).cache, 'HIT');
		// A nested create through the other pool: the related collection's answers go.
		const title = `pool b category ${process.pid}`;
		const w = await b('POST', '/items/articles?fields=id,category', admin, { title: 'pool b article', category: { title } });
		assert.equal(w.status, 200, w.body);
		({ id: aid, category: cid } = JSON.parse(w.body).data);
		const cat1 = await read(categories);
		assert.notDeepEqual(cat1.data, cat0.data);
		assert.deepEqual(cat1.data, [{ title }]);
		// An update by query through the other pool.
		const text = `patched by query ${process.pid}`;
		const q = await b('PATCH', '/items/comments', admin, { query: { filter: { id: { _eq: 1 } } }, data: { body: text } });
		assert.equal(q.status, 200, q.body);
		assert.deepEqual((await read(comment)).data, { body: text });
		// Deletes by key through the other pool.
		assert.equal((await b('DELETE', `/items/articles/${aid}`, admin)).status, 204);
		assert.equal((await b('DELETE', `/items/categories/${cid}`, admin)).status, 204);
		aid = cid = undefined;
		assert.deepEqual((await read(categories)).data, cat0.data);
	} finally {
		if (aid) await b('DELETE', `/items/articles/${aid}`, admin);
		if (cid) await b('DELETE', `/items/categories/${cid}`, admin);
		sql(`UPDATE comments SET body = '${body.replaceAll("'", "''")}' WHERE id = 1`);
	}
});

test('CACHE_SCHEMA=false: the schema is read for every request, so a column added in SQL is seen at once', async () => {
	const col = `schema_probe_${process.pid}`;
	const fresh = await startStackPool({ CACHE_SCHEMA: 'false', WORKERS: '1' });
	const kept = await startStackPool({ WORKERS: '1' });
	const probe = (get) => get('GET', `/items/tags?fields=${col}&limit=1`, admin).then((r) => r.status);
	assert.equal(await probe(fresh), 403);
	assert.equal(await probe(kept), 403);
	sql(`ALTER TABLE tags ADD COLUMN ${col} VARCHAR(20)`);
	try {
		assert.equal(await probe(fresh), 200);
		assert.equal(await probe(kept), 403, 'CACHE_SCHEMA=true (the default) keeps the schema until told');
	} finally {
		sql(`ALTER TABLE tags DROP COLUMN ${col}`);
	}
	assert.equal(await probe(fresh), 403);
});

test('CACHE_AUTO_PURGE_IGNORE_LIST: a write to a listed collection purges nothing, as in Directus; others still purge', async () => {
	const get = await startStackPool({ ...COMMON, CACHE_STORE: 'memory', WORKERS: '1', CACHE_AUTO_PURGE_IGNORE_LIST: 'directus_presets, tags' });
	const NAME = one(`SELECT name FROM tags WHERE id = 1`);
	const path = '/items/tags/1?fields=id,name';
	try {
		await get('GET', path, admin);
		assert.equal((await get('GET', path, admin)).headers['x-cache'], 'HIT');
		const w = await get('PATCH', '/items/tags/1', admin, { name: 'renamed while ignored' });
		assert.equal(w.status, 200, w.body);
		const stale = await get('GET', path, admin);
		assert.equal(stale.headers['x-cache'], 'HIT');
		assert.equal(JSON.parse(stale.body).data.name, NAME, 'served from the cache until CACHE_TTL, as Directus does');
		// A collection not on the list is purged as always.
		await writesPurge(get);
	} finally {
		sql(`UPDATE tags SET name = '${NAME.replaceAll("'", "''")}' WHERE id = 1`);
	}
});
