#!/usr/bin/env node
// diff-writes: seeded write requests (create / update / delete, single and batch, nested
// relational payloads, bad payloads, permission presets and validation) for the fixture's
// collections, each followed by GET reads that observe its effect (the items, /activity and
// /revisions), written as a corpus for the conformance harness (../../../shared/conformance/run.mjs).
// Both servers are reloaded to the fixture before recording (--reset-cmd), so new ids come from
// the same sequences on both sides; timestamps, activity/revision ids and request metadata are masked.
//
// Usage: node tests/compat/diff-writes.mjs run --seed N --count N --celer URL [--directus URL]
//          [--celer-reset CMD] [--directus-reset CMD] [--reuse-directus] [--only REGEX] [--dir DIR]
//        node tests/compat/diff-writes.mjs gen --seed N --count N [--out FILE]
//        node tests/compat/diff-writes.mjs classes [--dir DIR]
// Case names: dw<seed>.<kind>.<n>.<step>.<as>; kinds below (KINDS). Counts per kind are printed.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SHARED, main, mulberry32 } from './driver.mjs';

let rnd = Math.random;
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const chance = (p) => rnd() < p;

const WRITERS = ['admin', 'admin', 'editor', 'author', 'author2', 'public'];
// articles owned by author (user_created) in the fixture, and some owned by the editor
const TS_MASK = ['~**.date_created', '~**.date_updated', '~**.timestamp'];
const ACT_MASK = ['data.*.id', '~data.*.timestamp', '~data.*.ip', '~data.*.user_agent', '~data.*.origin', '~data.*.user', 'data.*.revisions'];
const REV_MASK = ['data.*.id', 'data.*.activity', '~data.*.data.date_created', '~data.*.data.date_updated', '~data.*.delta.date_updated', '~data.*.delta.date_created', '~data.*.data.user_created', '~data.*.delta.user_created'];

let uniq = 0;
const word = () => pick(['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma']) + '-' + (++uniq);

// ------------------------------------------------------------------ payload values per field
function articleValue(field) {
	switch (field) {
		case 'title': return pick([word(), 'ab', '', null, 12, 'x'.repeat(300), 'Valid title ' + uniq]);
		case 'slug': return pick([word(), 'first-article-slug-dup', null, 'y'.repeat(300)]);
		case 'status': return pick(['draft', 'published', 'archived', 'bogus', null, 3]);
		case 'body': return pick(['text body', null, 42, { a: 1 }]);
		case 'published_date': return pick(['2024-05-06T07:08:09', '2024-05-06', 'not-a-date', null, 1700000000, '2024-13-45T00:00:00']);
		case 'views': return pick([0, 7, -3, '12', 'abc', 1.5, null, 2147483648, true]);
		case 'rating': return pick([3.5, '4.25', 'x', null, 1e40]);
		case 'price': return pick(['12.34', 5, '1234567890.12', 'abc', null, 12.345]);
		case 'metadata': return pick([{ a: 1 }, [1, 2], 'str', null, 5, '{"k":1}']);
		case 'author': return pick([1, 3, 20, 999, null, 'abc', { name: 'Nested author ' + uniq }, { id: 2, name: 'Renamed author' }]);
		case 'category': return pick([1, 2, 10, 999, null, { title: 'Nested cat ' + uniq, parent: 2 }, { id: 4, title: 'Science!' }, { parent: 1 }]);
		case 'user_created': return pick([null, 'not-a-uuid']);
		case 'id': return pick([9001, 'abc', 1]);
		case 'bogus_field': return 'x';
		default: return null;
	}
}
const ARTICLE_FIELDS = ['title', 'slug', 'status', 'body', 'published_date', 'views', 'rating', 'price', 'metadata', 'author', 'category'];
const RARE_FIELDS = ['user_created', 'id', 'bogus_field'];

function articlePayload({ create }) {
	const p = {};
	if (create && chance(0.85)) p.title = chance(0.7) ? 'Generated ' + word() : articleValue('title');
	const n = int(1, 4);
	for (let i = 0; i < n; i++) { const f = pick(ARTICLE_FIELDS); p[f] = articleValue(f); }
	if (chance(0.08)) { const f = pick(RARE_FIELDS); p[f] = articleValue(f); }
	if (chance(0.25)) p.comments = commentsValue(create);
	if (chance(0.25)) p.tags = tagsValue(create);
	return p;
}
function commentsValue(create) {
	if (create || chance(0.5)) return pick([
		[{ body: 'nested comment ' + uniq++ }],
		[{ body: 'c1' }, { body: 'c2', date_created: '2024-05-07T00:00:00Z' }],
		[1, 2],
		[{ body: null }],
		[],
		'bad',
	]);
	return pick([
		{ create: [{ body: 'detailed ' + uniq++ }], update: [], delete: [] },
		{ create: [], update: [{ id: 1, body: 'updated comment one' }], delete: [] },
		{ create: [], update: [], delete: [2] },
		{ create: [{ nobody: 1 }] },
		{ create: 'x' },
	]);
}
function tagsValue() {
	return pick([
		[{ tags_id: 1 }, { tags_id: 3 }],
		[{ tags_id: { name: 'gen-tag-' + uniq++ } }],
		[{ tags_id: { name: 'news' } }],
		[{ tags_id: 999 }],
		[],
		{ create: [{ tags_id: 2 }], update: [], delete: [] },
		[5],
	]);
}

// ------------------------------------------------------------------ read-backs
function readBack(coll, idExpr) {
	const fields = pick(['*', 'id,title,status,views,price,rating,metadata,published_date', '*,comments.body,tags.tags_id.name,category.title,author.name', 'id,title,user_created']);
	const f = coll === 'articles' ? fields : '*';
	return { method: 'GET', path: `/items/${coll}/${idExpr}?fields=${f}`, as: 'admin', mask: TS_MASK };
}
function activityRead() {
	return { method: 'GET', path: '/activity?sort=-id&limit=4&fields=action,collection,item,comment,revisions.collection,revisions.item,revisions.data,revisions.delta', as: 'admin', mask: [...ACT_MASK, '~data.*.revisions.*.data.date_created', '~data.*.revisions.*.data.date_updated', '~data.*.revisions.*.delta.date_updated', '~data.*.revisions.*.delta.date_created', '~data.*.revisions.*.data.user_created', '~data.*.revisions.*.delta.user_created'] };
}
function revisionsRead() {
	return { method: 'GET', path: '/revisions?sort=-id&limit=4&fields=collection,item,data,delta,parent', as: 'admin', mask: [...REV_MASK, 'data.*.parent'] };
}

// ------------------------------------------------------------------ kinds: each returns steps
const OWNED = { author: [3, 17, 30], author2: [5, 41], editor: [1, 2, 4] };
function articleId(as) { return chance(0.6) && OWNED[as] ? pick(OWNED[as]) : pick([1, 2, 3, 5, 99999]); }
const qs = (as) => pick(['', '?fields=id,title,status', '?fields=*', '?fields=id,comments.body,tags.tags_id.name']);

function createOne(as) {
	const body = articlePayload({ create: true });
	return [{ method: 'POST', path: '/items/articles' + qs(as), as, body, mask: TS_MASK, save: { nid: 'data.id' } }, readBack('articles', '{{nid}}')];
}
function createMany(as) {
	const body = [articlePayload({ create: true }), articlePayload({ create: true })];
	return [{ method: 'POST', path: '/items/articles' + qs(as), as, body, mask: TS_MASK }, { method: 'GET', path: '/items/articles?sort=-id&limit=3&fields=id,title,status,views,author,category', as: 'admin' }];
}
function updateOne(as) {
	const id = articleId(as);
	return [{ method: 'PATCH', path: `/items/articles/${id}` + qs(as), as, body: articlePayload({ create: false }), mask: TS_MASK }, readBack('articles', id)];
}
function updateBatch(as) {
	const ids = [articleId(as), articleId(as)];
	const form = pick(['keys', 'query', 'array']);
	let body;
	if (form === 'keys') body = { keys: ids, data: articlePayload({ create: false }) };
	else if (form === 'query') body = { query: pick([{ filter: { id: { _in: ids } } }, { filter: { author: { _eq: 3 } }, limit: 2 }, { filter: { status: { _eq: 'archived' } }, limit: 1, sort: ['id'] }]), data: articlePayload({ create: false }) };
	else body = ids.map((id) => ({ id, ...articlePayload({ create: false }) }));
	return [{ method: 'PATCH', path: '/items/articles' + qs(as), as, body, mask: TS_MASK }, { method: 'GET', path: `/items/articles?filter[id][_in]=${ids.join(',')}&fields=id,title,status,views,price&sort=id`, as: 'admin', mask: TS_MASK }];
}
function deleteKind(as) {
	const coll = pick(['articles', 'articles', 'comments', 'tags', 'categories', 'authors', 'articles_tags']);
	const id = coll === 'articles' ? articleId(as) : int(1, 12);
	const form = pick(['one', 'keys', 'query']);
	let step;
	if (form === 'one') step = { method: 'DELETE', path: `/items/${coll}/${id}`, as };
	else if (form === 'keys') step = { method: 'DELETE', path: `/items/${coll}`, as, body: pick([{ keys: [id, id + 1] }, [id, id + 1], { keys: [] }, { keys: 'x' }]) };
	else step = { method: 'DELETE', path: `/items/${coll}`, as, body: { query: { filter: { id: { _in: [id, id + 2] } } } } };
	return [step, { method: 'GET', path: `/items/${coll}?filter[id][_between]=${Math.max(1, id - 1)},${id + 3}&fields=id&sort=id`, as: 'admin' }];
}
function otherColl(as) {
	const coll = pick(['comments', 'tags', 'categories', 'authors', 'articles_tags']);
	const bodies = {
		comments: [{ article: 1, body: 'gen comment' }, { article: 99999, body: 'x' }, { body: null, article: 2 }, { article: { title: 'Via comment ' + uniq++ }, body: 'b' }, { date_created: 'nope', body: 'b', article: 1 }],
		tags: [{ name: 'gen-' + uniq++ }, { name: 'news' }, { name: null }, { name: 'z'.repeat(300) }, {}],
		categories: [{ title: 'Gen cat', parent: 2 }, { title: 'Kid', parent: { title: 'Parent ' + uniq++ } }, { title: 'with kids', children: [{ title: 'c1' }, 7] }, { parent: 1 }],
		authors: [{ name: 'Gen author', email: 'g@example.com', bio: 'b' }, { name: null }, { name: 'n', date_created: '2024-01-01T00:00:00' }, { name: 'n', articles: [1] }],
		articles_tags: [{ articles_id: 1, tags_id: 2 }, { articles_id: { title: 'Junction made ' + uniq++ }, tags_id: { name: 'jt-' + uniq++ } }, { articles_id: 'x', tags_id: 1 }],
	};
	const body = pick(bodies[coll]);
	if (chance(0.5)) return [{ method: 'POST', path: `/items/${coll}`, as, body, mask: TS_MASK, save: { nid: 'data.id' } }, readBack(coll, '{{nid}}')];
	const id = int(1, 9);
	return [{ method: 'PATCH', path: `/items/${coll}/${id}`, as, body, mask: TS_MASK }, readBack(coll, id)];
}
function badShape(as) {
	const raw = pick(['{"title":', '[1,2', 'null', '"str"', '42', '[]', '{}', '[[1]]', '{"title":"a","title":"b"}', 'true']);
	const method = pick(['POST', 'PATCH', 'PATCH']);
	const path = method === 'POST' ? '/items/articles' : pick(['/items/articles/3', '/items/articles']);
	return [{ method, path, as, raw_body: raw, mask: TS_MASK }];
}
function usersMe(as) {
	if (as === 'public') as = 'author';
	const body = pick([{ first_name: 'Changed' }, { location: 'Earth', title: 'T' }, { role: null }, { email: 'not-an-email' }, { password: 'short' }, { bogus: 1 }, { status: 'suspended' }, { appearance: 'dark' }]);
	return [{ method: 'PATCH', path: '/users/me?fields=first_name,last_name,location,title,email,appearance,status', as, body }, { method: 'GET', path: '/users/me?fields=first_name,last_name,location,title,email,appearance,status', as }];
}

const KINDS = [
	['create', 6, createOne], ['createmany', 2, createMany], ['update', 5, updateOne], ['batch', 3, updateBatch],
	['delete', 3, deleteKind], ['other', 4, otherColl], ['shape', 1, badShape], ['me', 1, usersMe],
];
function pickKind() {
	const total = KINDS.reduce((s, [, w]) => s + w, 0);
	let r = rnd() * total;
	for (const k of KINDS) if ((r -= k[1]) < 0) return k;
	return KINDS[0];
}

export function generate({ seed, count }) {
	rnd = mulberry32(seed);
	uniq = seed * 1000;
	const cases = [];
	for (let i = 0; i < count; i++) {
		const [kind, , fn] = pickKind();
		const as = pick(WRITERS);
		const steps = fn(as);
		if (chance(0.3)) steps.push(activityRead());
		if (chance(0.2)) steps.push(revisionsRead());
		steps.forEach((s, j) => cases.push({ name: `dw${seed}.${kind}.${i}.${j}.${s.as}`, ...s }));
	}
	return cases;
}

// ------------------------------------------------------------------ driver
const USAGE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 13);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main({
		name: 'diff-writes',
		defaultCount: 100,
		usageLines: USAGE,
		generate,
		// "dw<seed>.<kind>.<n>.<step>.<as>": step 0 is the write, the others read its effect
		kindOf: (line) => {
			const m = /^(?:PASS|FAIL) dw\d+\.(\w+)\.\d+\.(\d+)\./.exec(line);
			return m ? `${m[1]}.${m[2] === '0' ? 'write' : 'read'}` : null;
		},
		// both servers reload the fixture before recording, so new ids come from the same sequences
		resetCommands: (args) => ({
			directus: args['directus-reset'] || join(SHARED, 'anchor', 'reset-anchor.sh'),
			celer: args['celer-reset'] || `${join(ROOT, 'tests', 'stack')} reset`,
		}),
	}, process.argv.slice(2)).catch((e) => { console.error(e.stack || e.message); process.exit(2); });
}
