// The serving stack through nginx: /server routes, Directus's headers, envelopes and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { ENV, call, rawCall } from './lib/env.mjs';

const CSP =
	"script-src 'self' 'unsafe-eval';worker-src 'self' blob:;child-src 'self' blob:;img-src 'self' data: blob: https://raw.githubusercontent.com https://avatars.githubusercontent.com;media-src 'self';connect-src 'self' https://* wss://*;default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'";

function etag(text) {
	const b = Buffer.from(text);
	return `W/"${b.length.toString(16)}-${createHash('sha1').update(b).digest('base64').slice(0, 27)}"`;
}

test('GET /server/ping answers pong with Directus headers and no cache headers', async () => {
	const r = await call('GET', '/server/ping');
	assert.equal(r.status, 200);
	assert.equal(r.text, 'pong');
	assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
	assert.equal(r.headers.get('x-powered-by'), 'Directus');
	assert.equal(r.headers.get('content-security-policy'), CSP);
	assert.equal(r.headers.get('etag'), etag('pong'));
	assert.equal(r.headers.get('cache-control'), null);
	assert.equal(r.headers.get('server'), null, 'nginx must not advertise itself');
});

test('a matching If-None-Match gets 304 without a body; HEAD gets headers only', async () => {
	const r = await rawCall('GET', '/server/ping', { 'if-none-match': etag('pong') });
	assert.equal(r.status, 304);
	assert.equal(r.text, '');
	assert.equal(r.headers.etag, etag('pong'));
	// `Cache-Control: no-cache` from the client means "not fresh" (what fetch() itself sends).
	const fresh = await rawCall('GET', '/server/ping', { 'if-none-match': etag('pong'), 'cache-control': 'no-cache' });
	assert.equal(fresh.status, 200);
	const h = await call('HEAD', '/server/info');
	assert.equal(h.status, 200);
	assert.equal(h.text, '');
	assert.equal(h.headers.get('content-type'), 'application/json; charset=utf-8');
});

test('GET /server/info gives the project block of directus_settings to the public', async () => {
	const r = await call('GET', '/server/info');
	assert.equal(r.status, 200);
	assert.equal(r.headers.get('cache-control'), 'no-cache');
	assert.equal(r.headers.get('vary'), 'Origin, Cache-Control');
	assert.equal(r.json.data.project.project_name, 'Directus');
	assert.equal(r.json.data.project.public_registration, false);
	assert.equal(r.json.data.version, undefined, 'the version is for signed-in users only');
	assert.equal(r.headers.get('etag'), etag(r.text));
});

test('GET /server/health reports ok as application/health+json', async () => {
	const r = await call('GET', '/server/health');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json, { status: 'ok' });
	assert.equal(r.headers.get('content-type'), 'application/health+json; charset=utf-8');
	assert.equal(r.headers.get('cache-control'), 'no-cache');
});

test('unknown routes and unrouted methods are 404 ROUTE_NOT_FOUND without cache headers', async () => {
	for (const [method, path] of [
		['GET', '/nope'],
		['PUT', '/server/info'],
		['GET', '/server/info/extra'],
	]) {
		const r = await call(method, path + '?fields=a');
		assert.equal(r.status, 404, `${method} ${path}`);
		assert.deepEqual(r.json, {
			errors: [{ message: `Route ${path} doesn't exist.`, extensions: { path, code: 'ROUTE_NOT_FOUND' } }],
		});
		assert.equal(r.headers.get('cache-control'), null);
		assert.equal(r.headers.get('x-powered-by'), 'Directus');
	}
});

test('malformed JSON bodies are 400 INVALID_PAYLOAD with the JSON.parse message, on any route', async () => {
	const cases = [
		['{"name": ', 'Unexpected end of JSON input'],
		['"just a string"', null], // body-parser's strict mode: objects and arrays only
	];
	for (const [raw, reason] of cases) {
		const r = await call('POST', '/nope', { raw, headers: { 'content-type': 'application/json' } });
		assert.equal(r.status, 400, raw);
		assert.equal(r.json.errors[0].extensions.code, 'INVALID_PAYLOAD');
		if (reason) assert.equal(r.json.errors[0].extensions.reason, reason);
		assert.equal(r.json.errors[0].message, `Invalid payload. ${r.json.errors[0].extensions.reason}.`);
	}
	// Not JSON by content type: ignored, routing goes on.
	const r = await call('POST', '/nope', { raw: '{', headers: { 'content-type': 'text/plain' } });
	assert.equal(r.status, 404);
});

test('a body over MAX_PAYLOAD_SIZE is 400 INVALID_PAYLOAD "request entity too large"', async () => {
	const limit = Number(ENV.MAX_PAYLOAD_SIZE_BYTES || 1048576);
	for (const size of [limit + 1, limit * 3]) {
		const raw = '{"a":"' + 'x'.repeat(size) + '"}';
		const r = await call('POST', '/server/info', { raw, headers: { 'content-type': 'application/json' } });
		assert.equal(r.status, 400, `size ${size}`);
		assert.deepEqual(r.json.errors[0].extensions, { reason: 'request entity too large', code: 'INVALID_PAYLOAD' });
	}
});

test('a JSON body nested 10,000 deep is refused with an envelope and the worker survives', async () => {
	const raw = '['.repeat(10000) + ']'.repeat(10000);
	const r = await call('POST', '/server/info', { raw, headers: { 'content-type': 'application/json' } });
	assert.equal(r.status, 400);
	assert.equal(r.json.errors[0].extensions.code, 'INVALID_PAYLOAD');
	assert.equal((await call('GET', '/server/ping')).status, 200);
});

test('hostile query strings: 10,000 parameters, unbalanced brackets, NUL and invalid UTF-8', async () => {
	const many = Array.from({ length: 10000 }, (_, i) => `p${i}=${i}`).join('&');
	for (const q of [many, 'filter[a[b]=1&fields]]]=x', 'a=%00%ff%fe&b=%', 'filter' + '[a]'.repeat(500) + '=1']) {
		const r = await call('GET', '/server/info?' + q);
		assert.ok([200, 400, 414].includes(r.status), `status ${r.status}`);
		assert.ok(r.json?.data || r.json?.errors, 'a Directus envelope');
	}
	assert.equal((await call('GET', '/server/ping')).status, 200);
});

test('GET / redirects to ROOT_REDIRECT and robots.txt disallows all', async () => {
	const r = await call('GET', '/');
	assert.equal(r.status, 302);
	assert.equal(r.headers.get('location'), './admin');
	assert.equal(r.text, 'Found. Redirecting to ./admin');
	const robots = await call('GET', '/robots.txt');
	assert.equal(robots.text, 'User-agent: *\nDisallow: /');
});

test('the TLS server block serves the same API', { skip: !ENV.TLS_URL && 'no TLS_URL' }, async () => {
	const body = await new Promise((resolve, reject) => {
		https
			.get(ENV.TLS_URL + '/server/ping', { rejectUnauthorized: false }, (res) => {
				let data = '';
				res.on('data', (d) => (data += d));
				res.on('end', () => resolve({ status: res.statusCode, data }));
			})
			.on('error', reject);
	});
	assert.deepEqual(body, { status: 200, data: 'pong' });
});

test('no access token reaches any log of the stack (nginx access log included)', { skip: !ENV.STACK_DIR && 'no STACK_DIR' }, async () => {
	const token = `celer-log-probe-${Date.now()}`;
	await call('GET', `/server/info?access_token=${token}&x=1`);
	await call('GET', '/server/info', { headers: { authorization: `Bearer ${token}` } });
	await new Promise((r) => setTimeout(r, 1500)); // nginx flushes its access log every second
	const grep = spawnSync('grep', ['-rl', token, ENV.STACK_DIR], { encoding: 'utf8' });
	assert.equal(grep.stdout.trim(), '', `token found in: ${grep.stdout}`);
});
