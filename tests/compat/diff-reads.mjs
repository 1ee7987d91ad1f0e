#!/usr/bin/env node
// Differential testing of reads: a seeded generator of read requests over the fixture's schema,
// written as a corpus for the conformance harness (../../../shared/conformance/run.mjs), run by
// hand against real Directus 11.3.5 (the anchor) and a Celer stack. Node >= 20, no dependencies.
//
//   node tests/compat/diff-reads.mjs gen  --seed N [--count 500] [--out corpus.jsonl]
//        [--snapshot FILE]   (default: the shared fixture's PG schema snapshot)
//   node tests/compat/diff-reads.mjs run  --seed N [--count 500] --celer URL
//        [--directus http://127.0.0.1:8055] [--dir var/diff-reads] [--only REGEX]
//        generates, records both servers with run.mjs, compares, and prints the failures
//        grouped by the generator's kind (the second word of a case name) plus the
//        comparison lines in DIR/compare-SEED.txt
//   node tests/compat/diff-reads.mjs classes --dir var/diff-reads
//        re-prints the grouping of every compare-*.txt in DIR
//
// Case names: "dr<seed>.<kind>.<n>.<as>": the kind says which generator made it (fields, filter,
// search, sort, page, meta, aggregate, deep, alias, searchbody, one, system, error), so a class of
// difference shows up as a kind with many failures. Only reads are generated (GET and SEARCH):
// the corpus can be replayed on the anchor without changing it.
//
// The field list comes from the schema snapshot (collections, field types, m2o/o2m/m2m relations),
// so the generator follows the fixture if it changes. Values come from small per-type pools that
// include values the fixture really holds (the status choices, ids, known dates), so filters both
// hit and miss rows.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED, main, mulberry32 } from './driver.mjs';

const DEFAULT_SNAPSHOT = join(SHARED, 'fixture', 'directus-11.3.5-pg.snapshot.json');

// ------------------------------------------------------------------ prng
let rnd = mulberry32(1);
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const chance = (p) => rnd() < p;
function sample(arr, n) {
	const a = [...arr];
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(rnd() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a.slice(0, Math.min(n, a.length));
}

// ------------------------------------------------------------------ schema model
// { collections: {name: {pk, singleton, fields: {name: {type, special, kind, related, junction...}}}} }
function loadModel(file) {
	const snap = JSON.parse(readFileSync(file, 'utf8')).data;
	const model = {};
	for (const c of snap.collections) {
		if (!c.schema) continue;
		model[c.collection] = { name: c.collection, singleton: !!c.meta?.singleton, fields: {}, pk: 'id' };
	}
	for (const f of snap.fields) {
		const col = model[f.collection];
		if (!col) continue;
		const special = f.meta?.special || [];
		col.fields[f.field] = { name: f.field, type: f.type, special, choices: (f.meta?.options?.choices || []).map((c) => c.value) };
		if (f.schema?.is_primary_key) col.pk = f.field;
	}
	for (const r of snap.relations) {
		const many = model[r.collection];
		if (!many || !many.fields[r.field]) continue;
		// the many side's foreign key: an m2o (to a system collection too)
		Object.assign(many.fields[r.field], { kind: 'm2o', related: r.related_collection });
		const one = model[r.related_collection];
		const oneField = r.meta?.one_field;
		if (one && oneField && one.fields[oneField]) {
			const junctionField = r.meta?.junction_field;
			if (junctionField) {
				const other = snap.relations.find((x) => x.collection === r.collection && x.field === junctionField);
				Object.assign(one.fields[oneField], { kind: 'm2m', related: r.collection, via: r.field, junctionField, target: other?.related_collection });
			} else {
				Object.assign(one.fields[oneField], { kind: 'o2m', related: r.collection, via: r.field });
			}
		}
	}
	return model;
}

// system collections readable through their own routes, with a few plain fields each (Directus's
// system schema is not in the snapshot)
const SYSTEM = {
	users: { fields: ['id', 'first_name', 'last_name', 'email', 'status', 'role', 'title', 'language', 'provider', 'tfa_secret', 'token', 'password'], rel: { role: ['id', 'name', 'icon'] }, sort: ['email', 'first_name', 'id', 'status'], filters: [['email', '_contains', 'example'], ['status', '_eq', 'active'], ['first_name', '_null', true], ['role', '_nnull', true], ['id', '_eq', '$CURRENT_USER']] },
	roles: { fields: ['id', 'name', 'icon', 'description', 'parent', 'children', 'policies', 'users'], rel: { users: ['id', 'email'], policies: ['id', 'policy'] }, sort: ['name', 'id'], filters: [['name', '_eq', 'Editor'], ['name', '_icontains', 'a'], ['parent', '_null', true]] },
	policies: { fields: ['id', 'name', 'icon', 'admin_access', 'app_access', 'enforce_tfa', 'ip_access', 'permissions', 'users', 'roles'], rel: { permissions: ['collection', 'action'] }, sort: ['name', 'id'], filters: [['admin_access', '_eq', true], ['app_access', '_eq', false], ['name', '_starts_with', 'A']] },
	permissions: { fields: ['id', 'collection', 'action', 'fields', 'permissions', 'validation', 'presets', 'policy'], rel: { policy: ['name', 'admin_access'] }, sort: ['id', 'collection', '-action'], filters: [['collection', '_eq', 'articles'], ['action', '_in', 'read,create'], ['policy', '_eq', 'b0000000-0000-4000-8000-00000000e001']] },
	users_me: { path: '/users/me', fields: ['id', 'email', 'first_name', 'role', 'policies', 'token', 'password', 'status', 'last_page'], rel: { role: ['id', 'name', 'users'], policies: ['id', 'policy'] }, sort: [], filters: [] },
	roles_me: { path: '/roles/me', fields: ['id', 'name', 'parent', 'policies'], rel: { policies: ['policy'] }, sort: ['name'], filters: [['name', '_nnull', true]] },
	collections: { plain: true },
	fields: { plain: true },
	relations: { plain: true },
};

// ------------------------------------------------------------------ values
const USER_IDS = ['c0000000-0000-4000-8000-00000000e001', 'c0000000-0000-4000-8000-00000000a001', 'c0000000-0000-4000-8000-00000000a002'];
function values(field) {
	if (field.choices?.length) return [...field.choices, 'nope', 'Published'];
	switch (field.type) {
		case 'integer': case 'bigInteger': return [0, 1, 2, 3, 5, 10, 20, 100, 250, 499, 500, 1000, -1, '7'];
		case 'float': return [0, 1, 2.5, 3.7, 4.5, 5, -1];
		case 'decimal': return [0, 10, 14.88, 50, 99.99, '25.5', 1000];
		case 'dateTime': case 'timestamp': case 'date':
			return ['2021-01-11', '2022-06-15', '2023-01-01T00:00:00', '2024-03-10T12:30:00', '2025-12-29', '2030-01-01', '$NOW', '$NOW(-1 year)', '$NOW(+2 days)', '2024-02-30', '2023'];
		case 'uuid': return [...USER_IDS, '$CURRENT_USER', '00000000-0000-0000-0000-000000000000'];
		case 'boolean': return [true, false, 'true', 0, 1];
		case 'json': return ['{}', 'a', 1];
		default: return ['a', 'e', 'the', 'The', 'News', 'tech', 'Tech', 'science', 'x', '', 'é', '%', '_', "o'", 'article', 'howto', 'news', 'Space', 'Lorem'];
	}
}
const OPS = {
	string: ['_eq', '_neq', '_in', '_nin', '_null', '_nnull', '_contains', '_ncontains', '_icontains', '_nicontains', '_starts_with', '_nstarts_with', '_istarts_with', '_nistarts_with', '_ends_with', '_nends_with', '_iends_with', '_niends_with', '_empty', '_nempty', '_lt', '_gt', '_between', '_regex'],
	number: ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_nnull', '_between', '_nbetween', '_contains', '_starts_with', '_empty', '_nempty'],
	date: ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_nnull', '_between', '_nbetween', '_contains'],
	uuid: ['_eq', '_neq', '_in', '_nin', '_null', '_nnull', '_contains'],
	boolean: ['_eq', '_neq', '_null', '_nnull', '_in'],
	json: ['_null', '_nnull', '_empty', '_nempty', '_eq', '_contains'],
};
function opsFor(field) {
	switch (field.type) {
		case 'integer': case 'bigInteger': case 'float': case 'decimal': return OPS.number;
		case 'dateTime': case 'timestamp': case 'date': case 'time': return OPS.date;
		case 'uuid': return OPS.uuid;
		case 'boolean': return OPS.boolean;
		case 'json': return OPS.json;
		default: return OPS.string;
	}
}
function operand(field, op) {
	const vs = values(field);
	if (op === '_null' || op === '_nnull' || op === '_empty' || op === '_nempty') return pick([true, true, true, false, 'true']);
	if (op === '_in' || op === '_nin') return chance(0.2) ? pick(vs) : sample(vs, int(1, 3));
	if (op === '_between' || op === '_nbetween') {
		const a = pick(vs), b = pick(vs);
		return chance(0.15) ? `${a},${b}` : [a, b];
	}
	if (op === '_regex') return pick(['^A', 'a.c', '[0-9]']);
	return pick(vs);
}

// ------------------------------------------------------------------ query pieces
const plainFields = (col) => Object.values(col.fields).filter((f) => !['o2m', 'm2m'].includes(f.kind));
const relFields = (col, kinds = ['m2o', 'o2m', 'm2m']) => Object.values(col.fields).filter((f) => kinds.includes(f.kind) && (M[f.related] || f.related === 'directus_users'));
const isDate = (f) => ['dateTime', 'timestamp', 'date'].includes(f.type);
const FUNCS_DATE = ['year', 'month', 'week', 'day', 'weekday', 'hour', 'minute', 'second'];

function relTarget(f) {
	if (f.kind === 'm2o') return f.related;
	return f.related; // o2m and m2m lead into the many (junction) collection first
}
function colFields(name) {
	if (name === 'directus_users') return ['id', 'first_name', 'last_name', 'email', 'role'];
	return Object.keys(M[name]?.fields || {});
}

// a path into the schema, up to `depth` relations deep, ending on a plain field (or `*`)
function fieldPath(colName, depth, { star = true, funcs = true } = {}) {
	const col = M[colName];
	if (!col) return pick(colFields(colName));
	const rels = relFields(col);
	if (depth > 0 && rels.length && chance(0.45)) {
		const f = pick(rels);
		return `${f.name}.${fieldPath(relTarget(f), depth - 1, { star, funcs })}`;
	}
	if (star && chance(0.12)) return '*';
	const pf = plainFields(col);
	const f = pick(pf);
	if (funcs && isDate(f) && chance(0.25)) return `${pick(FUNCS_DATE)}(${f.name})`;
	if (funcs && chance(0.06)) {
		const many = relFields(col, ['o2m', 'm2m']);
		if (many.length) return `count(${pick(many).name})`;
	}
	return f.name;
}

function fieldsParam(colName) {
	const r = rnd();
	if (r < 0.08) return '*';
	if (r < 0.14) return '*.*';
	if (r < 0.18) return pick(['*,*.*', '*.*.*', 'id,*.id', '*,comments.*', 'tags.tags_id.*', 'author.*,title']);
	const list = [];
	const n = int(1, 4);
	for (let i = 0; i < n; i++) list.push(fieldPath(colName, int(0, 2)));
	if (chance(0.05)) list.push('nonexistent_field');
	return [...new Set(list)].join(',');
}

// a filter object: leaves on fields and relational paths, _and/_or nesting, _some/_none on
// o2m/m2m, count() and date functions on the left
function leafFilter(colName, depth) {
	const col = M[colName];
	if (!col) {
		const f = pick(colFields(colName));
		return { [f]: { _nnull: true } };
	}
	const rels = relFields(col);
	if (depth > 0 && rels.length && chance(0.3)) {
		const f = pick(rels);
		const inner = leafFilter(relTarget(f), depth - 1);
		if (f.kind !== 'm2o' && chance(0.4)) return { [f.name]: { [pick(['_some', '_none'])]: inner } };
		return { [f.name]: inner };
	}
	if (chance(0.05)) {
		const many = relFields(col, ['o2m', 'm2m']);
		if (many.length) return { [`count(${pick(many).name})`]: { [pick(['_eq', '_gt', '_lt', '_gte'])]: int(0, 5) } };
	}
	const f = pick(plainFields(col));
	if (chance(0.06)) {
		// several operators in one object: an _and after parseFilter
		const [o1, o2] = sample(opsFor(f), 2);
		return { [f.name]: { [o1]: operand(f, o1), [o2]: operand(f, o2) } };
	}
	if (isDate(f) && chance(0.2)) {
		const fn = pick(FUNCS_DATE);
		return { [`${fn}(${f.name})`]: { [pick(['_eq', '_gt', '_lt', '_in', '_neq'])]: fn === 'year' ? int(2020, 2026) : int(0, 12) } };
	}
	const op = pick(opsFor(f));
	return { [f.name]: { [op]: operand(f, op) } };
}
function filterObj(colName, depth = 2) {
	if (depth > 0 && chance(0.3)) {
		const n = int(1, 3);
		const kids = [];
		for (let i = 0; i < n; i++) kids.push(filterObj(colName, depth - 1));
		return { [pick(['_and', '_or'])]: kids };
	}
	return leafFilter(colName, 2);
}

// qs-style encoding of a nested object: filter[a][_in][0]=x
function bracket(prefix, v, out) {
	if (Array.isArray(v)) {
		if (chance(0.3) && v.every((x) => typeof x !== 'object')) out.push(`${prefix}=${enc(v.join(','))}`);
		else v.forEach((x, i) => bracket(`${prefix}[${i}]`, x, out));
	} else if (v && typeof v === 'object') {
		for (const [k, x] of Object.entries(v)) bracket(`${prefix}[${k}]`, x, out);
	} else out.push(`${prefix}=${enc(String(v))}`);
	return out;
}
const enc = (s) => encodeURIComponent(s);
function encodeObj(name, obj) {
	return chance(0.5) ? `${name}=${enc(JSON.stringify(obj))}` : bracket(name, obj, []).join('&');
}

function sortParam(colName) {
	const col = M[colName];
	const keys = [];
	for (let i = 0, n = int(1, 3); i < n; i++) {
		let k;
		const r = rnd();
		if (r < 0.2 && relFields(col, ['m2o']).length) {
			const f = pick(relFields(col, ['m2o']));
			k = `${f.name}.${pick(colFields(f.related).filter((x) => !M[f.related] || !['o2m', 'm2m'].includes(M[f.related].fields[x]?.kind)))}`;
		} else if (r < 0.3 && plainFields(col).some(isDate)) {
			k = `${pick(FUNCS_DATE)}(${pick(plainFields(col).filter(isDate)).name})`;
		} else k = pick(plainFields(col)).name;
		keys.push(chance(0.4) ? `-${k}` : k);
	}
	if (chance(0.5) && !keys.includes(col.pk)) keys.push(col.pk); // a tie-breaker keeps most answers deterministic
	return keys.join(',');
}

function deepParam(colName) {
	const col = M[colName];
	const many = relFields(col, ['o2m', 'm2m']);
	if (!many.length) return null;
	const d = {};
	for (const f of sample(many, int(1, 2))) {
		const target = f.kind === 'm2m' ? f.related : f.related;
		const q = {};
		if (chance(0.6)) q._limit = pick([1, 2, 3, 0, -1, 'abc', 100]);
		if (chance(0.4)) q._offset = pick([0, 1, 2]);
		if (chance(0.5)) q._sort = chance(0.5) ? `-${M[target].pk}` : [pick(plainFields(M[target])).name, M[target].pk];
		if (chance(0.5)) q._filter = leafFilter(target, 1);
		if (chance(0.1)) q._page = 2;
		if (f.kind === 'm2m' && chance(0.3)) q[f.junctionField] = { _filter: leafFilter(f.target, 0) };
		d[f.name] = q;
	}
	// deep on a to-one relation: a _filter of its own (related rows outside it are null)
	const m2o = relFields(col, ['m2o']).filter((f) => M[f.related]);
	if (m2o.length && chance(0.25)) {
		const f = pick(m2o);
		d[f.name] = { _filter: leafFilter(f.related, 0) };
	}
	return d;
}

// fields that make `deep` visible: the relations it names
function deepFields(deep) {
	return Object.entries(deep).map(([k, q]) => (Object.keys(q).some((x) => !x.startsWith('_')) ? `${k}.*.*` : `${k}.*`)).concat(['id']).join(',');
}

// ------------------------------------------------------------------ cases
const ROLES = ['admin', 'admin', 'editor', 'author', 'public', 'author2', 'editor-static'];
const itemCollections = () => Object.keys(M).filter((c) => !M[c].singleton);

function withPaging(parts) {
	if (chance(0.7)) parts.push(`limit=${pick([1, 2, 3, 5, 10, 25])}`);
	if (chance(0.15)) parts.push(`offset=${int(0, 30)}`);
	return parts;
}

const GEN = {
	fields(c) {
		const parts = [`fields=${enc(fieldsParam(c))}`];
		if (chance(0.6)) parts.push(`sort=${enc(sortParam(c))}`);
		return withPaging(parts);
	},
	filter(c) {
		const parts = [encodeObj('filter', filterObj(c))];
		parts.push(`fields=${enc(chance(0.5) ? fieldsParam(c) : M[c].pk)}`);
		parts.push(`sort=${M[c].pk}`);
		if (chance(0.4)) parts.push(`meta=${pick(['filter_count', '*', 'total_count'])}`);
		return withPaging(parts);
	},
	search(c) {
		const parts = [`search=${enc(pick(['a', 'news', 'Tech', '1', '12', 'howto', '', '%', 'é', '2024', 'c0000000', '-1', '3.5', 'Lorem ipsum']))}`];
		parts.push(`fields=${enc(chance(0.5) ? fieldsParam(c) : M[c].pk)}`, `sort=${M[c].pk}`);
		if (chance(0.3)) parts.push(encodeObj('filter', filterObj(c, 1)));
		if (chance(0.3)) parts.push('meta=*');
		return withPaging(parts);
	},
	sort(c) {
		return withPaging([`sort=${enc(sortParam(c))}`, `fields=${enc(fieldsParam(c))}`]);
	},
	page(c) {
		const parts = [`fields=${M[c].pk}`, `sort=${M[c].pk}`];
		const r = rnd();
		if (r < 0.3) parts.push(`limit=${pick([0, 1, 7, -1, 200, '-1', '1.5', 'abc', ''])}`);
		if (r >= 0.2 && r < 0.6) parts.push(`offset=${pick([0, 5, 499, 10000, -1, 'x', '2.5'])}`);
		if (r >= 0.5) parts.push(`page=${pick([0, 1, 2, 3, -1, 'x', 50])}`, `limit=${pick([3, 10, -1])}`);
		return parts;
	},
	meta(c) {
		const parts = [`meta=${pick(['*', 'total_count', 'filter_count', 'total_count,filter_count', 'bogus', ''])}`, `fields=${M[c].pk}`, 'limit=2', `sort=${M[c].pk}`];
		if (chance(0.5)) parts.push(encodeObj('filter', filterObj(c, 1)));
		if (chance(0.2)) parts.push('search=a');
		return parts;
	},
	aggregate(c) {
		const col = M[c];
		const pf = plainFields(col);
		const nums = pf.filter((f) => ['integer', 'float', 'decimal', 'bigInteger'].includes(f.type));
		const parts = [];
		const fns = sample(['count', 'countDistinct', 'countAll', 'sum', 'sumDistinct', 'avg', 'avgDistinct', 'min', 'max'], int(1, 3));
		for (const fn of fns) {
			let arg;
			if (fn === 'countAll') arg = '*';
			else if (fn === 'count' && chance(0.4)) arg = '*';
			else if (['sum', 'sumDistinct', 'avg', 'avgDistinct'].includes(fn)) arg = nums.length && chance(0.9) ? pick(nums).name : pick(pf).name;
			else arg = pick(pf).name;
			if (chance(0.2) && arg !== '*') parts.push(`aggregate[${fn}]=${enc(`${arg},${pick(pf).name}`)}`);
			else parts.push(chance(0.3) ? `aggregate[${fn}][]=${enc(arg)}` : `aggregate[${fn}]=${enc(arg)}`);
		}
		if (chance(0.6)) {
			const groupable = pf.filter((f) => !['text', 'json'].includes(f.type));
			const gb = sample(groupable, int(1, 2)).map((f) => (isDate(f) && chance(0.4) ? `${pick(['year', 'month'])}(${f.name})` : f.name));
			parts.push(chance(0.5) ? `groupBy=${enc(gb.join(','))}` : gb.map((g) => `groupBy[]=${enc(g)}`).join('&'));
			parts.push(`sort=${enc(gb.map((g) => (chance(0.3) ? `-${g}` : g)).join(','))}`);
		}
		if (chance(0.4)) parts.push(encodeObj('filter', filterObj(c, 1)));
		if (chance(0.15)) parts.push('search=a');
		if (chance(0.3)) parts.push(`limit=${pick([1, 3, 5, -1])}`);
		if (chance(0.1)) parts.push('meta=*');
		return parts;
	},
	deep(c) {
		const d = deepParam(c);
		if (!d) return GEN.fields(c);
		return [encodeObj('deep', d), `fields=${enc(deepFields(d))}`, `sort=${M[c].pk}`, `limit=${int(1, 4)}`, ...(chance(0.3) ? [encodeObj('filter', filterObj(c, 1))] : [])];
	},
	alias(c) {
		const col = M[c];
		const alias = {};
		const fl = [];
		for (let i = 0, n = int(1, 2); i < n; i++) {
			const name = pick(['a1', 'x', 'renamed', 'other', 'b']) + i;
			const rels = relFields(col);
			const target = rels.length && chance(0.6) ? pick(rels) : pick(plainFields(col));
			alias[name] = chance(0.1) ? `${target.name}.id` : target.name;
			if (target.kind) {
				fl.push(`${name}.${pick(['*', 'id', M[relTarget(target)] ? plainFields(M[relTarget(target)])[1]?.name || 'id' : 'id'])}`);
				if (chance(0.3)) fl.push(`${target.name}.id`);
			} else fl.push(name);
		}
		fl.push(col.pk);
		const parts = [encodeObj('alias', alias), `fields=${enc(fl.join(','))}`, `sort=${col.pk}`, 'limit=3'];
		if (chance(0.2)) {
			const many = relFields(col, ['o2m', 'm2m']);
			const a = Object.entries(alias).find(([, v]) => many.some((m) => m.name === v));
			if (a) parts.push(`deep[${a[0]}][_limit]=1`);
		}
		return parts;
	},
};

function itemsCase(kind) {
	const c = kind === 'aggregate' ? pick(['articles', 'articles', 'comments', 'authors', 'articles_tags']) : pick(itemCollections().concat(['articles', 'articles', 'articles']));
	const parts = GEN[kind](c);
	return { method: 'GET', path: `/items/${c}?${parts.join('&')}` };
}

function searchBodyCase() {
	const c = pick(['articles', 'articles', 'authors', 'comments', 'categories']);
	const q = {};
	if (chance(0.8)) q.fields = fieldsParam(c).split(',');
	if (chance(0.7)) q.filter = filterObj(c);
	if (chance(0.5)) q.sort = sortParam(c).split(',');
	q.limit = pick([1, 2, 5, 10]);
	if (chance(0.2)) q.search = pick(['a', 'news']);
	if (chance(0.2)) q.meta = ['filter_count'];
	if (chance(0.2)) { const d = deepParam(c); if (d) q.deep = d; }
	if (chance(0.1)) { q.aggregate = { count: ['*'] }; q.groupBy = [pick(plainFields(M[c])).name]; delete q.fields; delete q.sort; }
	return { method: 'SEARCH', path: `/items/${c}`, body: chance(0.1) ? q : { query: q } };
}

function oneCase() {
	const c = pick(itemCollections().concat(['articles', 'articles']));
	const ids = c === 'articles' ? [1, 3, 4, 20, 33, 40, 60, 132, 500, 501, 0, 'abc', '-1'] : [1, 2, 5, 7, 10, 14, 99999];
	const id = pick(ids);
	const parts = [];
	if (chance(0.6)) parts.push(`fields=${enc(fieldsParam(c))}`);
	if (chance(0.15)) parts.push(encodeObj('filter', filterObj(c, 1)));
	if (chance(0.15)) { const d = deepParam(c); if (d) parts.push(encodeObj('deep', d)); }
	if (chance(0.05)) parts.push('meta=*');
	const singleton = Object.keys(M).find((x) => M[x].singleton);
	if (singleton && chance(0.08)) return { method: 'GET', path: `/items/${singleton}${parts.length ? '?' + parts.join('&') : ''}` };
	return { method: 'GET', path: `/items/${c}/${id}${parts.length ? '?' + parts.join('&') : ''}` };
}

function systemCase() {
	const name = pick(Object.keys(SYSTEM));
	const s = SYSTEM[name];
	if (s.plain) {
		const sub = pick(name === 'collections' ? ['', '/articles', '/site_settings', '/nope', '/directus_users'] : name === 'fields' ? ['', '/articles', '/articles/title', '/articles/nope', '/authors', '/directus_users/email'] : ['', '/articles', '/articles/author', '/comments', '/articles_tags/tags_id']);
		return { method: 'GET', path: `/${name}${sub}` };
	}
	const parts = [];
	if (chance(0.7)) {
		const fl = sample(s.fields, int(1, 4));
		if (s.rel && chance(0.4)) { const [r, rf] = pick(Object.entries(s.rel)); fl.push(`${r}.${pick(rf)}`); }
		if (chance(0.1)) fl.push('*');
		parts.push(`fields=${enc(fl.join(','))}`);
	}
	if (s.filters.length && chance(0.5)) { const [f, op, v] = pick(s.filters); parts.push(encodeObj('filter', { [f]: { [op]: v } })); }
	if (s.sort.length && chance(0.6)) parts.push(`sort=${pick(s.sort)}`);
	if (chance(0.3)) parts.push(`limit=${pick([1, 2, 10])}`);
	if (chance(0.2)) parts.push(`meta=${pick(['*', 'filter_count'])}`);
	if (chance(0.1)) parts.push('search=edit');
	if (name === 'users' && chance(0.25)) return { method: 'GET', path: `/users/${pick(['me', ...USER_IDS, '00000000-0000-0000-0000-000000000000'])}${parts.length ? '?' + parts.join('&') : ''}` };
	if (name === 'users' && chance(0.1)) return { method: 'SEARCH', path: '/users', body: { query: { fields: sample(s.fields, 2), limit: 2, sort: ['email'] } } };
	return { method: 'GET', path: `${s.path || '/' + name}${parts.length ? '?' + parts.join('&') : ''}` };
}

// malformed input: unknown operators and fields, broken JSON, bad limits, bad functions
function errorCase() {
	const c = pick(['articles', 'authors', 'comments']);
	const col = M[c];
	const f = pick(plainFields(col)).name;
	const bad = pick([
		`filter[${f}][_bogus]=1`,
		`filter=${enc('{"title":')}`,
		`filter=${enc('[1,2]')}`,
		`filter=${enc('"x"')}`,
		`filter[nope][_eq]=1`,
		`filter[${f}][_eq][_eq]=1`,
		`filter[${f}]=1`,
		`filter[_and]=1`,
		`filter[_or][0][${f}][_in]=`,
		`filter[${f}][_between]=1`,
		`filter[${f}][_in]=${enc('{"a":1}')}`,
		`filter[${f}][_null]=maybe`,
		`filter[count(${f})][_eq]=1`,
		`filter[year(nope)][_eq]=2020`,
		`limit=abc`, `limit=-2`, `limit=1.5`, `offset=-1`, `page=abc`,
		`sort=nope`, `sort=-`, `sort=${f}.x`, `sort=year(nope)`,
		`fields=nope`, `fields=${f}.nope`, `fields=year(${f})`, `fields=bogus(${f})`, `fields=count(nope)`, `fields=`, `fields=*.nope`,
		`aggregate[bogus]=*`, `aggregate[sum]=nope`, `aggregate=${enc('{"count":')}`, `aggregate[count]=*&groupBy[]=nope`,
		`groupBy=${f}`, `meta=bogus`, `deep=${enc('{"x":')}`, `deep[nope][_limit]=1`, `deep[comments][_bogus]=1`,
		`alias=${enc('{"a":"b.c"}')}`, `alias[title]=id`, `alias[x]=nope`,
		`search[]=a`, `export=xml`, `filter[id][_eq]=$NOW`, `filter[${f}][_regex]=(`,
	]);
	return { method: 'GET', path: `/items/${c}?${bad}` };
}

const KINDS = [
	['fields', 14], ['filter', 22], ['search', 5], ['sort', 6], ['page', 4], ['meta', 3], ['aggregate', 9],
	['deep', 7], ['alias', 3], ['searchbody', 5], ['one', 7], ['system', 8], ['error', 7],
];
function pickKind() {
	const total = KINDS.reduce((s, [, w]) => s + w, 0);
	let r = rnd() * total;
	for (const [k, w] of KINDS) if ((r -= w) < 0) return k;
	return KINDS[0][0];
}

let M;
export function generate({ seed, count, snapshot = DEFAULT_SNAPSHOT }) {
	M = loadModel(snapshot);
	rnd = mulberry32(seed);
	const cases = [];
	for (let i = 0; i < count; i++) {
		const kind = pickKind();
		let req;
		if (kind === 'searchbody') req = searchBodyCase();
		else if (kind === 'one') req = oneCase();
		else if (kind === 'system') req = systemCase();
		else if (kind === 'error') req = errorCase();
		else req = itemsCase(kind);
		cases.push({ name: `dr${seed}.${kind}.${i}.${pick(ROLES)}`, ...req });
	}
	for (const c of cases) c.as = c.name.split('.').pop();
	return cases;
}

// ------------------------------------------------------------------ driver
const USAGE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 14);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main({
		name: 'diff-reads',
		defaultCount: 500,
		usageLines: USAGE,
		generate,
		// "dr<seed>.<kind>.<n>.<as>"
		kindOf: (line) => /^(?:PASS|FAIL) dr\d+\.(\w+)\./.exec(line)?.[1] ?? null,
		resetCommands: () => null, // reads only: the anchor stays as it is
	}, process.argv.slice(2)).catch((e) => { console.error(e.stack || e.message); process.exit(2); });
}
