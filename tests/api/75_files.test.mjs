// Uploads and assets as Directus 11.3.5 answers them (answers pinned from a real Directus on the
// shared fixture): multipart POST /files (fields before each file apply to it), the stored
// bytes under STORAGE_LOCAL_ROOT, GET /assets through nginx's X-Accel-Redirect (bytes, headers,
// Range, 403s), PATCH of the item and of the content, DELETE of rows and stored files, busboy's
// refusals, FILES_MAX_UPLOAD_SIZE and the response cache in private pools. Every test removes
// what it created, so the suite can run twice in a row.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ENV, call } from './lib/env.mjs';
import { startStackPool, stopStackPools } from './lib/pool.mjs';
import { sql } from './lib/db.mjs';

const admin = { authorization: 'Bearer admin-static-token' };
const editor = { authorization: 'Bearer editor-static-token' };
const CONFIG = readFileSync(ENV.CONFIG_PATH, 'utf8');
const ROOT = /^STORAGE_LOCAL_ROOT=(.*)$/m.exec(CONFIG)[1];
const created = [];

/** A PNG of w × h red pixels (a real one: sharp reads the same header). */
function png(w, h) {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, Buffer.from([255, 0, 0]))]);
	const raw = Buffer.concat(Array.from({ length: h }, () => row));
	return Buffer.concat([
		Buffer.from('89504e470d0a1a0a', 'hex'),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

const TEXT = Buffer.from('hello world\n');
const RED = png(3, 2);

/** A multipart body from [name, value] fields and [name, {filename, type, data}] files. */
function multipart(parts, boundary = 'celer75boundary') {
	const out = [];
	for (const [name, v] of parts) {
		if (typeof v === 'string') {
			out.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
		} else {
			const type = v.type ? `Content-Type: ${v.type}\r\n` : '';
			out.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\n${type}\r\n`));
			out.push(v.data, Buffer.from('\r\n'));
		}
	}
	out.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(out), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(path, parts, headers = admin, method = 'POST') {
	const m = multipart(parts);
	const r = await call(method, path, { headers: { ...headers, 'content-type': m.type }, raw: m.body });
	const d = r.json?.data;
	for (const f of Array.isArray(d) ? d : d ? [d] : []) if (f.id && !created.includes(f.id)) created.push(f.id);
	return r;
}

async function bytes(path, headers = admin) {
	const res = await fetch(ENV.BASE_URL + path, { headers });
	return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const stored = (name) => existsSync(join(ROOT, name));
const storedOf = (id) => readdirSync(ROOT).filter((n) => n.startsWith(id));

after(async () => {
	for (const id of created) await call('DELETE', `/files/${id}`, { headers: admin });
});

test('multipart upload: fields before each file apply to it; Directus defaults; stored bytes', async () => {
	const me = (await call('GET', '/users/me?fields=id', { headers: admin })).json.data.id;
	const r = await upload('/files', [
		['title', 'Hello'],
		['file', { filename: 'f_hello.txt', type: 'text/plain', data: TEXT }],
		['file', { filename: 'my-red_image.v2.PNG', type: 'image/png', data: RED }],
	]);
	assert.equal(r.status, 200, r.text);
	const [a, b] = [...r.json.data].sort((x, y) => (x.type < y.type ? 1 : -1));
	assert.equal(a.title, 'Hello');
	assert.equal(a.filename_download, 'f_hello.txt');
	assert.equal(a.filename_disk, `${a.id}.txt`);
	assert.equal(a.type, 'text/plain');
	assert.equal(a.storage, 'local');
	assert.equal(Number(a.filesize), TEXT.length);
	assert.equal(a.uploaded_by, me);
	assert.equal(a.modified_by, null);
	assert.equal(a.width, null);
	assert.equal(a.metadata, null);
	assert.ok(a.uploaded_on && a.created_on && a.modified_on);
	// The title field came before the first file only: the second gets formatTitle of its name.
	assert.equal(b.title, 'My Red Image.v2');
	assert.equal(b.filename_disk, `${b.id}.PNG`);
	assert.deepEqual([b.width, b.height, b.metadata], [3, 2, {}]);
	assert.deepEqual(readFileSync(join(ROOT, a.filename_disk)), TEXT);
	assert.deepEqual(readFileSync(join(ROOT, b.filename_disk)), RED);
	// GET /files sees them (system.c's read).
	const list = await call('GET', `/files?filter[id][_in]=${a.id},${b.id}&fields=id`, { headers: admin });
	assert.equal(list.json.data.length, 2);
});

test('one file answers an object; the type names the extension when the name has none', async () => {
	const r = await upload('/files?fields=id,title,filename_disk,type', [
		['file', { filename: 'noext', type: 'text/x-nothing', data: TEXT }],
	]);
	assert.equal(r.status, 200, r.text);
	const id = r.json.data.id;
	assert.deepEqual(r.json.data, { id, title: 'Noext', filename_disk: `${id}.false`, type: 'text/x-nothing' });
	const s = await upload('/files?fields=id,filename_disk,type', [['file', { filename: 'readme', data: TEXT }]]);
	assert.deepEqual(s.json.data, { id: s.json.data.id, filename_disk: `${s.json.data.id}.txt`, type: 'text/plain' });
});

// Made by sharp 0.33.5 (Directus's image library): 5 × 3 pixels with EXIF tags, and one with
// EXIF orientation 6 (Directus then swaps width and height).
const EXIF_JPG = Buffer.from('/9j/4QEsRXhpZgAASUkqAAgAAAAIAA8BAgAIAAAAhgAAABABAgAHAAAAfgAAABIBAwABAAAAAQAAABoBBQABAAAAbgAAABsBBQABAAAAdgAAACgBAwABAAAAAgAAABMCAwABAAAAAQAAAGmHBAABAAAAjgAAAAAAAAA4YwAA6AMAADhjAADoAwAARU9TIDVEAABDYW5vbiAgAAoAmoIFAAEAAAAUAQAAnYIFAAEAAAAcAQAAJ4gDAAEAAACQAQAAAJAHAAQAAAAwMjEwAZEHAAQAAAABAgMACpIFAAEAAAAMAQAAAKAHAAQAAAAwMTAwAaADAAEAAAD//wAAAqAEAAEAAAAFAAAAA6AEAAEAAAADAAAAAAAAADIAAAABAAAAAQAAAMgAAAAcAAAACgAAAP/bAEMABgQFBgUEBgYFBgcHBggKEAoKCQkKFA4PDBAXFBgYFxQWFhodJR8aGyMcFhYgLCAjJicpKikZHy0wLSgwJSgpKP/bAEMBBwcHCggKEwoKEygaFhooKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKP/AABEIAAMABQMBIgACEQEDEQH/xAAVAAEBAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAGB//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJAASRP/2Q==', 'base64');
const ORIENT_JPG = Buffer.from('/9j/4QC8RXhpZgAASUkqAAgAAAAGABIBAwABAAAABgAAABoBBQABAAAAVgAAABsBBQABAAAAXgAAACgBAwABAAAAAgAAABMCAwABAAAAAQAAAGmHBAABAAAAZgAAAAAAAAA4YwAA6AMAADhjAADoAwAABgAAkAcABAAAADAyMTABkQcABAAAAAECAwAAoAcABAAAADAxMDABoAMAAQAAAP//AAACoAQAAQAAAAUAAAADoAQAAQAAAAMAAAAAAAAA/+IB8ElDQ19QUk9GSUxFAAEBAAAB4GxjbXMEIAAAbW50clJHQiBYWVogB+IAAwAUAAkADgAdYWNzcE1TRlQAAAAAc2F3c2N0cmwAAAAAAAAAAAAAAAAAAPbWAAEAAAAA0y1oYW5keem/Vlo+AbaDI4VVRvdPqgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKZGVzYwAAAPwAAAAkY3BydAAAASAAAAAid3RwdAAAAUQAAAAUY2hhZAAAAVgAAAAsclhZWgAAAYQAAAAUZ1hZWgAAAZgAAAAUYlhZWgAAAawAAAAUclRSQwAAAcAAAAAgZ1RSQwAAAcAAAAAgYlRSQwAAAcAAAAAgbWx1YwAAAAAAAAABAAAADGVuVVMAAAAIAAAAHABzAFIARwBCbWx1YwAAAAAAAAABAAAADGVuVVMAAAAGAAAAHABDAEMAMAAAWFlaIAAAAAAAAPbWAAEAAAAA0y1zZjMyAAAAAAABDD8AAAXd///zJgAAB5AAAP2S///7of///aIAAAPcAADAcVhZWiAAAAAAAABvoAAAOPIAAAOPWFlaIAAAAAAAAGKWAAC3iQAAGNpYWVogAAAAAAAAJKAAAA+FAAC2xHBhcmEAAAAAAAMAAAACZmkAAPKnAAANWQAAE9AAAApb/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAlKCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo/8AAEQgAAwAFAwEiAAIRAQMRAf/EABUAAQEAAAAAAAAAAAAAAAAAAAAD/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/EABUBAQEAAAAAAAAAAAAAAAAAAAYH/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AkABJE//Z', 'base64');
const EXIF_WEBP = Buffer.from('UklGRn4BAABXRUJQVlA4WAoAAAAIAAAABAAAAgAAVlA4IC4AAAAQAgCdASoFAAMAAUAmJaACdLoB+AH4AAPIAP7Lt//TRRhTH3Jv/u82AMJf8IAARVhJRioBAABFeGlmAABJSSoACAAAAAgADwECAAgAAACGAAAAEAECAAcAAAB+AAAAEgEDAAEAAAABAAAAGgEFAAEAAABuAAAAGwEFAAEAAAB2AAAAKAEDAAEAAAACAAAAEwIDAAEAAAABAAAAaYcEAAEAAACOAAAAAAAAADhjAADoAwAAOGMAAOgDAABFT1MgNUQAAENhbm9uICAACgCaggUAAQAAABQBAACdggUAAQAAABwBAAAniAMAAQAAAJABAAAAkAcABAAAADAyMTABkQcABAAAAAECAwAKkgUAAQAAAAwBAAAAoAcABAAAADAxMDABoAMAAQAAAP//AAACoAQAAQAAAAUAAAADoAQAAQAAAAMAAAAAAAAAMgAAAAEAAAABAAAAyAAAABwAAAAKAAAA', 'base64');

test('images: dimensions and the EXIF metadata Directus keeps (FILE_METADATA_ALLOW_LIST)', async () => {
	const r = await upload('/files?fields=id,filename_download,width,height,metadata', [
		['file', { filename: 'exif.jpg', type: 'image/jpeg', data: EXIF_JPG }],
		['file', { filename: 'orient.jpg', type: 'image/jpeg', data: ORIENT_JPG }],
		['file', { filename: 'exif.webp', type: 'image/webp', data: EXIF_WEBP }],
		// The type decides whether Directus looks: a PNG sent as octet-stream gets nothing.
		['file', { filename: 'red.bin', type: 'application/octet-stream', data: RED }],
	]);
	assert.equal(r.status, 200, r.text);
	const by = Object.fromEntries(r.json.data.map((f) => [f.filename_download, f]));
	const exif = { ifd0: { Make: 'Canon', Model: 'EOS 5D' }, exif: { FNumber: 2.8, ExposureTime: 0.005, FocalLength: 50, ISOSpeedRatings: 400 } };
	assert.deepEqual([by['exif.jpg'].width, by['exif.jpg'].height, by['exif.jpg'].metadata], [5, 3, exif]);
	assert.deepEqual([by['orient.jpg'].width, by['orient.jpg'].height, by['orient.jpg'].metadata], [3, 5, {}]);
	assert.deepEqual([by['exif.webp'].width, by['exif.webp'].height, by['exif.webp'].metadata], [5, 3, exif]);
	assert.deepEqual([by['red.bin'].width, by['red.bin'].height, by['red.bin'].metadata], [null, null, null]);
});

test('GET /assets: the bytes through nginx with Directus headers; download; Range', async () => {
	const r = await upload('/files', [['file', { filename: 'f_red.png', type: 'image/png', data: RED }]]);
	const f = r.json.data;
	const a = await bytes(`/assets/${f.id}`);
	assert.equal(a.status, 200);
	assert.deepEqual(a.body, RED);
	assert.equal(a.headers.get('content-type'), 'image/png');
	assert.equal(a.headers.get('content-disposition'), 'inline; filename="f_red.png"');
	assert.equal(a.headers.get('cache-control'), 'private, max-age=2592000');
	assert.equal(a.headers.get('vary'), 'Origin, Cache-Control');
	assert.equal(a.headers.get('content-security-policy'), "default-src 'none'");
	assert.equal(a.headers.get('x-powered-by'), 'Directus');
	assert.equal(a.headers.get('accept-ranges'), 'bytes');
	assert.equal(a.headers.get('last-modified'), new Date(f.modified_on).toUTCString());
	assert.equal(a.headers.get('etag'), null);
	assert.equal(a.headers.get('x-accel-redirect'), null);
	const d = await bytes(`/assets/${f.id}?download`);
	assert.equal(d.headers.get('content-disposition'), 'attachment; filename="f_red.png"');
	const named = await bytes(`/assets/${f.id}/other%20name.png`);
	assert.equal(named.headers.get('content-disposition'), 'inline; filename="other name.png"');
	assert.deepEqual(named.body, RED);

	const part = await bytes(`/assets/${f.id}`, { ...admin, range: 'bytes=0-4' });
	assert.equal(part.status, 206);
	assert.equal(part.headers.get('content-range'), `bytes 0-4/${RED.length}`);
	assert.equal(part.headers.get('accept-ranges'), 'bytes');
	assert.deepEqual(part.body, RED.subarray(0, 5));
	const tail = await bytes(`/assets/${f.id}`, { ...admin, range: 'bytes=-5' });
	assert.deepEqual(tail.body, RED.subarray(RED.length - 5));
	const bad = await call('GET', `/assets/${f.id}`, { headers: { ...admin, range: 'bytes=100-200' } });
	assert.equal(bad.status, 416);
	assert.deepEqual(bad.json, {
		errors: [{ message: `Range "100-200" is invalid or the file's size doesn't match the requested range.`, extensions: { range: { start: 100, end: 200 }, code: 'RANGE_NOT_SATISFIABLE' } }],
	});
	const zero = await call('GET', `/assets/${f.id}`, { headers: { ...admin, range: 'bytes=0-0' } });
	assert.equal(zero.status, 416);
	// A Range Directus's /bytes=(\d*)-(\d*)/ does not match is ignored: the whole file.
	const junk = await bytes(`/assets/${f.id}`, { ...admin, range: 'bytes=abc' });
	assert.equal(junk.status, 200);
	assert.deepEqual(junk.body, RED);
	// HEAD: the whole length with a 200, even for a range (with the range's Content-Range).
	const head = await fetch(`${ENV.BASE_URL}/assets/${f.id}`, { method: 'HEAD', headers: { ...admin, range: 'bytes=0-4' } });
	assert.equal(head.status, 200);
	assert.equal(head.headers.get('content-length'), String(RED.length));
	assert.equal(head.headers.get('content-range'), `bytes 0-4/${RED.length}`);
	assert.equal(head.headers.get('content-type'), 'image/png');
});

test('GET /assets refuses callers who cannot read the file, bad ids and missing files', async () => {
	const r = await upload('/files', [['file', { filename: 'secret.txt', type: 'text/plain', data: TEXT }]]);
	const id = r.json.data.id;
	const pub = await call('GET', `/assets/${id}`);
	assert.equal(pub.status, 403);
	const reason = `You don't have permission to access collection "directus_files" or it does not exist. Queried in root.`;
	assert.deepEqual(pub.json, { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] });
	assert.equal(pub.headers.get('content-security-policy'), "default-src 'none'");
	assert.equal((await call('GET', `/assets/${id}`, { headers: editor })).status, 403);
	const generic = { errors: [{ message: "You don't have permission to access this.", extensions: { code: 'FORBIDDEN' } }] };
	assert.deepEqual((await call('GET', '/assets/nope', { headers: admin })).json, generic);
	assert.deepEqual((await call('GET', '/assets/00000000-0000-4000-8000-000000000000', { headers: admin })).json, generic);
	// The row stays but the stored file went away: 403 as well.
	rmSync(join(ROOT, r.json.data.filename_disk));
	assert.deepEqual((await call('GET', `/assets/${id}`, { headers: admin })).json, generic);
});

test('a role with a row rule on directus_files: uploads, reads its assets, not the others', async () => {
	const policy = 'b0000000-0000-4000-8000-00000000e001'; // the fixture's Editor policy
	const rule = JSON.stringify({ title: { _eq: 'Editor may read' } });
	sql(`INSERT INTO directus_permissions (collection, action, permissions, fields, policy) VALUES ('directus_files', 'read', '${rule}', '*', '${policy}'), ('directus_files', 'create', NULL, '*', '${policy}')`);
	try {
		const mine = await upload('/files?fields=id,title,uploaded_by', [['title', 'Editor may read'], ['file', { filename: 'e.txt', type: 'text/plain', data: TEXT }]], editor);
		assert.equal(mine.status, 200, mine.text);
		assert.equal(mine.json.data.uploaded_by, 'c0000000-0000-4000-8000-00000000e001');
		const a = await bytes(`/assets/${mine.json.data.id}`, editor);
		assert.equal(a.status, 200);
		assert.deepEqual(a.body, TEXT);
		// Written, but the read-back is not allowed: 204, as Directus answers.
		const hidden = await upload('/files', [['title', 'Hidden'], ['file', { filename: 'h.txt', type: 'text/plain', data: TEXT }]], editor);
		assert.equal(hidden.status, 204);
		const id = sql(`SELECT id FROM directus_files WHERE title = 'Hidden'`)[0][0];
		created.push(id);
		const reason = `You don't have permission to perform "read" for collection "directus_files" or it does not exist.`;
		assert.deepEqual((await call('GET', `/assets/${id}`, { headers: editor })).json, { errors: [{ message: reason, extensions: { reason, code: 'FORBIDDEN' } }] });
		// No delete permission: refused, and the stored file stays.
		const del = await call('DELETE', `/files/${mine.json.data.id}`, { headers: editor });
		assert.equal(del.status, 403);
		assert.deepEqual(storedOf(mine.json.data.id), [`${mine.json.data.id}.txt`]);
	} finally {
		sql(`DELETE FROM directus_permissions WHERE collection = 'directus_files' AND policy = '${policy}'`);
	}
});

test('GET /assets checks transformations as Directus does; it cannot carry them out', async () => {
	const r = await upload('/files', [['file', { filename: 'f_red.png', type: 'image/png', data: RED }]]);
	const id = r.json.data.id;
	const invalidQuery = (reason) => ({ errors: [{ message: `Invalid query. ${reason}.`, extensions: { reason, code: 'INVALID_QUERY' } }] });
	assert.deepEqual((await call('GET', `/assets/${id}?key=nope`, { headers: admin })).json, invalidQuery('Key "nope" isn\'t configured'));
	assert.deepEqual(
		(await call('GET', `/assets/${id}?transforms=x`, { headers: admin })).json,
		invalidQuery('"transforms" Parameter needs to be a JSON array of allowed transformations'),
	);
	assert.deepEqual(
		(await call('GET', `/assets/${id}?transforms=${encodeURIComponent('[["foo"]]')}`, { headers: admin })).json,
		invalidQuery('"transforms" Parameter does not allow "foo" as a transformation'),
	);
	const resize = await call('GET', `/assets/${id}?width=10`, { headers: admin });
	assert.equal(resize.status, 503);
	assert.equal(resize.json.errors[0].extensions.code, 'SERVICE_UNAVAILABLE');
	// A file that is not an image is served as it is.
	const t = await upload('/files', [['file', { filename: 'a.txt', type: 'text/plain', data: TEXT }]]);
	const plain = await bytes(`/assets/${t.json.data.id}?width=10`);
	assert.equal(plain.status, 200);
	assert.deepEqual(plain.body, TEXT);
});

test('PATCH: item metadata, then the content replaced (old file gone, new bytes served)', async () => {
	const r = await upload('/files', [['file', { filename: 'f_hello.txt', type: 'text/plain', data: TEXT }]]);
	const f = r.json.data;
	const m = await call('PATCH', `/files/${f.id}?fields=title,filename_disk`, { headers: admin, body: { title: 'New title' } });
	assert.deepEqual(m.json, { data: { title: 'New title', filename_disk: `${f.id}.txt` } });
	const p = await upload(`/files/${f.id}?fields=id,title,filename_disk,filename_download,type,width,height,metadata`, [
		['file', { filename: 'f_red.png', type: 'image/png', data: RED }],
	], admin, 'PATCH');
	assert.equal(p.status, 200, p.text);
	assert.deepEqual(p.json.data, {
		id: f.id, title: 'New title', filename_disk: `${f.id}.png`, filename_download: 'f_red.png', type: 'image/png', width: 3, height: 2, metadata: {},
	});
	assert.deepEqual(storedOf(f.id), [`${f.id}.png`]);
	assert.deepEqual((await bytes(`/assets/${f.id}`)).body, RED);
	const acts = sql(`SELECT action FROM directus_activity WHERE item = '${f.id}' ORDER BY id`).map((x) => x[0]);
	assert.deepEqual(acts, ['create', 'update', 'update', 'update']);
});

test('PATCH /files batch and DELETE /files by keys remove rows and stored files', async () => {
	const r = await upload('/files', [
		['file', { filename: 'one.txt', type: 'text/plain', data: TEXT }],
		['file', { filename: 'two.txt', type: 'text/plain', data: TEXT }],
	]);
	const ids = r.json.data.map((f) => f.id).sort();
	const u = await call('PATCH', '/files?fields=id,description', { headers: admin, body: { keys: ids, data: { description: 'both' } } });
	assert.deepEqual(u.json.data.map((f) => f.description), ['both', 'both']);
	const d = await call('DELETE', '/files', { headers: admin, body: { keys: ids } });
	assert.equal(d.status, 204);
	for (const id of ids) {
		assert.deepEqual(storedOf(id), []);
		assert.equal((await call('GET', `/files/${id}`, { headers: admin })).status, 403);
	}
	const one = await upload('/files', [['file', { filename: 'three.txt', type: 'text/plain', data: TEXT }]]);
	const id = one.json.data.id;
	assert.equal((await call('DELETE', `/files/${id}`, { headers: admin })).status, 204);
	assert.deepEqual(storedOf(id), []);
	assert.equal((await call('GET', `/assets/${id}`, { headers: admin })).status, 403);
});

test('bad multipart bodies get busboy\'s and Directus\'s errors; nothing is left behind', async () => {
	const before = readdirSync(ROOT).length;
	const post = (type, raw, headers = admin) => call('POST', '/files', { headers: { ...headers, 'content-type': type }, raw });
	const js500 = (message) => ({ errors: [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
	const invalid = (reason) => ({ errors: [{ message: `Invalid payload. ${reason}.`, extensions: { reason, code: 'INVALID_PAYLOAD' } }] });
	assert.deepEqual((await post('multipart/form-data', 'xx')).json, js500('Multipart: Boundary not found'));
	const noFile = await post('multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc\r\n--XX--\r\n');
	assert.equal(noFile.status, 400);
	assert.deepEqual(noFile.json, invalid('No files were included in the body'));
	const noName = await post('multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="file"\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--XX--\r\n');
	assert.deepEqual(noName.json, invalid('File is missing filename'));
	const badHeader = await post('multipart/form-data; boundary=XX', '--XX\r\nBad Header\r\n\r\nabc\r\n--XX--\r\n');
	assert.deepEqual(badHeader.json, js500('Malformed part header'));
	const cut = await post('multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc');
	assert.equal(cut.status, 500);
	// Non-admins do not see the text of an unexpected error.
	assert.deepEqual((await post('multipart/form-data', 'xx', editor)).json, js500('An unexpected error occurred.'));
	// A second file that fails takes the first one with it.
	const m = multipart([
		['file', { filename: 'first.txt', type: 'text/plain', data: TEXT }],
		['storage', 'nowhere'],
		['file', { filename: 'second.txt', type: 'text/plain', data: TEXT }],
	]);
	const fail = await call('POST', '/files', { headers: { ...admin, 'content-type': m.type }, raw: m.body });
	assert.deepEqual(fail.json, js500('Location "nowhere" doesn\'t exist.'));
	assert.equal(sql(`SELECT count(*) FROM directus_files WHERE filename_download = 'first.txt'`)[0][0], '0');
	const editorTry = await upload('/files', [['file', { filename: 'e.txt', data: TEXT }]], editor);
	assert.equal(editorTry.status, 403);
	assert.equal(readdirSync(ROOT).length, before);
});

test('JSON POST /files creates an item without content; it needs a type', async () => {
	const none = await call('POST', '/files', { headers: admin, body: { title: 'x' } });
	assert.deepEqual(none.json, { errors: [{ message: 'Invalid payload. "type" is required.', extensions: { reason: '"type" is required', code: 'INVALID_PAYLOAD' } }] });
	const required = await call('POST', '/files', { headers: admin, body: { title: 'x', type: 'text/plain' } });
	assert.deepEqual(required.json.errors.map((e) => [e.extensions.code, e.extensions.field]), [
		['FAILED_VALIDATION', 'storage'],
		['FAILED_VALIDATION', 'filename_download'],
	]);
	const body = { title: 'x', type: 'text/plain', storage: 'local', filename_download: 'x.txt' };
	const r = await call('POST', '/files?fields=id,title,type,filename_disk,filesize', { headers: admin, body });
	assert.equal(r.status, 200, r.text);
	created.push(r.json.data.id);
	assert.deepEqual({ ...r.json.data, id: 0 }, { id: 0, title: 'x', type: 'text/plain', filename_disk: null, filesize: null });
	// Deleting an item without a stored file: the row goes, then Node's path.parse(null) fails.
	const d = await call('DELETE', `/files/${r.json.data.id}`, { headers: admin });
	assert.equal(d.status, 500);
	assert.equal(d.json.errors[0].message, 'The "path" argument must be of type string. Received null');
	assert.equal((await call('GET', `/files/${r.json.data.id}`, { headers: admin })).status, 403);
});

// ------------------------------------------------------------------ private pools (FastCGI)

async function startPool(extra) {
	const send = await startStackPool({ WORKERS: '1', ...extra }, { storage: true });
	return { send, uploads: send.uploads };
}

after(stopStackPools);

test('FILES_MAX_UPLOAD_SIZE: a file that reaches it is 413 and leaves nothing', async () => {
	const { send, uploads } = await startPool({ FILES_MAX_UPLOAD_SIZE: String(TEXT.length) });
	const over = multipart([['file', { filename: 'big.txt', type: 'text/plain', data: TEXT }]]);
	const r = await send('POST', '/files', { ...admin, 'content-type': over.type }, over.body);
	assert.equal(r.status, 413);
	assert.deepEqual(r.json, { errors: [{ message: 'Uploaded content is too large.', extensions: { code: 'CONTENT_TOO_LARGE' } }] });
	assert.equal(sql(`SELECT count(*) FROM directus_files WHERE filename_download = 'big.txt'`)[0][0], '0');
	assert.deepEqual(existsSync(uploads) ? readdirSync(uploads) : [], []);
	const under = multipart([['file', { filename: 'small.txt', type: 'text/plain', data: TEXT.subarray(1) }]]);
	const ok = await send('POST', '/files', { ...admin, 'content-type': under.type }, under.body);
	assert.equal(ok.status, 200, ok.body);
	assert.equal(readdirSync(uploads).length, 1);
	await send('DELETE', `/files/${ok.json.data.id}`, admin);
	assert.deepEqual(readdirSync(uploads), []);
});

test('response cache: an upload purges the cached GET /files', async () => {
	const { send } = await startPool({ CACHE_ENABLED: 'true', CACHE_STORE: 'memory', CACHE_STATUS_HEADER: 'X-Cache', CACHE_TTL: '5m' });
	const path = '/files?fields=id,title&filter[title][_eq]=Cached%2075&limit=5';
	const miss = await send('GET', path, admin);
	assert.equal(miss.headers['x-cache'], 'MISS');
	assert.deepEqual(miss.json.data, []);
	assert.equal((await send('GET', path, admin)).headers['x-cache'], 'HIT');
	const m = multipart([['title', 'Cached 75'], ['file', { filename: 'c.txt', type: 'text/plain', data: TEXT }]]);
	const up = await send('POST', '/files', { ...admin, 'content-type': m.type }, m.body);
	assert.equal(up.status, 200, up.body);
	const after = await send('GET', path, admin);
	assert.equal(after.headers['x-cache'], 'MISS');
	assert.deepEqual(after.json.data, [{ id: up.json.data.id, title: 'Cached 75' }]);
	await send('DELETE', `/files/${up.json.data.id}`, admin);
	const gone = await send('GET', path, admin);
	assert.equal(gone.headers['x-cache'], 'MISS');
	assert.deepEqual(gone.json.data, []);
});

test('POST /files/import: a URL\'s content uploaded after redirects; refused addresses and answers', async () => {
	const server = http.createServer((req, res) => {
		if (req.url === '/redirect') {
			res.writeHead(302, { location: '/dir/red%20image.png?x=1' });
			return res.end();
		}
		if (req.url.startsWith('/dir/red%20image.png')) {
			res.writeHead(200, { 'content-type': 'image/png' });
			return res.end(RED);
		}
		if (req.url === '/notes.txt') {
			res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' });
			return res.end(gzipSync(TEXT));
		}
		res.writeHead(404);
		res.end();
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const base = `http://127.0.0.1:${server.address().port}`;
	try {
		const { send, uploads } = await startPool({ IMPORT_IP_DENY_LIST: '192.0.2.1' });
		const post = (body, headers = admin) => send('POST', '/files/import?fields=id,title,filename_download,type,width,height,filesize,description', { ...headers, 'content-type': 'application/json' }, JSON.stringify(body));
		const r = await post({ url: `${base}/redirect`, data: { description: 'imported' } });
		assert.equal(r.status, 200, r.body);
		const f = r.json.data;
		assert.deepEqual({ ...f, id: 0, filesize: Number(f.filesize) }, {
			id: 0, title: 'Red Image.png', filename_download: 'red image.png', type: 'image/png', width: 3, height: 2, filesize: RED.length, description: 'imported',
		});
		assert.deepEqual(readFileSync(join(uploads, `${f.id}.png`)), RED);
		const t = await post({ url: `${base}/notes.txt` });
		assert.equal(t.status, 200, t.body);
		assert.equal(t.json.data.type, 'text/plain; charset=utf-8');
		assert.deepEqual(readFileSync(join(uploads, `${t.json.data.id}.txt`)), TEXT);
		const missing = await post({ url: `${base}/nothing` });
		assert.equal(missing.status, 503);
		assert.deepEqual(missing.json.errors[0].extensions, { service: 'external-file', reason: `Couldn't fetch file from URL "${base}/nothing"`, code: 'SERVICE_UNAVAILABLE' });
		assert.deepEqual((await post({ data: 1 })).json.errors[0].extensions.reason, '"url" is required');
		for (const id of [f.id, t.json.data.id]) await send('DELETE', `/files/${id}`, admin);
		assert.deepEqual(readdirSync(uploads), []);
		// The stack runs with Directus's default IMPORT_IP_DENY_LIST: this machine is refused.
		const denied = await call('POST', '/files/import', { headers: admin, body: { url: `${base}/redirect` } });
		assert.equal(denied.status, 503);
		const editorTry = await call('POST', '/files/import', { headers: editor, body: { url: `${base}/redirect` } });
		assert.equal(editorTry.json.errors[0].extensions.reason, 'You don\'t have permission to perform "create" for collection "directus_files" or it does not exist.');
	} finally {
		server.close();
	}
});
