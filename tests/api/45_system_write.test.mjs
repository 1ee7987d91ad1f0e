// Writes on the system routes as Directus 11.3.5's controllers and services answer them: create,
// update and delete of roles, policies, permissions, users and presets; the services' own rules
// (UsersService's email and tfa_secret checks, RolesService's nesting and delete cascade,
// PoliciesService's ip_access, SharesService's share access, CommentsService's mentions, the
// remaining-admin check everywhere it applies); a permission
// change through the API in force for the editor's very next request, also with the response
// cache on. Bodies pinned from real Directus 11.3.5 on the fixture. Everything created is deleted
// again and every changed row restored, so the fixture stays as other suites expect it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, ENV, ROOT } from './lib/env.mjs';
import { one, q } from './lib/db.mjs';
import { startStackPool, stopStackPools } from './lib/pool.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const EDITOR_POLICY = 'b0000000-0000-4000-8000-00000000e001';
const as = (headers) => ({
	post: (path, body) => call('POST', path, { headers, body }),
	patch: (path, body) => call('PATCH', path, { headers, body }),
	del: (path, body) => call('DELETE', path, body === undefined ? { headers } : { headers, body }),
	get: (path) => call('GET', path, { headers }),
});
const A = as(admin);
const E = as(editor);

function error(r, status, code, message, ext = {}) {
	assert.equal(r.status, status, r.text);
	assert.deepEqual(r.json, { errors: [{ message, extensions: { ...ext, code } }] });
}
const invalid = (r, reason) => error(r, 400, 'INVALID_PAYLOAD', `Invalid payload. ${reason}.`, { reason });
const lastAdmin = (r) =>
	error(r, 422, 'UNPROCESSABLE_CONTENT', "Can't process content. Cannot remove the last admin user from the system.", {
		reason: 'Cannot remove the last admin user from the system',
	});

async function adminIds() {
	const u = (await A.get('/users?filter[email][_eq]=admin@example.com&fields=id,role')).json.data[0];
	const acc = (await A.get(`/access?filter[role][_eq]=${u.role}&fields=id,policy`)).json.data[0];
	return { user: u.id, role: u.role, access: acc.id, policy: acc.policy };
}

test('roles: create, nesting rules, update, delete', async () => {
	const r = await A.post('/roles', { name: 'zz-role' });
	assert.equal(r.status, 200, r.text);
	const id = r.json.data.id;
	try {
		assert.deepEqual(r.json, {
			data: { id, name: 'zz-role', icon: 'supervised_user_circle', description: null, parent: null, children: [], policies: [], users: [] },
		});
		invalid(await A.patch(`/roles/${id}`, { parent: id }), 'A role cannot be a parent of itself');
		const child = (await A.post('/roles?fields=id,parent', { name: 'zz-child', parent: id })).json.data;
		assert.equal(child.parent, id);
		invalid(await A.patch(`/roles/${id}`, { parent: child.id }), 'A role cannot have a parent that is already a descendant of itself');
		// updateMany checks the nesting of every key before anything else
		invalid(await A.patch('/roles', { keys: [id, child.id], data: { parent: child.id } }), 'A role cannot be a parent of itself');
		const u = await A.patch(`/roles/${id}?fields=name,description`, { description: 'probe' });
		assert.deepEqual(u.json, { data: { name: 'zz-role', description: 'probe' } });
		// deleting a parent leaves its child without one
		assert.equal((await A.del(`/roles/${id}`)).status, 204);
		assert.deepEqual((await A.get(`/roles/${child.id}?fields=parent`)).json, { data: { parent: null } });
		assert.equal((await A.del('/roles', [child.id])).status, 204);
		assert.equal((await A.get(`/roles/${child.id}`)).status, 403);
	} finally {
		await A.del('/roles', { query: { filter: { name: { _starts_with: 'zz-' } } } });
	}
});

test('deleting a role removes its access rows and presets and suspends its users', async () => {
	const role = (await A.post('/roles?fields=id', { name: 'zz-cascade' })).json.data.id;
	const user = (await A.post('/users?fields=id,status,role', { email: 'zz-cascade@example.com', role })).json.data;
	try {
		assert.deepEqual(user, { id: user.id, status: 'active', role });
		const access = (await A.post('/access?fields=id', { role, policy: EDITOR_POLICY })).json.data.id;
		const preset = (await A.post('/presets?fields=id,role', { role, collection: 'articles' })).json.data;
		assert.equal(preset.role, role);
		assert.equal((await A.del(`/roles/${role}`)).status, 204);
		assert.equal((await A.get(`/access/${access}`)).status, 403);
		assert.equal((await A.get(`/presets/${preset.id}`)).status, 403);
		assert.deepEqual((await A.get(`/users/${user.id}?fields=status,role`)).json, { data: { status: 'suspended', role: null } });
	} finally {
		await A.del(`/users/${user.id}`);
		await A.del(`/roles/${role}`);
	}
	assert.equal(Number(one("SELECT COUNT(*) FROM directus_users WHERE email = 'zz-cascade@example.com'")), 0);
});

test('policies: create, ip_access rule, update, delete', async () => {
	invalid(
		await A.post('/policies', { name: 'zz', ip_access: ['1.2.3.*'] }),
		'IP Access contains an incorrect value. Valid values are: IP addresses, IP ranges and CIDR blocks',
	);
	invalid(
		await A.post('/policies', { name: 'zz', ip_access: ['10.0.0.0/255.0.0.0'] }),
		'IP Access contains an incorrect value. Valid values are: IP addresses, IP ranges and CIDR blocks',
	);
	// ip-matching's getMatch, as real Directus parses: leading zeros, whitespace, Number() bits
	for (const ip of ['1.2.3.4-1.2.3.1', '1.2.3.4/8.5', '1.2.3.256', '1.2.3.4-::1', '1.2.3.4/-1']) {
		assert.equal((await A.post('/policies', { name: 'zz-ip', ip_access: [ip] })).status, 400, ip);
	}
	for (const ip of ['01.2.3.4', ' 1.2.3.4 - 1.2.3.5 ', '1.2.3.4/8.0', '1.2.3.4/', 'fe80::/10', '::ffff:1.2.3.4']) {
		assert.equal((await A.post('/policies', { name: 'zz-ip', ip_access: [ip] })).status, 200, ip);
	}
	assert.equal((await A.del('/policies', { query: { filter: { name: { _eq: 'zz-ip' } } } })).status, 204);
	const r = await A.post('/policies?fields=name,ip_access,admin_access,app_access', {
		name: 'zz-policy',
		ip_access: ['10.0.0.0/8', '127.0.0.1', '192.168.0.1-192.168.0.9'],
	});
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data, {
		name: 'zz-policy',
		ip_access: ['10.0.0.0/8', '127.0.0.1', '192.168.0.1-192.168.0.9'],
		admin_access: false,
		app_access: false,
	});
	const id = (await A.get('/policies?filter[name][_eq]=zz-policy&fields=id')).json.data[0].id;
	try {
		const u = await A.patch(`/policies/${id}?fields=description`, { description: 'probe' });
		assert.deepEqual(u.json, { data: { description: 'probe' } });
		assert.equal((await A.del(`/policies/${id}`)).status, 204);
		assert.equal((await A.get(`/policies/${id}`)).status, 403);
	} finally {
		await A.del('/policies', { query: { filter: { name: { _eq: 'zz-policy' } } } });
	}
});

test('permissions: create one and many (readMany appends the app access minimal rows), update, delete', async () => {
	const one_ = await A.post('/permissions', { collection: 'zz_probe', action: 'read', policy: EDITOR_POLICY });
	assert.equal(one_.status, 200, one_.text);
	const id = one_.json.data.id;
	assert.deepEqual(one_.json.data, {
		id, collection: 'zz_probe', action: 'read', permissions: null, validation: null, presets: null, fields: null, policy: EDITOR_POLICY,
	});
	const many = await A.post('/permissions', [{ collection: 'zz_probe', action: 'create', policy: EDITOR_POLICY }]);
	assert.equal(many.status, 200, many.text);
	const [created, ...app] = many.json.data;
	try {
		assert.equal(created.action, 'create');
		assert.ok(app.length > 10);
		assert.deepEqual(app[0], {
			policy: null, permissions: {}, validation: null, presets: null, fields: ['*'], system: true, collection: 'directus_collections', action: 'read',
		});
		const u = await A.patch(`/permissions/${id}?fields=fields,permissions`, { fields: ['id'], permissions: { id: { _eq: 1 } } });
		assert.deepEqual(u.json, { data: { fields: ['id'], permissions: { id: { _eq: 1 } } } });
		invalid(await A.patch('/permissions', { keys: [id] }), '"data" is required');
	} finally {
		assert.equal((await A.del('/permissions', [id, created.id])).status, 204);
	}
	assert.equal((await A.get(`/permissions?filter[collection][_eq]=zz_probe&fields=id`)).json.data.filter((p) => p.id).length, 0);
});

test('users: email and password rules, hashing, tfa_secret, delete', async () => {
	const email = 'Validation failed for field "email". Value has to be a valid email address.';
	const unique = 'Value for field "email" in collection "directus_users" has to be unique.';
	error(await A.post('/users', { email: 'bad' }), 400, 'FAILED_VALIDATION', email, { field: 'email', type: 'email' });
	error(await A.post('/users', { email: 'ADMIN@example.com' }), 400, 'RECORD_NOT_UNIQUE', unique, { collection: 'directus_users', field: 'email' });
	error(await A.post('/users', [{ email: 'zz-a@example.com' }, { email: 'ZZ-A@example.com' }]), 400, 'RECORD_NOT_UNIQUE', unique, {
		collection: 'directus_users', field: 'email',
	});
	const r = await A.post('/users?fields=email,password,status,role', { email: 'zz-user@example.com', password: 'zz-password' });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data, { email: 'zz-user@example.com', password: '**********', status: 'active', role: null });
	const id = (await A.get('/users?filter[email][_eq]=zz-user@example.com&fields=id')).json.data[0].id;
	try {
		assert.match(one(`SELECT password FROM directus_users WHERE email = 'zz-user@example.com'`), /^\$argon2id\$/);
		const login = await call('POST', '/auth/login', { body: { email: 'zz-user@example.com', password: 'zz-password' } });
		assert.equal(login.status, 200, login.text);
		invalid(await A.patch(`/users/${id}`, { tfa_secret: 'x' }), 'You can\'t change the "tfa_secret" value manually');
		error(await A.patch('/users', { keys: [id, id], data: { email: 'zz-other@example.com' } }), 400, 'RECORD_NOT_UNIQUE', unique, {
			collection: 'directus_users', field: 'email',
		});
		const u = await A.patch(`/users/${id}?fields=email,first_name`, { email: 'ZZ-User@example.com', first_name: 'Zed' });
		assert.deepEqual(u.json, { data: { email: 'ZZ-User@example.com', first_name: 'Zed' } });
		assert.equal((await A.del(`/users/${id}`)).status, 204);
		// the sessions went with the user
		assert.equal(Number(one(`SELECT COUNT(*) FROM directus_sessions WHERE ${q('user')} = '${id}'`)), 0);
	} finally {
		await A.del('/users', { query: { filter: { email: { _icontains: 'zz-user' } } } });
	}
});

test('presets: create, update, delete', async () => {
	const r = await A.post('/presets?fields=collection,layout,bookmark', { collection: 'articles', layout: 'tabular', bookmark: 'zz' });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.data, { collection: 'articles', layout: 'tabular', bookmark: 'zz' });
	const id = (await A.get('/presets?filter[bookmark][_eq]=zz&fields=id')).json.data[0].id;
	const u = await A.patch('/presets', [{ id, layout: 'cards' }]);
	assert.equal(u.json.data[0].layout, 'cards');
	assert.equal((await A.del('/presets', { keys: [id] })).status, 204);
	assert.equal((await A.get(`/presets/${id}`)).status, 403);
});

test('flows: deleting a flow takes its chained operations with it', async () => {
	const flow = (await A.post('/flows?fields=id', { name: 'zz-flow', trigger: 'manual' })).json.data.id;
	try {
		const op = (body) => A.post('/operations?fields=id,resolve', { flow, type: 'log', position_x: 1, position_y: 1, ...body });
		const b = (await op({ key: 'b' })).json.data;
		const a = (await op({ key: 'a', resolve: b.id })).json.data;
		assert.equal(a.resolve, b.id);
		assert.deepEqual((await A.patch(`/flows/${flow}?fields=operation`, { operation: a.id })).json, { data: { operation: a.id } });
		assert.equal((await A.del(`/flows/${flow}`)).status, 204);
		assert.deepEqual((await A.get(`/operations?filter[flow][_eq]=${flow}&fields=id`)).json, { data: [] });
	} finally {
		await A.del('/flows', [flow]);
	}
});

test('folders, dashboards and panels: create, nested create, update, delete', async () => {
	const folder = (await A.post('/folders?fields=id,name,parent', { name: 'zz-folder' })).json.data;
	assert.equal(folder.parent, null);
	const child = (await A.post('/folders?fields=id,parent', { name: 'zz-sub', parent: folder.id })).json.data;
	assert.equal(child.parent, folder.id);
	assert.deepEqual((await A.patch('/folders', { keys: [child.id], data: { name: 'zz-sub2' } })).json, {
		data: [{ id: child.id, name: 'zz-sub2', parent: folder.id }],
	});
	// one DELETE for both would trip MySQL's row-by-row foreign key check (as under Directus)
	assert.equal((await A.del(`/folders/${child.id}`)).status, 204);
	assert.equal((await A.del('/folders', { query: { filter: { name: { _eq: 'zz-folder' } } } })).status, 204);
	const d = await A.post('/dashboards?fields=name,panels.name', { name: 'zz-dash', panels: [{ name: 'zz-panel', type: 'label', position_x: 1, position_y: 1, width: 2, height: 2 }] });
	assert.equal(d.status, 200, d.text);
	assert.deepEqual(d.json.data, { name: 'zz-dash', panels: [{ name: 'zz-panel' }] });
	const id = (await A.get('/dashboards?filter[name][_eq]=zz-dash&fields=id')).json.data[0].id;
	assert.equal((await A.del('/dashboards', [id])).status, 204);
	assert.deepEqual((await A.get('/panels?filter[name][_eq]=zz-panel&fields=id')).json, { data: [] });
});

test('the last admin cannot go: delete, suspend, role change, role / policy / access removal', async () => {
	const ids = await adminIds();
	lastAdmin(await A.del(`/users/${ids.user}`));
	lastAdmin(await A.del('/users', { keys: [ids.user] }));
	lastAdmin(await A.patch(`/users/${ids.user}`, { status: 'suspended' }));
	lastAdmin(await A.patch(`/users/${ids.user}`, { role: null }));
	lastAdmin(await A.del(`/roles/${ids.role}`));
	lastAdmin(await A.patch(`/policies/${ids.policy}`, { admin_access: false }));
	lastAdmin(await A.del(`/policies/${ids.policy}`));
	lastAdmin(await A.del(`/access/${ids.access}`));
	// nothing of it stuck
	assert.deepEqual(await adminIds(), ids);
	assert.equal((await A.get(`/users/${ids.user}?fields=status`)).json.data.status, 'active');
	assert.equal((await A.get('/users/me?fields=email')).status, 200);
});

test('controller quirks: webhooks are deprecated, DELETE / of dashboards has no batch check, no writes on activity', async () => {
	error(await A.post('/webhooks', {}), 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
	error(await A.patch('/webhooks/1', {}), 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
	invalid(await A.patch('/webhooks', {}), '"data" is required');
	error(await A.del('/dashboards', {}), 500, 'INTERNAL_SERVER_ERROR', "Cannot read properties of undefined (reading 'limit')");
	invalid(await A.del('/roles', {}), '"value" must contain at least one of [query, keys]');
	assert.equal((await A.del('/roles', { keys: [] })).status, 204);
	// the services' own TypeErrors: admins see them
	error(await A.post('/users', [{ email: 'zz-n@example.com' }, null]), 500, 'INTERNAL_SERVER_ERROR', "Cannot read properties of null (reading 'email')");
	error(await A.post('/policies', { name: 'zz', ip_access: 5 }), 500, 'INTERNAL_SERVER_ERROR', 'value is not iterable');
	error(await E.post('/policies', { name: 'zz', ip_access: 5 }), 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
	error(await A.post('/activity', {}), 404, 'ROUTE_NOT_FOUND', 'Route /activity doesn\'t exist.', { path: '/activity' });
});

test('shares: the collection must exist, the editor needs share rights, uuid keys only', async () => {
	const reason = (c) => `You don't have permission to "share" from collection "${c}" or it does not exist.`;
	error(await A.post('/shares', {}), 403, 'FORBIDDEN', reason('undefined'), { reason: reason('undefined') });
	error(await A.post('/shares', { collection: 'nope', item: '1' }), 403, 'FORBIDDEN', reason('nope'), { reason: reason('nope') });
	const denied = 'You don\'t have permission to access collection "articles" or it does not exist. Queried in root.';
	error(await E.post('/shares', { collection: 'articles', item: '1' }), 403, 'FORBIDDEN', denied, { reason: denied });
	const r = await A.post('/shares?fields=collection,item,role,password,max_uses,times_used', {
		collection: 'articles', item: '1', name: 'zz-share', password: 'pw',
	});
	assert.deepEqual(r.json, { data: { collection: 'articles', item: '1', role: null, password: '**********', max_uses: null, times_used: 0 } });
	try {
		error(await A.patch('/shares/abc', {}), 404, 'ROUTE_NOT_FOUND', 'Route /shares/abc doesn\'t exist.', { path: '/shares/abc' });
		error(await A.del('/shares', {}), 500, 'INTERNAL_SERVER_ERROR', "Cannot read properties of undefined (reading 'limit')");
	} finally {
		assert.equal((await A.del('/shares', { query: { filter: { name: { _eq: 'zz-share' } } } })).status, 204);
	}
	assert.deepEqual((await A.get('/shares?fields=name')).json, { data: [] });
});

test('comments: a user only, required fields, readable item; mentions notify who may read the item', async () => {
	const EDITOR = 'c0000000-0000-4000-8000-00000000e001';
	const AUTHOR = 'c0000000-0000-4000-8000-00000000a001';
	const admin_ = (await A.get('/users/me?fields=id')).json.data.id;
	const notes = async () => (await A.get('/notifications?fields=recipient,sender,subject,message,collection,item,status&sort=recipient')).json.data;
	const comments = async () => (await A.get('/comments?fields=comment&sort=comment')).json.data.map((c) => c.comment);
	try {
		invalid(await A.post('/comments', { comment: 'x' }), '"collection" is required');
		const nope = 'You don\'t have permission to "read" from collection "nope" or it does not exist.';
		error(await A.post('/comments', { comment: 'x', collection: 'nope', item: '1' }), 403, 'FORBIDDEN', nope, { reason: nope });
		error(await call('POST', '/comments', { body: { comment: 'x', collection: 'articles', item: '1' } }), 403, 'FORBIDDEN', "You don't have permission to access this.");
		const text = `hi @${EDITOR} and @${AUTHOR}\n\n\nbye @${EDITOR}`;
		const r = await A.post('/comments?fields=comment,collection,item,user_created', { comment: text, collection: 'articles', item: '1' });
		assert.deepEqual(r.json, { data: { comment: text, collection: 'articles', item: '1', user_created: admin_ } });
		const publicUrl = (ENV.PUBLIC_URL || 'http://127.0.0.1:8055').replace(/\/+$/, '');
		const message = (to, quoted) =>
			`\nHello ${to},\n\nAdmin User has mentioned you in a comment:\n\n${quoted}\n\n<a href="${publicUrl}/admin/content/articles/1">Click here to view.</a>\n`;
		const note = (recipient, msg) => ({ recipient, sender: admin_, subject: 'You were mentioned in articles', message: msg, collection: 'articles', item: '1', status: 'inbox' });
		// each reads the previews with their own permissions: the author sees only their own row
		assert.deepEqual(await notes(), [
			note(AUTHOR, message('Ann Author', '> hi @Unknown User and <em>Ann Author</em>\n> bye @Unknown User')),
			note(EDITOR, message('Eddie Editor', '> hi <em>Eddie Editor</em> and @Unknown User\n> bye <em>Eddie Editor</em>')),
		]);
		// the comment is committed before the mentions are looked at
		error(await A.post('/comments', { comment: 5, collection: 'articles', item: '1' }), 500, 'INTERNAL_SERVER_ERROR', 'data.comment.match is not a function');
		error(await A.post('/comments', { comment: 'x @c0000000-0000-4000-8000-0000000000ff', collection: 'articles', item: '1' }), 403, 'FORBIDDEN', "You don't have permission to access this.");
		assert.deepEqual(await comments(), ['5', text, 'x @c0000000-0000-4000-8000-0000000000ff']);
		// ... but createMany is one transaction
		error(await A.post('/comments', [{ comment: 'y', collection: 'articles', item: '1' }, { comment: 'z @c0000000-0000-4000-8000-0000000000ff', collection: 'articles', item: '1' }]), 403, 'FORBIDDEN', "You don't have permission to access this.");
		assert.equal((await comments()).length, 3);
		const id = (await A.get('/comments?filter[comment][_eq]=5&fields=id')).json.data[0].id;
		error(await call('PATCH', `/comments/${id}`, { body: { comment: 'z' } }), 403, 'FORBIDDEN', "You don't have permission to access this.");
		error(await call('DELETE', `/comments/${id}`), 403, 'FORBIDDEN', "You don't have permission to access this.");
		// the recipient archives their notification; the author's is not theirs to change
		const archived = await E.patch('/notifications?fields=status', { query: { filter: { recipient: { _eq: EDITOR } } }, data: { status: 'archived' } });
		assert.deepEqual(archived.json, { data: [{ status: 'archived' }] });
		const denied = 'You don\'t have permissions to perform "update" for the field(s) "status" in collection "directus_notifications" or it does not exist.';
		error(await E.patch('/notifications', { query: { limit: -1 }, data: { status: 'inbox' } }), 403, 'FORBIDDEN', denied, { reason: denied });
	} finally {
		assert.equal((await A.del('/comments', { query: { limit: -1 } })).status, 204);
		assert.equal((await A.del('/notifications', { query: { limit: -1 } })).status, 204);
	}
});

test('PATCH /users/me/track/page sets last_page without accountability', async () => {
	invalid(await E.patch('/users/me/track/page', {}), '"last_page" key is required');
	error(await call('PATCH', '/users/me/track/page', { body: { last_page: '/x' } }), 401, 'INVALID_CREDENTIALS', 'Invalid user credentials.');
	const before = one(`SELECT last_page FROM directus_users WHERE email = 'editor@example.com'`);
	try {
		// the editor may not update directus_users: this route does not ask
		assert.equal((await E.patch('/users/me/track/page', { last_page: '/content/zz' })).status, 204);
		assert.equal(one(`SELECT last_page FROM directus_users WHERE email = 'editor@example.com'`), '/content/zz');
	} finally {
		await A.patch('/users/c0000000-0000-4000-8000-00000000e001', { last_page: before ?? null });
	}
});

async function authorsRead() {
	return (await A.get(`/permissions?filter[policy][_eq]=${EDITOR_POLICY}&filter[collection][_eq]=authors&fields=id,fields`)).json.data[0];
}

test("a permission change through the API rules the editor's very next request", async () => {
	const perm = await authorsRead();
	try {
		assert.equal((await E.get('/items/authors?limit=1&fields=bio')).status, 200);
		const r = await A.patch(`/permissions/${perm.id}?fields=fields`, { fields: ['id', 'name'] });
		assert.deepEqual(r.json, { data: { fields: ['id', 'name'] } });
		for (let i = 0; i < 4; i++) {
			const e = await call('GET', '/items/authors?limit=1&fields=bio', { headers: editor, noSettle: true });
			assert.equal(e.status, 403, e.text);
		}
	} finally {
		await A.patch(`/permissions/${perm.id}`, { fields: perm.fields });
	}
	assert.equal((await E.get('/items/authors?limit=1&fields=bio')).status, 200);
});

test("attaching and detaching a policy through /access rules the user's very next request", async () => {
	const { policy } = await adminIds();
	const editorId = 'c0000000-0000-4000-8000-00000000e001';
	const asEditor = () => call('GET', '/roles?fields=name&sort=name', { headers: editor, noSettle: true });
	assert.equal((await asEditor()).json.data.length, 1); // the app access rule: own role only
	const access = (await A.post('/access?fields=id', { user: editorId, policy })).json.data.id;
	try {
		for (let i = 0; i < 4; i++) assert.deepEqual((await asEditor()).json.data.map((r) => r.name), ['Administrator', 'Author', 'Editor']);
	} finally {
		assert.equal((await A.del(`/access/${access}`)).status, 204);
	}
	for (let i = 0; i < 4; i++) assert.equal((await asEditor()).json.data.length, 1);
});

/* ---- with the response cache on: a private pool on the stack's database --------------------- */

after(stopStackPools);

async function cachedPool() {
	const request = await startStackPool({ WORKERS: 2, CACHE_ENABLED: 'true', CACHE_STORE: 'memory', CACHE_TTL: '5m' });
	return async (method, path, headers = {}, body) => {
		const r = await request(method, path, headers, body);
		return { ...r, json: r.body ? JSON.parse(r.body) : undefined };
	};
}

test('with CACHE_ENABLED a cached answer is not served after a permission change', async () => {
	const perm = await authorsRead();
	const req = await cachedPool();
	const path = '/items/authors?limit=1&sort=id';
	try {
		const first = await req('GET', path, editor);
		assert.equal(first.status, 200, first.body);
		assert.ok('bio' in first.json.data[0]);
		for (let i = 0; i < 4; i++) assert.deepEqual((await req('GET', path, editor)).json, first.json); // cached now
		const w = await req('PATCH', `/permissions/${perm.id}`, admin, { fields: ['id', 'name'] });
		assert.equal(w.status, 200, w.body);
		for (let i = 0; i < 4; i++) {
			const r = await req('GET', path, editor);
			assert.equal(r.status, 200, r.body);
			assert.deepEqual(Object.keys(r.json.data[0]).sort(), ['id', 'name']);
		}
	} finally {
		await req('PATCH', `/permissions/${perm.id}`, admin, { fields: perm.fields });
	}
	assert.ok('bio' in (await req('GET', path, editor)).json.data[0]);
});

/* ---- two pools on one Redis (tests/stack up --redis): the bus carries the change ------------ */

const noBus = ENV.REDIS ? false : 'the stack has no Redis (tests/stack up --redis)';
let second;
before(() => {
	if (noBus) return;
	const out = execFileSync(`${ROOT}/tests/stack`, ['up', '--second-pool'], { encoding: 'utf8', env: { ...process.env, STACK_DIR: ENV.STACK_DIR } });
	second = out.match(/^BASE_URL=(\S+)$/m)[1];
});

test('a permission change through one pool rules the other pool well within a second', { skip: noBus }, async () => {
	const perm = await authorsRead();
	const bio = () =>
		Promise.all([1, 2, 3, 4].map(() => fetch(`${second}/items/authors?limit=1&fields=bio`, { headers: editor }).then((r) => r.status)));
	try {
		// every worker of the second pool has the editor's rules cached just now ...
		for (let i = 0; i < 3; i++) assert.deepEqual(await bio(), [200, 200, 200, 200]);
		assert.equal((await A.patch(`/permissions/${perm.id}`, { fields: ['id', 'name'] })).status, 200);
		// ... and drops them on the bus's word, not when they age out (GEN_MAX_AGE_MS, 1 s)
		await sleep(150);
		assert.deepEqual(await bio(), [403, 403, 403, 403]);
	} finally {
		await A.patch(`/permissions/${perm.id}`, { fields: perm.fields });
	}
	await sleep(150);
	assert.deepEqual(await bio(), [200, 200, 200, 200]);
});
