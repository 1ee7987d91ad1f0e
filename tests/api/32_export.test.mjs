// ?export=csv|xml|yaml|json on real data of every database: Celer's attachment must be what
// Directus 11.3.5's ExportService.transform makes of the same answer with the same libraries
// (json2csv 5.0.7, js2xmlparser 5.0.0, js-yaml 4.1.0, pinned in package.json), with Directus's
// headers. Read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dump as toYAML } from 'js-yaml';
import js2xmlparser from 'js2xmlparser';
import json2csv from 'json2csv';
import { call } from './lib/env.mjs';

const admin = { authorization: 'Bearer admin-static-token' };

const transform = {
	json: (data) => JSON.stringify(data || null, null, '\t'),
	csv: (data) => {
		if (data.length === 0) return '';
		const transforms = [json2csv.transforms.flatten({ separator: '.' })];
		return new json2csv.Parser({ transforms, header: true }).parse(data);
	},
	xml: (data) => js2xmlparser.parse('data', data),
	yaml: (data) => toYAML(data),
};
const contentType = {
	json: 'application/json; charset=utf-8',
	csv: 'text/csv; charset=utf-8',
	xml: 'text/xml; charset=utf-8',
	yaml: 'text/yaml; charset=utf-8',
};

async function checkExports(collection, query, headers = admin) {
	const plain = await call('GET', `/items/${collection}?${query}`, { headers });
	assert.equal(plain.status, 200, plain.text);
	for (const format of Object.keys(transform)) {
		const r = await call('GET', `/items/${collection}?${query}&export=${format}`, { headers });
		assert.equal(r.status, 200, `${format}: ${r.text}`);
		assert.equal(r.headers.get('content-type'), contentType[format]);
		assert.match(
			r.headers.get('content-disposition'),
			new RegExp(`^attachment; filename="${collection} \\d{8}-\\d{3,6}\\.${format}"$`),
		);
		assert.equal(r.headers.get('cache-control'), 'no-cache');
		assert.equal(r.text, transform[format](plain.json.data), `${format} of ${collection}?${query}`);
	}
}

test('a relational list exports as the libraries render it', async () => {
	await checkExports(
		'articles',
		'fields=id,title,status,views,rating,price,metadata,published_date,author.name,category.title,tags.tags_id.name,comments.body&sort=id&limit=30',
	);
});

test('long texts, nulls and numbers of every type', async () => {
	await checkExports('articles', 'fields=*&sort=-id&limit=20');
	await checkExports('comments', 'fields=*,article.title&limit=25&sort=id');
});

test('aggregates and an empty result', async () => {
	await checkExports('articles', 'aggregate[count]=*&aggregate[avg]=views&groupBy[]=status');
	await checkExports('articles', 'filter[id][_eq]=-1');
});

test('a singleton exports its object', async () => {
	await checkExports('site_settings', 'fields=*');
});

test('the public exports only what it may read, and a forbidden export is the 403 envelope', async () => {
	await checkExports('articles', 'fields=id,title&limit=5&sort=id', {});
	const r = await call('GET', '/items/comments?export=csv', {});
	assert.equal(r.status, 403);
	assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
	assert.equal(r.json.errors[0].extensions.code, 'FORBIDDEN');
});
