// Reads where the differential run (tests/compat/diff-reads.mjs against real Directus 11.3.5)
// found Celer answering differently; each expectation is what real Directus answered on the
// fixture. Read-only: the suite can run twice in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from './lib/env.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const get = (path, headers = admin) => call('GET', path, { headers });

async function login(email, password) {
	const r = await call('POST', '/auth/login', { body: { email, password } });
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return { authorization: `Bearer ${r.json.data.access_token}` };
}

const unexpected = { errors: [{ message: 'An unexpected error occurred.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };

test('groupBy values go through processValues: a dateTime group has no milliseconds or Z', async () => {
	const r = await get('/items/articles?aggregate[count]=*&groupBy=published_date&sort=published_date&limit=2');
	assert.equal(r.status, 200);
	assert.equal(r.json.data.length, 2);
	for (const row of r.json.data) assert.match(row.published_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, JSON.stringify(row));
	// a timestamp group is an ISO instant, as in a plain read
	const t = await get('/items/articles?aggregate[count]=*&groupBy=date_created&sort=date_created&limit=1');
	assert.match(t.json.data[0].date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
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

