// PATCH /users/me as Directus's users controller: UsersService.updateOne of the caller's own row
// (its update permissions on directus_users, its email, password-policy and tfa_secret rules, in
// Directus's order: permissions first), then readOne with the query. Answers pinned from real
// Directus 11.3.5 on the fixture. Leaves the fixture as it found it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from './lib/env.mjs';
import { one, sql } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const patch = (body, headers = admin, query = '') => call('PATCH', `/users/me${query}`, { headers, body });

function error(r, status, code, message, ext = {}) {
	assert.equal(r.status, status, r.text);
	assert.deepEqual(r.json, { errors: [{ message, extensions: { ...ext, code } }] });
}

test('no user, no permission: 401, then 403 before any payload rule', async () => {
	error(await patch({ first_name: 'x' }, {}), 401, 'INVALID_CREDENTIALS', 'Invalid user credentials.');
	const reason = 'You don\'t have permission to access collection "directus_users" or it does not exist. Queried in root.';
	// The editor's policies grant no update on directus_users: that wins over the tfa_secret rule.
	error(await patch({ tfa_secret: 'x' }, editor), 403, 'FORBIDDEN', reason, { reason });
});

test('the user rules, after the permission checks', async () => {
	const reason = 'You can\'t change the "tfa_secret" value manually';
	error(await patch({ tfa_secret: 'x' }), 400, 'INVALID_PAYLOAD', `Invalid payload. ${reason}.`, { reason });
	error(await patch({ email: 'not-an-email' }), 400, 'FAILED_VALIDATION',
		'Validation failed for field "email". Value has to be a valid email address.', { field: 'email', type: 'email' });
	// Another user's address, in other letters: taken.
	error(await patch({ email: 'EDITOR@example.com' }), 400, 'RECORD_NOT_UNIQUE',
		'Value for field "email" in collection "directus_users" has to be unique.', { collection: 'directus_users', field: 'email' });
	assert.equal(one("SELECT email FROM directus_users WHERE email = 'admin@example.com'"), 'admin@example.com');
});

test('an update answers the row read back with the query; a bad query still writes first', async () => {
	try {
		const r = await patch({ first_name: 'Probe' }, admin, '?fields=first_name,email');
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, { data: { first_name: 'Probe', email: 'admin@example.com' } });
		const reason = 'You don\'t have permission to access field "nope" in collection "directus_users" or it does not exist. Queried in root.';
		error(await patch({ first_name: 'Probe2' }, admin, '?fields=nope'), 403, 'FORBIDDEN', reason, { reason });
		assert.equal(one("SELECT first_name FROM directus_users WHERE email = 'admin@example.com'"), 'Probe2');
	} finally {
		sql("UPDATE directus_users SET first_name = 'Admin' WHERE email = 'admin@example.com'");
	}
});

test('a new password is hashed, logs in, and is recorded as an update without its value', async () => {
	const login = (password) => call('POST', '/auth/login', { body: { email: 'admin@example.com', password } });
	const before = Number(one("SELECT COUNT(*) FROM directus_activity WHERE collection = 'directus_users' AND action = 'update'"));
	const hash = one("SELECT password FROM directus_users WHERE email = 'admin@example.com'");
	try {
		assert.equal((await patch({ password: 'new-admin-password' }, admin, '?fields=password')).json.data.password, '**********');
		assert.match(one("SELECT password FROM directus_users WHERE email = 'admin@example.com'"), /^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
		assert.equal((await login('new-admin-password')).status, 200);
		assert.equal((await login('admin-password')).status, 401);
		assert.equal(Number(one("SELECT COUNT(*) FROM directus_activity WHERE collection = 'directus_users' AND action = 'update'")), before + 1);
		const delta = one("SELECT delta FROM directus_revisions WHERE collection = 'directus_users' ORDER BY id DESC LIMIT 1");
		assert.doesNotMatch(delta ?? '', /new-admin-password/);
	} finally {
		sql(`UPDATE directus_users SET password = '${hash}' WHERE email = 'admin@example.com'`);
	}
	assert.equal((await login('admin-password')).status, 200);
});
