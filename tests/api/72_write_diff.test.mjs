// Write rules found by tests/compat/diff-writes.mjs (seeded writes sent to real Directus 11.3.5 and
// to Celer): each test pins the answer real Directus gave on the PostgreSQL fixture. Nothing here
// leaves rows behind (every request is refused, or puts back what it changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, call } from './lib/env.mjs';

const DB = ENV.STACK_DB || ENV.DB_CLIENT;
const admin = { authorization: 'Bearer admin-static-token' };
const send = (method, path, body, headers = admin) => call(method, path, { headers, body });

// Directus reads the collection out of knex's error message, whose first quoted name is the table
// of the INSERT or UPDATE that failed (PostgreSQL names no column: field stays null).
test('too long and out of range values name the collection of the failed statement', { skip: DB === 'sqlite' && 'SQLite enforces no length or range' }, async () => {
	const long = await send('POST', '/items/tags', { name: 'z'.repeat(300) });
	assert.equal(long.status, 400);
	const e = long.json.errors[0];
	assert.equal(e.extensions.code, 'VALUE_TOO_LONG');
	assert.equal(e.extensions.collection, 'tags');
	if (DB === 'pg') {
		assert.deepEqual(long.json, {
			errors: [{ message: 'Value in collection "tags" is too long.', extensions: { collection: 'tags', field: null, code: 'VALUE_TOO_LONG' } }],
		});
		// the same for an UPDATE, and for a numeric value out of the column's range
		const range = await send('PATCH', '/items/articles/1', { price: '1234567890.12' });
		assert.deepEqual(range.json, {
			errors: [{ message: 'Numeric value in collection "articles" is out of range.', extensions: { collection: 'articles', field: null, code: 'VALUE_OUT_OF_RANGE' } }],
		});
		const upd = await send('PATCH', '/items/categories/1', { title: 'y'.repeat(300) });
		assert.equal(upd.json.errors[0].message, 'Value in collection "categories" is too long.');
	}
	const tags = await call('GET', '/items/tags?aggregate[count]=*', { headers: admin });
	assert.equal(Number(tags.json.data[0].count), 15, 'nothing was written');
});

// UsersService.updateMany asks ItemsService for the remaining-admin check when the payload sets a
// role or a status other than "active"; it runs inside the transaction, after the update.
test('PATCH /users/me cannot remove the last admin; the update is rolled back', async () => {
	const before = (await send('GET', '/users/me?fields=role,status,first_name')).json.data;
	const refused = {
		errors: [{
			message: "Can't process content. Cannot remove the last admin user from the system.",
			extensions: { reason: 'Cannot remove the last admin user from the system', code: 'UNPROCESSABLE_CONTENT' },
		}],
	};
	for (const body of [{ role: null, first_name: 'Gone' }, { status: 'suspended' }, { status: 'draft' }]) {
		const r = await send('PATCH', '/users/me?fields=first_name,status', body);
		assert.equal(r.status, 422, JSON.stringify(body));
		assert.deepEqual(r.json, refused);
	}
	const after = (await send('GET', '/users/me?fields=role,status,first_name')).json.data;
	assert.deepEqual(after, before);
	// "active" needs no admin check, and a role kept as it was passes the check
	const ok = await send('PATCH', '/users/me?fields=first_name,status', { status: 'active', role: before.role, first_name: before.first_name });
	assert.equal(ok.status, 200);
	assert.deepEqual(ok.json.data, { first_name: before.first_name, status: 'active' });
});

// ItemsService.createMany creates the items one by one in a transaction: the items before a
// refused one were inserted (then rolled back), so they took auto-increment values (PostgreSQL
// and MySQL keep them used), and an INSERT failing among them is the error, not the later item's.
test('a refused batch create: earlier items were inserted first (key gap, their error wins)', async () => {
	const run = Date.now().toString(36);
	const a = await send('POST', '/items/articles?fields=id', { title: `W72 before ${run}` });
	assert.equal(a.status, 200);
	const refused = await send('POST', '/items/articles?fields=id', [{ title: 'W72 one' }, { title: 'W72 two' }, { status: 'draft' }]);
	assert.equal(refused.status, 400);
	assert.deepEqual(refused.json.errors[0].extensions, { field: 'title', type: 'required', code: 'FAILED_VALIDATION' });
	const dupe = `w72-dupe-${run}`;
	const unique = await send('POST', '/items/articles?fields=id', [{ title: 'W72 u1', slug: dupe }, { title: 'W72 u2', slug: dupe }, { title: null }]);
	assert.equal(unique.status, 400);
	assert.equal(unique.json.errors[0].extensions.code, 'RECORD_NOT_UNIQUE');
	assert.equal(unique.json.errors[0].extensions.field, 'slug');
	const b = await send('POST', '/items/articles?fields=id', { title: `W72 after ${run}` });
	assert.equal(b.status, 200);
	if (DB !== 'sqlite') assert.equal(b.json.data.id, a.json.data.id + 5, 'two + two refused INSERTs used keys');
	const left = await call('GET', `/items/articles?filter[title][_starts_with]=W72&fields=title&sort=id`, { headers: admin });
	assert.deepEqual(left.json.data.map((r) => r.title), [`W72 before ${run}`, `W72 after ${run}`]);
	const del = await send('DELETE', '/items/articles', [a.json.data.id, b.json.data.id]);
	assert.equal(del.status, 204);
});

// PATCH /items/:collection/:pk with an array body: updateOne → validateAccess with the fields
// Object.keys(data), which for an array are its indexes.
test('an array body on a single item PATCH asks permission for its indexes as fields', async () => {
	const editor = { authorization: 'Bearer editor-static-token' };
	const one = await send('PATCH', '/items/articles/3?fields=id', [[1]], editor);
	assert.equal(one.status, 403);
	const reason = 'You don\'t have permission to access field "0" in collection "articles" or it does not exist. Queried in root.';
	assert.deepEqual(one.json, { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] });
	const two = await send('PATCH', '/items/articles/3?fields=id', [1, 2], editor);
	assert.equal(two.json.errors[0].message, 'You don\'t have permission to access fields "0", "1" in collection "articles" or they do not exist. Queried in root.');
});

// createOne resets the auto-increment sequence after an INSERT with an explicit integer key
// (resetAutoIncrementSequence on PostgreSQL; MySQL and SQLite move on by themselves): the next
// item, in the same batch or later, gets the key after the largest one.
test('an explicit auto-increment key moves the next keys on, in and after a batch', async () => {
	// the key the sequence hands out now (SQLite's AUTOINCREMENT remembers deleted keys too)
	const probe = await send('POST', '/items/articles?fields=id', { title: 'W72 probe' });
	await send('DELETE', `/items/articles/${probe.json.data.id}`);
	const base = probe.json.data.id + 3;
	const made = await send('POST', '/items/articles?fields=id,title', [{ title: 'W72 explicit', id: base }, { title: 'W72 next' }]);
	assert.equal(made.status, 200);
	assert.deepEqual(made.json.data, [{ id: base, title: 'W72 explicit' }, { id: base + 1, title: 'W72 next' }]);
	const after = await send('POST', '/items/articles?fields=id', { title: 'W72 after' });
	assert.equal(after.json.data.id, base + 2);
	const del = await send('DELETE', '/items/articles', [base, base + 1, base + 2]);
	assert.equal(del.status, 204);
});
