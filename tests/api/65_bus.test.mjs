// Two pools on one database and one Redis (tests/stack up --second-pool) behave as one: a schema
// change made behind the API and announced through one pool (POST /utils/cache/clear?system) is
// used by every worker of the other within a second, and so is Directus's own schemaChanged
// message on its bus channel. Needs the stack's Redis; skipped without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV, ROOT, call } from './lib/env.mjs';
import { sql } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const skip = ENV.REDIS ? false : 'the stack has no Redis (tests/stack up --redis)';
let second;

before(() => {
	if (skip) return;
	const out = execFileSync(`${ROOT}/tests/stack`, ['up', '--second-pool'], {
		encoding: 'utf8',
		env: { ...process.env, STACK_DIR: ENV.STACK_DIR },
	});
	second = out.match(/^BASE_URL=(\S+)$/m)[1];
});

const read = (base, field, headers = admin) =>
	fetch(`${base}/items/tags?fields=${field}&limit=1&sort=id`, { headers }).then((r) => r.status);

/** Polls until every worker of the pool at base answers status (4 tries per poll: any worker). */
async function within(ms, base, field, status) {
	const end = Date.now() + ms;
	for (;;) {
		const got = await Promise.all([1, 2, 3, 4].map(() => read(base, field)));
		if (got.every((s) => s === status)) return;
		if (Date.now() > end) assert.fail(`${base}: ${field} answered ${got} after ${ms} ms, want ${status}`);
		await sleep(50);
	}
}

const column = (name) => `busprobe_${name}_${process.pid}`;
function addColumn(name) {
	sql(`ALTER TABLE tags ADD COLUMN ${column(name)} VARCHAR(20)`);
}
function dropColumn(name) {
	sql(`ALTER TABLE tags DROP COLUMN ${column(name)}`);
}

test('only admins clear the caches', { skip }, async () => {
	for (const headers of [{}, { authorization: 'Bearer editor-static-token' }]) {
		const r = await call('POST', '/utils/cache/clear?system', { headers });
		assert.equal(r.status, 403);
		assert.equal(r.json.errors[0].extensions.code, 'FORBIDDEN');
	}
	const r = await call('POST', '/utils/cache/clear', { headers: admin });
	assert.equal(r.status, 200);
	assert.equal(r.text, '');
});

test('a schema change announced through one pool reaches the other', { skip }, async () => {
	const field = column('a');
	await within(1000, second, 'id', 200); // both pools have loaded their schema
	addColumn('a');
	try {
		// Nothing told the pools yet: the schema each worker holds does not have the column.
		assert.equal(await read(second, field), 403);
		// Without ?system only the response cache is cleared: the schema stays.
		assert.equal((await call('POST', '/utils/cache/clear', { headers: admin })).status, 200);
		await sleep(300);
		assert.equal(await read(second, field), 403);
		assert.equal((await call('POST', '/utils/cache/clear?system', { headers: admin })).status, 200);
		await within(1000, ENV.BASE_URL, field, 200);
		await within(1000, second, field, 200);
	} finally {
		dropColumn('a');
		await call('POST', '/utils/cache/clear?system', { headers: admin });
	}
	await within(1000, second, field, 403);
});

test("Directus's own schemaChanged message is heard too", { skip }, async () => {
	// The previous test's announcement may still be on its way to a worker of the second pool,
	// which then loads a column added meanwhile by itself: take a new column until one is seen
	// unknown there first.
	let name, field;
	for (let tries = 0; ; tries++) {
		name = `b${tries}`;
		field = column(name);
		addColumn(name);
		if ((await read(second, field)) === 403) break;
		dropColumn(name);
		assert.ok(tries < 4, 'the second pool kept reloading its schema by itself');
		await sleep(300);
	}
	try {
		const [host, port] = [ENV.REDIS_HOST || '127.0.0.1', ENV.REDIS_PORT];
		// What a Directus instance on the same Redis publishes after clearSystemCache().
		execFileSync('redis-cli', ['-h', host, '-p', String(port), 'PUBLISH', 'directus:bus:schemaChanged', '{}']);
		await within(1000, second, field, 200);
		await within(1000, ENV.BASE_URL, field, 200);
	} finally {
		dropColumn(name);
		await call('POST', '/utils/cache/clear?system', { headers: admin });
	}
});

/** A Redis subscriber speaking RESP over a plain socket: the messages of channel, as parsed JSON. */
async function subscribe(channel) {
	const net = await import('node:net');
	const sock = net.connect(Number(ENV.REDIS_PORT), ENV.REDIS_HOST || '127.0.0.1');
	const messages = [];
	let buf = Buffer.alloc(0);
	sock.on('data', (d) => {
		buf = Buffer.concat([buf, d]);
		// Pushes are arrays of bulk strings: *3 $7 message $n channel $n payload.
		for (;;) {
			const m = /^\*3\r\n\$7\r\nmessage\r\n\$(\d+)\r\n/.exec(buf.toString('latin1'));
			if (!m) {
				const sub = /^\*3\r\n\$9\r\nsubscribe\r\n\$\d+\r\n[^\r]*\r\n:\d+\r\n/.exec(buf.toString('latin1'));
				if (sub) { buf = buf.subarray(sub[0].length); continue; }
				return;
			}
			let at = m[0].length + Number(m[1]) + 2;
			const len = /^\$(\d+)\r\n/.exec(buf.subarray(at).toString('latin1'));
			if (!len) return;
			at += len[0].length;
			const end = at + Number(len[1]);
			if (buf.length < end + 2) return;
			messages.push(JSON.parse(buf.subarray(at, end).toString('utf8')));
			buf = buf.subarray(end + 2);
		}
	});
	sock.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
	await sleep(100);
	return { messages, close: () => sock.destroy() };
}

test('item changes are published on the bus as Directus publishes websocket.event', { skip }, async () => {
	const sub = await subscribe('directus:bus:websocket.event');
	let aid, cid, ids = [];
	try {
		const created = await call('POST', '/items/tags', { headers: admin, body: [{ name: 'bus-a' }, { name: 'bus-b' }] });
		assert.equal(created.status, 200);
		ids = created.json.data.map((t) => t.id);
		assert.equal((await call('PATCH', `/items/tags/${ids[0]}`, { headers: admin, body: { name: 'bus-a2' } })).status, 200);
		// A nested write announces its nested collection too.
		const art = await call('POST', '/items/articles?fields=id,category', {
			headers: admin,
			body: { title: 'bus article', category: { title: 'bus category' } },
		});
		assert.equal(art.status, 200);
		({ id: aid, category: cid } = art.json.data);
		assert.equal((await call('DELETE', '/items/tags', { headers: admin, body: ids })).status, 204);
		// A failed write announces nothing.
		assert.equal((await call('POST', '/items/tags', { headers: admin, body: { name: 'news' } })).status, 400);
		await sleep(200);
		assert.deepEqual(sub.messages, [
			{ collection: 'tags', action: 'create', keys: ids, payload: {} },
			// The URL's key stays a string, as Directus's updateOne(req.params.pk) publishes it.
			{ collection: 'tags', action: 'update', keys: [String(ids[0])], payload: {} },
			{ collection: 'categories', action: 'create', keys: [cid], payload: {} },
			{ collection: 'articles', action: 'create', keys: [aid], payload: {} },
			{ collection: 'tags', action: 'delete', keys: ids, payload: {} },
		]);
	} finally {
		sub.close();
		if (aid) await call('DELETE', `/items/articles/${aid}`, { headers: admin });
		if (cid) await call('DELETE', `/items/categories/${cid}`, { headers: admin });
		if (ids.length) await call('DELETE', '/items/tags', { headers: admin, body: ids });
	}
});
