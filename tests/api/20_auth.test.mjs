// Authentication through the real stack: login in the three modes, refresh rotation and logout,
// session cookies, static tokens, access tokens made the way Directus's jsonwebtoken makes them
// (and Celer's checked the same way), expired / forged / truncated tokens, Directus's validation
// messages, timing of failed logins, two-factor codes, suspended users, IP allow-lists, and the
// password reset mailed to a real SMTP server on loopback and finished with the mailed link.
//
// The first part talks to the stack through nginx. The second part starts a private pool on the
// same database (FastCGI, like 15_pool) with settings the stack does not have: short token
// lifetimes, cookie options, an SMTP transport pointing at tests/api/lib/smtp.mjs.
// Every change to fixture users is undone at the end, so the suite can run twice in a row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, call, CELER_BIN } from './lib/env.mjs';
import { request as fcgiRequest } from './lib/fcgi.mjs';
import { sql, one, q } from './lib/db.mjs';
import { startSmtp, parseMail, firstLink } from './lib/smtp.mjs';

const SECRET = ENV.SECRET;
const USERS = {
	admin: ['admin@example.com', 'admin-password'],
	editor: ['editor@example.com', 'editor-password'],
	author: ['author@example.com', 'author-password'],
	author2: ['author2@example.com', 'author2-password'],
};
const EDITOR_ID = 'c0000000-0000-4000-8000-00000000e001';
const EDITOR_ROLE = 'a0000000-0000-4000-8000-00000000e001';
const AUTHOR_ID = 'c0000000-0000-4000-8000-00000000a001';
const AUTHOR2_ID = 'c0000000-0000-4000-8000-00000000a002';

// Every secret this file sends or receives; none may show up in a log.
const secrets = new Set(Object.values(USERS).map(([, p]) => p));
const remember = (t) => (t && secrets.add(t), t);

// ------------------------------------------------------------------ JWTs as jsonwebtoken makes them

const b64url = (x) => Buffer.from(x).toString('base64url');
function signJwt(claims, { secret = SECRET, ttl = 900, iat = Math.floor(Date.now() / 1000), alg = 'HS256', header } = {}) {
	const h = header ?? { alg, typ: 'JWT' };
	const payload = { ...claims, iat, exp: iat + ttl, iss: 'directus' };
	const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(payload))}`;
	const mac = createHmac(alg === 'HS512' ? 'sha512' : alg === 'HS384' ? 'sha384' : 'sha256', secret).update(input).digest('base64url');
	return `${input}.${mac}`;
}
const decode = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) over a base32 secret, as otplib's authenticator.
function totp(base32, now = Date.now()) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = '';
	for (const c of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
	const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(Math.floor(now / 30000)));
	const mac = createHmac('sha1', key).update(msg).digest();
	const off = mac[mac.length - 1] & 15;
	return String((mac.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}

// ------------------------------------------------------------------ helpers

const json = (body, headers = {}) => ({ body, headers });
async function login(who, mode, extra = {}) {
	const [email, password] = USERS[who];
	const r = await call('POST', '/auth/login', json({ email, password, ...(mode ? { mode } : {}), ...extra }));
	assert.equal(r.status, 200, `login ${who}: ${r.text}`);
	remember(r.json.data.access_token);
	remember(r.json.data.refresh_token);
	for (const c of r.headers.getSetCookie()) remember(c.split(';')[0].split('=')[1]);
	return r;
}
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const cookieValue = (setCookie, name) => {
	const c = setCookie.find((s) => s.startsWith(name + '='));
	return c ? c.slice(name.length + 1).split(';')[0] : undefined;
};
function assertError(r, status, code, message) {
	assert.equal(r.status, status, r.text);
	assert.equal(r.json.errors[0].extensions.code, code, r.text);
	if (message) assert.equal(r.json.errors[0].message, message);
}
/** Whether the caller is signed in, as /server/info tells (the user block has `version`). */
async function whoami(headers) {
	const r = await call('GET', '/server/info', { headers });
	return { status: r.status, signedIn: r.json?.data?.version !== undefined, r };
}
/** A request written byte for byte on a socket (for header bytes fetch and node:http refuse);
 * resolves to the raw response text. */
function wire(method, path, headerLines, body = '') {
	const { hostname, port } = new URL(ENV.BASE_URL);
	return new Promise((resolve, reject) => {
		const s = net.connect(Number(port), hostname);
		let out = '';
		s.on('data', (d) => (out += d.toString('latin1')));
		s.on('end', () => resolve(out));
		s.on('error', reject);
		s.write(Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n${headerLines.map((l) => l + '\r\n').join('')}\r\n${body}`, 'latin1'));
	});
}
const isAdmin = async (headers) => (await call('GET', '/server/health', { headers })).json?.checks !== undefined;

// Fixture state this file changes, saved first and put back at the end.
let saved;
before(() => {
	saved = sql(`SELECT id, password, status, tfa_secret, role, provider, token FROM directus_users WHERE email IN ('author@example.com', 'author2@example.com')`);
});
after(() => {
	for (const [id, password, status, tfa, role, provider, token] of saved) {
		const v = (x) => (x === null ? 'NULL' : `'${x}'`);
		sql(`UPDATE directus_users SET password = ${v(password)}, status = ${v(status)}, tfa_secret = ${v(tfa)}, role = ${v(role)}, provider = ${v(provider)}, token = ${v(token)} WHERE id = '${id}'`);
	}
	sql(`DELETE FROM directus_settings WHERE id = 1`);
	sql(`DELETE FROM directus_access WHERE id = 'd0000000-0000-4000-8000-0000000000a1'`);
	sql(`UPDATE directus_policies SET ip_access = NULL WHERE ip_access = '10.20.0.0/16'`);
});

// ------------------------------------------------------------------ login

test('json login: Directus body, claims and token layout', async () => {
	const r = await login('editor', 'json');
	assert.deepEqual(Object.keys(r.json.data), ['expires', 'refresh_token', 'access_token']);
	assert.equal(r.json.data.expires, 900000);
	assert.match(r.json.data.refresh_token, /^[A-Za-z0-9_-]{64}$/);
	assert.equal(r.headers.get('cache-control'), 'no-cache');
	const t = r.json.data.access_token;
	const [h] = t.split('.');
	assert.equal(h, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
	const p = decode(t);
	assert.deepEqual(Object.keys(p), ['id', 'role', 'app_access', 'admin_access', 'iat', 'exp', 'iss']);
	assert.deepEqual({ ...p, iat: 0, exp: p.exp - p.iat }, { id: EDITOR_ID, role: EDITOR_ROLE, app_access: true, admin_access: false, iat: 0, exp: 900, iss: 'directus' });
	// Byte for byte what jsonwebtoken signs for these claims at that iat.
	const { iat, exp, iss, ...claims } = p;
	assert.equal(signJwt(claims, { iat, ttl: exp - iat }), t);
	assert.equal((await whoami(bearer(t))).signedIn, true);
	assert.equal(await isAdmin(bearer(t)), false);
});

test('access tokens signed like Directus signs them are accepted, the flags are not trusted', async () => {
	const t = remember(signJwt({ id: EDITOR_ID, role: EDITOR_ROLE, app_access: true, admin_access: true }));
	assert.equal((await whoami(bearer(t))).signedIn, true);
	assert.equal(await isAdmin(bearer(t)), false, 'admin_access comes from policies, not from the token');
	const admin = (await login('admin')).json.data.access_token;
	assert.equal(await isAdmin(bearer(admin)), true);
	// HS512 with the same secret verifies too (jsonwebtoken allows HS256/384/512 for a secret).
	assert.equal((await whoami(bearer(signJwt({ id: EDITOR_ID, role: EDITOR_ROLE, app_access: 1, admin_access: 0 }, { alg: 'HS512' })))).signedIn, true);
});

test('wrong password and unknown email: same 401 after the same stall', async () => {
	const t0 = Date.now();
	const wrong = await call('POST', '/auth/login', json({ email: 'editor@example.com', password: 'wrong-password' }));
	const t1 = Date.now();
	const unknown = await call('POST', '/auth/login', json({ email: 'nobody@example.com', password: 'whatever' }));
	const t2 = Date.now();
	assertError(wrong, 401, 'INVALID_CREDENTIALS', 'Invalid user credentials.');
	assert.equal(unknown.text, wrong.text);
	assert.ok(t1 - t0 >= 480 && t2 - t1 >= 480, `both stall to LOGIN_STALL_TIME: ${t1 - t0} ms, ${t2 - t1} ms`);
	assert.ok(Math.abs(t1 - t0 - (t2 - t1)) < 300, `similar times: ${t1 - t0} ms vs ${t2 - t1} ms`);
	assert.equal(wrong.headers.get('cache-control'), null, 'errors carry no Cache-Control');
});

test('login body validation answers with Joi messages', async () => {
	const cases = [
		[{}, '"email" is required'],
		[{ email: 'editor@example.com' }, '"password" is required'],
		[{ email: '', password: 'x' }, '"email" is not allowed to be empty'],
		[{ email: 5, password: 'x' }, '"email" must be a string'],
		[{ email: null, password: 'x' }, '"email" must be a string'],
		[{ email: 'x', password: 'x' }, '"email" must be a valid email'],
		[{ email: 'a@b.c', password: 'x' }, '"email" must be a valid email'],
		[{ email: 'a@example.test', password: 'x' }, '"email" must be a valid email'],
		[{ email: 'a@exa\u0000mple.com', password: 'x' }, '"email" must be a valid email'],
		[{ email: "x'; DROP TABLE directus_users; --@example.com", password: 'x' }, '"email" must be a valid email'],
		[{ email: 'a@example.com', password: '' }, '"password" is not allowed to be empty'],
		[{ email: 'a@example.com', password: 5 }, '"password" must be a string'],
		[{ email: 'a@example.com', password: 'x', mode: 'foo' }, '"mode" must be one of [cookie, json, session]'],
		[{ email: 'a@example.com', password: 'x', mode: null }, '"mode" must be one of [cookie, json, session]'],
		[{ email: 'a@example.com', password: 'x', otp: 5 }, '"otp" must be a string'],
		[{ email: 'a@example.com', password: 'x', otp: '' }, '"otp" is not allowed to be empty'],
		[[], '"value" must be of type object'],
	];
	const results = await Promise.all(cases.map(([body]) => call('POST', '/auth/login', json(body))));
	results.forEach((r, i) => {
		assertError(r, 400, 'INVALID_PAYLOAD', `Invalid payload. ${cases[i][1]}.`);
		assert.equal(r.json.errors[0].extensions.reason, cases[i][1]);
	});
	// Unicode and SQL that are valid addresses are simply unknown users.
	for (const email of ['ä@bücher.de', 'user@例え.jp', "o'brien@example.com", "x'or'1'='1@example.com"])
		assertError(await call('POST', '/auth/login', json({ email, password: 'x' })), 401, 'INVALID_CREDENTIALS');
	// Case does not matter for the email.
	const r = await call('POST', '/auth/login', json({ email: 'EDITOR@Example.COM', password: 'editor-password' }));
	assert.equal(r.status, 200);
	remember(r.json.data.access_token);
	remember(r.json.data.refresh_token);
	// Malformed JSON, a JSON string, a 1 MB password (inside MAX_PAYLOAD_SIZE) and a larger body.
	const bad = await call('POST', '/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
	assertError(bad, 400, 'INVALID_PAYLOAD');
	assert.match(bad.json.errors[0].message, /^Invalid payload\. .*JSON/);
	const big = 'p'.repeat(1000000);
	assertError(await call('POST', '/auth/login', json({ email: 'editor@example.com', password: big })), 401, 'INVALID_CREDENTIALS');
	assertError(await call('POST', '/auth/login', json({ email: 'editor@example.com', password: big + big })), 400, 'INVALID_PAYLOAD');
});

test('cookie login sets the refresh cookie; refresh and logout read it', async () => {
	const r = await login('author', 'cookie');
	assert.deepEqual(Object.keys(r.json.data), ['expires', 'access_token']);
	const [set] = r.headers.getSetCookie();
	assert.match(set, /^directus_refresh_token=[A-Za-z0-9_-]{64}; Max-Age=604800; Path=\/; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly; SameSite=Lax$/);
	const rt = cookieValue([set], 'directus_refresh_token');
	const cookie = { cookie: `directus_refresh_token=${rt}` };
	const refreshed = await call('POST', '/auth/refresh', { headers: cookie });
	assert.equal(refreshed.status, 200, refreshed.text);
	assert.deepEqual(Object.keys(refreshed.json.data), ['expires', 'access_token']);
	const rt2 = remember(cookieValue(refreshed.headers.getSetCookie(), 'directus_refresh_token'));
	remember(refreshed.json.data.access_token);
	assert.notEqual(rt2, rt);
	assertError(await call('POST', '/auth/refresh', { headers: cookie }), 401, 'INVALID_CREDENTIALS');
	const out = await call('POST', '/auth/logout', { headers: { cookie: `directus_refresh_token=${rt2}` } });
	assert.equal(out.status, 204);
	assert.equal(out.text, '');
	// express 4.20's clearCookie with maxAge among the options: an empty cookie, not an expired one.
	assert.match(out.headers.getSetCookie()[0], /^directus_refresh_token=; Max-Age=604800; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/);
	assertError(await call('POST', '/auth/refresh', { headers: { cookie: `directus_refresh_token=${rt2}` } }), 401, 'INVALID_CREDENTIALS');
});

test('json refresh rotates the token; a logged-out refresh token never works again', async () => {
	const r = await login('author', 'json');
	const rt1 = r.json.data.refresh_token;
	const r2 = await call('POST', '/auth/refresh', json({ refresh_token: rt1 }));
	assert.equal(r2.status, 200, r2.text);
	assert.deepEqual(Object.keys(r2.json.data), ['expires', 'refresh_token', 'access_token']);
	const rt2 = remember(r2.json.data.refresh_token);
	remember(r2.json.data.access_token);
	assert.notEqual(rt2, rt1);
	assertError(await call('POST', '/auth/refresh', json({ refresh_token: rt1 })), 401, 'INVALID_CREDENTIALS');
	assert.equal((await call('POST', '/auth/logout', json({ refresh_token: rt2 }))).status, 204);
	assertError(await call('POST', '/auth/refresh', json({ refresh_token: rt2 })), 401, 'INVALID_CREDENTIALS');
	assert.equal((await call('POST', '/auth/logout', json({ refresh_token: rt2 }))).status, 204, 'an unknown token is no error');
	const missing = 'Invalid payload. The refresh token is required in either the payload or cookie.';
	assertError(await call('POST', '/auth/refresh', json({})), 400, 'INVALID_PAYLOAD', missing);
	assertError(await call('POST', '/auth/logout', json({ mode: 'json' })), 400, 'INVALID_PAYLOAD', missing);
	assertError(await call('POST', '/auth/refresh', json({ refresh_token: 12 })), 401, 'INVALID_CREDENTIALS');
	// The session row records the client.
	const rt3 = (await login('author', 'json', {})).json.data.refresh_token;
	const row = sql(`SELECT ${q('user')}, ip, user_agent FROM directus_sessions WHERE token = '${rt3}'`)[0];
	assert.equal(row[0], AUTHOR_ID);
	assert.ok(row[1], 'ip recorded');
	assert.ok(one(`SELECT last_access FROM directus_users WHERE id = '${AUTHOR_ID}'`), 'last_access set');
});

test('session mode: the cookie is a JWT naming its session, refreshed with a grace period', async () => {
	const r = await login('author', 'session');
	assert.deepEqual(r.json.data, { expires: 86400000 });
	const set = r.headers.getSetCookie()[0];
	assert.match(set, /^directus_session_token=eyJ[\w-]+\.[\w-]+\.[\w-]+; Max-Age=86400; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/);
	const jwt1 = cookieValue([set], 'directus_session_token');
	const claims = decode(jwt1);
	assert.deepEqual(Object.keys(claims), ['id', 'role', 'app_access', 'admin_access', 'session', 'iat', 'exp', 'iss']);
	assert.equal(claims.exp - claims.iat, 86400);
	remember(claims.session);
	const jar = (jwt) => ({ cookie: `other=1; directus_session_token=${jwt}` });
	assert.equal((await whoami(jar(jwt1))).signedIn, true);
	// Refresh: a new row, the old one kept for the grace period and pointing at it.
	const r2 = await call('POST', '/auth/refresh', { body: { mode: 'session' }, headers: jar(jwt1) });
	assert.equal(r2.status, 200, r2.text);
	const jwt2 = remember(cookieValue(r2.headers.getSetCookie(), 'directus_session_token'));
	const s2 = remember(decode(jwt2).session);
	assert.notEqual(s2, claims.session);
	assert.equal(one(`SELECT next_token FROM directus_sessions WHERE token = '${claims.session}'`), s2);
	// A second refresh with the old cookie inside the grace period gets the same next session.
	const r3 = await call('POST', '/auth/refresh', { body: { mode: 'session' }, headers: jar(jwt1) });
	assert.equal(decode(remember(cookieValue(r3.headers.getSetCookie(), 'directus_session_token'))).session, s2);
	assert.equal((await whoami(jar(jwt2))).signedIn, true);
	// Logout ends the session: the cookie's JWT stops working at once and is cleared.
	const out = await call('POST', '/auth/logout', { body: { mode: 'session' }, headers: jar(jwt2) });
	assert.equal(out.status, 204);
	assert.match(out.headers.getSetCookie()[0], /^directus_session_token=; Max-Age=86400;/);
	const after = await whoami(jar(jwt2));
	assertError(after.r, 401, 'INVALID_CREDENTIALS');
	assert.match(after.r.headers.getSetCookie()[0] ?? '', /^directus_session_token=;/, 'a dead session cookie is cleared');
});

// ------------------------------------------------------------------ tokens on requests

test('static tokens, ?access_token and the session cookie; no token is the public', async () => {
	assert.equal(await isAdmin(bearer('admin-static-token')), true);
	assert.equal(await isAdmin({}), false);
	assert.equal((await call('GET', '/server/health?access_token=admin-static-token')).json.checks !== undefined, true);
	assert.equal((await whoami({ cookie: 'directus_session_token=editor-static-token' })).signedIn, true);
	assert.equal((await whoami({})).signedIn, false);
	assert.equal((await whoami({ authorization: 'Bearer ' })).signedIn, false, 'an empty bearer is the public');
	assert.equal((await whoami({ authorization: 'Basic abc' })).signedIn, false, 'other schemes are ignored');
	assert.equal((await whoami({ authorization: 'Bearer a b' })).signedIn, false, 'three parts are ignored');
	assertError(await call('GET', '/server/info?access_token=x', { headers: bearer('y') }), 400, 'INVALID_PAYLOAD',
		'Invalid payload. The request uses more than one method for including an access token.');
	// The bearer wins over the session cookie.
	assert.equal(await isAdmin({ ...bearer('admin-static-token'), cookie: 'directus_session_token=editor-static-token' }), true);
	assertError(await call('GET', '/server/info', { headers: bearer('not-a-real-token') }), 401, 'INVALID_CREDENTIALS', 'Invalid user credentials.');
	assertError(await call('GET', '/items/articles?limit=1', { headers: bearer('not-a-real-token') }), 401, 'INVALID_CREDENTIALS');
	// Before authentication: ping and robots.txt do not look at tokens.
	assert.equal((await call('GET', '/server/ping', { headers: bearer('nope') })).status, 200);
});

test('expired, forged, truncated and foreign tokens', async () => {
	const claims = { id: EDITOR_ID, role: EDITOR_ROLE, app_access: true, admin_access: false };
	const expired = signJwt(claims, { iat: Math.floor(Date.now() / 1000) - 1000, ttl: 900 });
	assertError(await call('GET', '/server/info', { headers: bearer(expired) }), 401, 'TOKEN_EXPIRED', 'Token expired.');
	const good = remember(signJwt(claims));
	const forged = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.at(-1);
	assertError(await call('GET', '/server/info', { headers: bearer(forged) }), 403, 'INVALID_TOKEN', 'Invalid token.');
	assertError(await call('GET', '/server/info', { headers: bearer(signJwt(claims, { secret: 'another secret' })) }), 403, 'INVALID_TOKEN');
	const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify({ ...claims, admin_access: true, iss: 'directus' }))}.`;
	assertError(await call('GET', '/server/info', { headers: bearer(none) }), 403, 'INVALID_TOKEN');
	assertError(await call('GET', '/server/info', { headers: bearer(signJwt({ id: EDITOR_ID })) }), 403, 'INVALID_TOKEN', 'Invalid token.');
	// Another issuer is no Directus JWT: tried as a static token.
	const other = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"iss":"other"}')}.x`;
	assertError(await call('GET', '/server/info', { headers: bearer(other) }), 401, 'INVALID_CREDENTIALS');
	for (let cut = 1; cut < good.length; cut += 37)
		assert.ok([401, 403].includes((await call('GET', '/server/info', { headers: bearer(good.slice(0, -cut)) })).status));
	// A garbage session cookie: 401, and the cookie is cleared. Garbage Cookie headers are ignored.
	const g = await call('GET', '/server/info', { headers: { cookie: 'directus_session_token=%zz' } });
	assertError(g, 401, 'INVALID_CREDENTIALS');
	assert.match(g.headers.getSetCookie()[0], /^directus_session_token=; Max-Age=86400; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/);
	for (const cookie of [';;=;x;', '\u0001\u0002=\u0003', 'directus_session_token', 'a=' + 'b'.repeat(4000), '\u00ff\u00fe=%ff%'])
		assert.match(await wire('GET', '/server/info', [`Cookie: ${cookie}`]), /^HTTP\/1\.1 200 /);
	// Header bytes above 0x7f are latin1 characters to Node: an unknown token, a usable user agent.
	assert.match(await wire('GET', '/server/info', ['Authorization: Bearer \u00ff\u00fe']), /^HTTP\/1\.1 401 /);
	const body = JSON.stringify({ email: USERS.editor[0], password: USERS.editor[1] });
	const raw = await wire('POST', '/auth/login', ['User-Agent: agent \u00ff', 'Origin: http://\u00e9.example', 'Content-Type: application/json', `Content-Length: ${body.length}`], body);
	assert.match(raw, /^HTTP\/1\.1 200 /);
	const rt = remember(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).data.refresh_token);
	remember(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).data.access_token);
	assert.equal(one(`SELECT user_agent FROM directus_sessions WHERE token = '${rt}'`), 'agent \u00ff');
	// A token expired while cached in a worker is refused as expired all the same.
	const soon = signJwt(claims, { ttl: 1 });
	assert.equal((await whoami(bearer(soon))).signedIn, true);
	await sleep(1100);
	assertError((await whoami(bearer(soon))).r, 401, 'TOKEN_EXPIRED');
});

test('two-factor: otp required once tfa_secret is set', async () => {
	const secret = 'JBSWY3DPEHPK3PXP';
	sql(`UPDATE directus_users SET tfa_secret = '${secret}' WHERE id = '${AUTHOR_ID}'`);
	try {
		const [email, password] = USERS.author;
		assertError(await call('POST', '/auth/login', json({ email, password })), 401, 'INVALID_OTP', 'Invalid user OTP.');
		assertError(await call('POST', '/auth/login', json({ email, password, otp: '000000' === totp(secret) ? '111111' : '000000' })), 401, 'INVALID_OTP');
		assertError(await call('POST', '/auth/login', json({ email, password: 'wrong', otp: totp(secret) })), 401, 'INVALID_CREDENTIALS');
		const ok = await call('POST', '/auth/login', json({ email, password, otp: totp(secret) }));
		if (ok.status === 401) {
			// The 30-second step may have turned between computing and checking: once more.
			const again = await call('POST', '/auth/login', json({ email, password, otp: totp(secret) }));
			assert.equal(again.status, 200, again.text);
		} else assert.equal(ok.status, 200, ok.text);
	} finally {
		sql(`UPDATE directus_users SET tfa_secret = NULL WHERE id = '${AUTHOR_ID}'`);
	}
});

test('inactive and suspended users', async () => {
	const rt = (await login('author2', 'json')).json.data.refresh_token;
	sql(`UPDATE directus_users SET status = 'suspended' WHERE id = '${AUTHOR2_ID}'`);
	try {
		assertError(await call('POST', '/auth/login', json({ email: USERS.author2[0], password: USERS.author2[1] })), 401, 'INVALID_CREDENTIALS');
		assertError(await call('POST', '/auth/refresh', json({ refresh_token: rt })), 401, 'USER_SUSPENDED', 'User suspended.');
		// The refresh deleted the session: the second try finds nothing.
		assertError(await call('POST', '/auth/refresh', json({ refresh_token: rt })), 401, 'INVALID_CREDENTIALS');
		sql(`UPDATE directus_users SET status = 'active', token = 'author2-static-token' WHERE id = '${AUTHOR2_ID}'`);
		assert.equal((await whoami(bearer('author2-static-token'))).signedIn, true);
		sql(`UPDATE directus_users SET status = 'draft' WHERE id = '${AUTHOR2_ID}'`);
		assertError(await call('GET', '/server/info', { headers: bearer('author2-static-token') }), 401, 'INVALID_CREDENTIALS');
	} finally {
		sql(`UPDATE directus_users SET status = 'active', token = NULL WHERE id = '${AUTHOR2_ID}'`);
	}
});

test('failed logins count for the whole pool: the attempt past auth_login_attempts suspends', async () => {
	// A good login (under the default limit) clears what earlier tests left on the counter.
	assert.equal((await login('author2', 'json')).status, 200);
	// The fixture has no settings row (Directus then applies the column default, 25).
	const hadRow = Number(one('SELECT COUNT(*) FROM directus_settings')) > 0;
	const before = hadRow ? one('SELECT auth_login_attempts FROM directus_settings') : null;
	sql(hadRow ? 'UPDATE directus_settings SET auth_login_attempts = 3' : 'INSERT INTO directus_settings (id, auth_login_attempts) VALUES (1, 3)');
	const wrong = () => call('POST', '/auth/login', json({ email: USERS.author2[0], password: 'wrong password' }));
	try {
		// Four separate requests, whichever workers take them: the fourth is over the limit.
		for (let i = 0; i < 3; i++) assertError(await wrong(), 401, 'INVALID_CREDENTIALS');
		assert.equal(one(`SELECT status FROM directus_users WHERE id = '${AUTHOR2_ID}'`), 'active');
		assertError(await wrong(), 401, 'INVALID_CREDENTIALS');
		assert.equal(one(`SELECT status FROM directus_users WHERE id = '${AUTHOR2_ID}'`), 'suspended');
		// Re-activated, the user starts from a clean count, and a good login resets it.
		sql(`UPDATE directus_users SET status = 'active' WHERE id = '${AUTHOR2_ID}'`);
		for (let i = 0; i < 2; i++) assertError(await wrong(), 401, 'INVALID_CREDENTIALS');
		assert.equal((await login('author2', 'json')).status, 200);
		for (let i = 0; i < 3; i++) assertError(await wrong(), 401, 'INVALID_CREDENTIALS');
		assert.equal(one(`SELECT status FROM directus_users WHERE id = '${AUTHOR2_ID}'`), 'active');
	} finally {
		sql(hadRow ? `UPDATE directus_settings SET auth_login_attempts = ${before ?? 'NULL'}` : 'DELETE FROM directus_settings');
		sql(`UPDATE directus_users SET status = 'active' WHERE id = '${AUTHOR2_ID}'`);
	}
});

test('admin and app access come from policies: user-attached, role-less, IP allow-lists', async () => {
	const adminPolicy = one(`SELECT id FROM directus_policies WHERE admin_access = ${ENV.DB_CLIENT === 'pg' ? 'true' : '1'}`);
	sql(`UPDATE directus_users SET role = NULL, token = 'author2-static-token' WHERE id = '${AUTHOR2_ID}'`);
	try {
		assert.equal(await isAdmin(bearer('author2-static-token')), false);
		sql(`INSERT INTO directus_access (id, role, ${q('user')}, policy) VALUES ('d0000000-0000-4000-8000-0000000000a1', NULL, '${AUTHOR2_ID}', '${adminPolicy}')`);
		assert.equal(await isAdmin(bearer('author2-static-token')), true, 'a policy attached to the user counts');
		const t = (await login('author2')).json.data.access_token;
		assert.deepEqual([decode(t).role, decode(t).admin_access, decode(t).app_access], [null, true, true]);
		sql(`UPDATE directus_policies SET ip_access = '10.20.0.0/16' WHERE id = '${adminPolicy}'`);
		assert.equal(await isAdmin(bearer('author2-static-token')), false, 'outside the allow-list');
		assert.equal(await isAdmin({ ...bearer('author2-static-token'), 'x-forwarded-for': '10.20.3.4' }), true, 'X-Forwarded-For is trusted (IP_TRUST_PROXY)');
		assert.equal(await isAdmin({ ...bearer('admin-static-token'), 'x-forwarded-for': '10.20.3.4, 1.2.3.4' }), true);
		assert.equal(await isAdmin(bearer('admin-static-token')), false);
	} finally {
		sql(`UPDATE directus_policies SET ip_access = NULL WHERE id = '${adminPolicy}'`);
		sql(`DELETE FROM directus_access WHERE id = 'd0000000-0000-4000-8000-0000000000a1'`);
		sql(`UPDATE directus_users SET role = 'a0000000-0000-4000-8000-00000000a001', token = NULL WHERE id = '${AUTHOR2_ID}'`);
	}
});

test('/server/info and /server/health for signed-in users and admins', async () => {
	const info = await call('GET', '/server/info', { headers: bearer('editor-static-token') });
	assert.deepEqual(Object.keys(info.json.data), ['project', 'rateLimit', 'rateLimitGlobal', 'extensions', 'queryLimit', 'websocket', 'version']);
	const health = await call('GET', '/server/health', { headers: bearer('admin-static-token') });
	assert.equal(health.status, 200, health.text);
	const checks = health.json.checks;
	const db = { sqlite3: 'sqlite3', pg: 'pg', mysql: 'mysql' }[ENV.DB_CLIENT];
	assert.deepEqual(Object.keys(checks), [`${db}:responseTime`, `${db}:connectionsAvailable`, `${db}:connectionsUsed`, 'storage:local:responseTime', 'email:connection']);
	assert.deepEqual(Object.keys(checks['storage:local:responseTime'][0]), ['status', 'componentType', 'observedValue', 'observedUnit', 'threshold']);
	assert.equal(checks['storage:local:responseTime'][0].status, 'ok');
	assert.equal(checks['storage:local:responseTime'][0].threshold, 750);
	assert.deepEqual(checks['email:connection'], [{ status: 'ok', componentType: 'email' }]);
	assert.deepEqual((await call('GET', '/server/health', { headers: bearer('editor-static-token') })).json, { status: 'ok' });
});

test('GET /auth lists no SSO providers', async () => {
	const r = await call('GET', '/auth');
	assert.equal(r.text, '{"data":[],"disableDefault":false}');
});

// ------------------------------------------------------------------ a private pool: SMTP, short lifetimes, cookie options

let pool, poolDir, sock, smtp;
const poolLog = () => (pool ? pool.stderrText : '');

async function startPool(extra) {
	poolDir = mkdtempSync(join(tmpdir(), 'celer-auth-'));
	sock = join(poolDir, 'celer.sock');
	const base = readFileSync(ENV.CONFIG_PATH, 'utf8')
		.split('\n')
		.filter((l) => !/^(FCGI_LISTEN|PID_FILE|WORKERS|LOG_LEVEL)=/.test(l))
		.join('\n');
	const lines = Object.entries({ FCGI_LISTEN: `unix:${sock}`, WORKERS: '2', LOG_LEVEL: 'debug', ...extra }).map(([k, v]) => `${k}=${v}`);
	writeFileSync(join(poolDir, 'pool.env'), `${base}\n${lines.join('\n')}\n`);
	const env = { PATH: process.env.PATH, CONFIG_PATH: join(poolDir, 'pool.env') };
	for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
	const child = spawn(CELER_BIN, [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	child.stderrText = '';
	child.stderr.on('data', (d) => (child.stderrText += d));
	child.exited = new Promise((resolve) => child.on('exit', resolve));
	for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(25);
	assert.ok(existsSync(sock), child.stderrText);
	return child;
}

/** A request to the private pool; body objects are sent as JSON. */
async function pcall(method, path, { body, headers = {} } = {}) {
	const h = { ...headers };
	let raw = '';
	if (body !== undefined) {
		raw = JSON.stringify(body);
		h['content-type'] = 'application/json';
	}
	const r = await fcgiRequest(sock, method, path, { headers: h, body: raw });
	let parsed;
	try {
		parsed = JSON.parse(r.body);
	} catch {}
	return { ...r, json: parsed, text: r.body };
}

before(async () => {
	smtp = await startSmtp();
	pool = await startPool({
		EMAIL_TRANSPORT: 'smtp',
		EMAIL_SMTP_HOST: '127.0.0.1',
		EMAIL_SMTP_PORT: smtp.port,
		EMAIL_SMTP_IGNORE_TLS: 'true',
		EMAIL_SMTP_USER: 'mailer',
		EMAIL_SMTP_PASSWORD: 'smtp-secret-password',
		EMAIL_FROM: 'auth-tests@example.com',
		PUBLIC_URL: 'http://celer.test:8055',
		PASSWORD_RESET_URL_ALLOW_LIST: 'https://app.example.com/reset',
		ACCESS_TOKEN_TTL: '2s',
		REFRESH_TOKEN_COOKIE_SECURE: 'true',
		REFRESH_TOKEN_COOKIE_SAME_SITE: 'strict',
		REFRESH_TOKEN_COOKIE_DOMAIN: 'example.com',
		SESSION_COOKIE_NAME: 'celer_session',
		LOGIN_STALL_TIME: '50',
		IP_TRUST_PROXY: 'false',
	});
	secrets.add('smtp-secret-password');
});

after(async () => {
	if (pool && pool.exitCode === null) pool.kill('SIGTERM');
	if (pool) await pool.exited;
	if (smtp) await smtp.close();
	if (poolDir) rmSync(poolDir, { recursive: true, force: true });
});

test('password reset: the mailed link resets the password, once', async () => {
	const [email, original] = USERS.author2;
	const before = smtp.messages.length;
	const r = await pcall('POST', '/auth/password/request', { body: { email: 'Author2@Example.com' } });
	assert.equal(r.status, 204, r.text);
	const mail = await smtp.waitFor((m, i) => smtp.messages.indexOf(m) >= before && m.to.includes(email));
	assert.equal(mail.from, 'auth-tests@example.com');
	assert.deepEqual(mail.auth, { user: 'mailer', pass: 'smtp-secret-password' });
	const { headers, body } = parseMail(mail.data);
	assert.equal(headers.subject, 'Password Reset Request');
	assert.match(headers.from, /<auth-tests@example\.com>$/);
	const link = new URL(firstLink(body));
	assert.equal(`${link.origin}${link.pathname}`, 'http://celer.test:8055/admin/reset-password');
	const token = remember(link.searchParams.get('token'));
	const p = decode(token);
	assert.deepEqual(Object.keys(p), ['email', 'scope', 'hash', 'iat', 'exp', 'iss']);
	assert.equal(p.scope, 'password-reset');
	assert.equal(p.exp - p.iat, 86400);

	const weak = await pcall('POST', '/auth/password/reset', { body: { token, password: 'Temp-Passw0rd!' } });
	assert.equal(weak.status, 204, weak.text);
	assertError(await call('POST', '/auth/login', json({ email, password: original })), 401, 'INVALID_CREDENTIALS');
	const ok = await call('POST', '/auth/login', json({ email, password: 'Temp-Passw0rd!' }));
	assert.equal(ok.status, 200, 'the new password works through the stack too');
	remember(ok.json.data.access_token);
	remember(ok.json.data.refresh_token);
	secrets.add('Temp-Passw0rd!');
	// The password changed, so the hash in the link is stale.
	assertError(await pcall('POST', '/auth/password/reset', { body: { token, password: 'x' } }), 403, 'FORBIDDEN');
	// Back to the fixture's password, through a second mail.
	await pcall('POST', '/auth/password/request', { body: { email } });
	const mail2 = await smtp.waitFor((m) => m !== mail && m.to.includes(email) && m.data.includes('reset-password'));
	const t2 = new URL(firstLink(parseMail(mail2.data).body)).searchParams.get('token');
	assert.equal((await pcall('POST', '/auth/password/reset', { body: { token: remember(t2), password: original } })).status, 204);
	assert.equal((await call('POST', '/auth/login', json({ email, password: original }))).status, 200);
});

test('password reset: allow-list, unknown users, bad tokens, the password policy', async () => {
	const email = USERS.author2[0];
	const mark = smtp.messages.length;
	assert.equal((await pcall('POST', '/auth/password/request', { body: { email, reset_url: 'https://app.example.com/reset?x=1' } })).status, 204);
	const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= mark && m.to.includes(email));
	const link = new URL(firstLink(parseMail(mail.data).body));
	assert.equal(link.href.replace(/token=[^&#]+/, 'token=T'), 'https://app.example.com/reset?x=1&token=T');
	const token = remember(link.searchParams.get('token'));
	const refused = await pcall('POST', '/auth/password/request', { body: { email, reset_url: 'https://evil.example.com/reset' } });
	assertError(refused, 400, 'INVALID_PAYLOAD', `Invalid payload. URL "https://evil.example.com/reset" can't be used to reset passwords.`);
	// Unknown users: the same 204 after the same 500 ms, no mail, and the URL is not even checked.
	const t0 = Date.now();
	const unknown = await pcall('POST', '/auth/password/request', { body: { email: 'nobody@example.com', reset_url: 'https://evil.example.com' } });
	assert.equal(unknown.status, 204);
	assert.ok(Date.now() - t0 >= 480);
	assertError(await pcall('POST', '/auth/password/request', { body: {} }), 400, 'INVALID_PAYLOAD', 'Invalid payload. "email" field is required.');
	assertError(await pcall('POST', '/auth/password/reset', { body: { password: 'x' } }), 400, 'INVALID_PAYLOAD', 'Invalid payload. "token" field is required.');
	assertError(await pcall('POST', '/auth/password/reset', { body: { token } }), 400, 'INVALID_PAYLOAD', 'Invalid payload. "password" field is required.');
	// jsonwebtoken's errors are 500s; only admins read the reason.
	const bad = await pcall('POST', '/auth/password/reset', { body: { token: 'x', password: 'y' } });
	assertError(bad, 500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
	assertError(await pcall('POST', '/auth/password/reset', { body: { token: 'x', password: 'y' }, headers: bearer('admin-static-token') }), 500, 'INTERNAL_SERVER_ERROR', 'jwt malformed');
	assertError(await pcall('POST', '/auth/password/reset', { body: { token: token.slice(0, -1), password: 'y' }, headers: bearer('admin-static-token') }), 500, 'INTERNAL_SERVER_ERROR', 'invalid signature');
	// A token of another scope is forbidden.
	const access = remember(signJwt({ id: AUTHOR2_ID, role: null, app_access: false, admin_access: false }));
	assertError(await pcall('POST', '/auth/password/reset', { body: { token: access, password: 'y' } }), 403, 'FORBIDDEN');
	// The password policy (Directus's "strong" preset) applies; the error echoes the value as Directus does.
	sql(`INSERT INTO directus_settings (id, auth_password_policy) VALUES (1, '/(?=^.{8,}$)(?=.*\\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*()_+}{'';''?>.<,])(?!.*\\s).*$/')`);
	try {
		const weak = await pcall('POST', '/auth/password/reset', { body: { token, password: 'weak' } });
		assertError(weak, 400, 'FAILED_VALIDATION', `Validation failed for field "password". Value doesn't have the correct format.`);
		assert.deepEqual(weak.json.errors[0].extensions, { field: 'password', type: 'regex', invalid: 'weak', code: 'FAILED_VALIDATION' });
	} finally {
		sql(`DELETE FROM directus_settings WHERE id = 1`);
	}
});

test('cookie options, token lifetime and the session cookie name come from the settings', async () => {
	const [email, password] = USERS.editor;
	const r = await pcall('POST', '/auth/login', { body: { email, password, mode: 'cookie' } });
	assert.equal(r.status, 200, r.text);
	remember(r.json.data.access_token);
	assert.equal(r.json.data.expires, 2000);
	assert.match(r.cookies[0], /^directus_refresh_token=[\w-]{64}; Max-Age=604800; Domain=example\.com; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Strict$/);
	remember(cookieValue(r.cookies, 'directus_refresh_token'));
	const claims = decode(r.json.data.access_token);
	assert.equal(claims.exp - claims.iat, 2);
	const s = await pcall('POST', '/auth/login', { body: { email, password, mode: 'session' } });
	assert.match(s.cookies[0], /^celer_session=eyJ/);
	const jwt = remember(cookieValue(s.cookies, 'celer_session'));
	remember(decode(jwt).session);
	assert.equal((await pcall('GET', '/server/info', { headers: { cookie: `celer_session=${jwt}` } })).json.data.version, '11.3.5');
	// Two seconds later the access token is expired.
	await sleep(2100);
	assertError(await pcall('GET', '/server/info', { headers: bearer(r.json.data.access_token) }), 401, 'TOKEN_EXPIRED');
	// IP_TRUST_PROXY=false: X-Forwarded-For is not the client.
	const session = sql(`SELECT ip FROM directus_sessions WHERE token = '${decode(jwt).session}'`)[0][0];
	assert.equal(session, '127.0.0.1');
});

test('health reports the mail server, and an error when it is gone', async () => {
	const ok = await pcall('GET', '/server/health', { headers: bearer('admin-static-token') });
	assert.deepEqual(ok.json.checks['email:connection'], [{ status: 'ok', componentType: 'email' }]);
	assert.ok(smtp.commands.some((c) => /^AUTH PLAIN/i.test(c) || /^AUTH LOGIN/i.test(c)), 'verify logs in');
	await smtp.close();
	const down = await pcall('GET', '/server/health', { headers: bearer('admin-static-token') });
	assert.equal(down.status, 503);
	assert.equal(down.json.status, 'error');
	assert.equal(down.json.checks['email:connection'][0].status, 'error');
	assert.deepEqual((await pcall('GET', '/server/health')).json, { status: 'error' });
	smtp = null;
});

test('nothing logged holds a password or a token', async () => {
	const logs = [poolLog()];
	for (const f of ['pool.log', 'nginx-error.log']) {
		const p = join(ENV.STACK_LOGS || '', f);
		if (ENV.STACK_LOGS && existsSync(p)) logs.push(readFileSync(p, 'utf8'));
	}
	assert.ok(logs[0].length > 0, 'the private pool logged at debug level');
	for (const s of secrets) {
		if (!s || s.length < 8) continue;
		for (const log of logs) assert.ok(!log.includes(s), `a log line holds a secret (${s.slice(0, 6)}…)`);
	}
	// Static tokens too.
	for (const log of logs) assert.ok(!log.includes('admin-static-token') && !log.includes('editor-static-token'));
});
