// A minimal FastCGI client (responder role) for talking to celer-fcgi without nginx, so tests
// can hold a request half-sent while they signal the pool. Spec: fastcgi.com FastCGI 1.0.
import net from 'node:net';

const BEGIN = 1, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR = 7;

function record(type, body = Buffer.alloc(0), id = 1) {
	const pad = (8 - (body.length % 8)) % 8;
	const h = Buffer.alloc(8);
	h.writeUInt8(1, 0);
	h.writeUInt8(type, 1);
	h.writeUInt16BE(id, 2);
	h.writeUInt16BE(body.length, 4);
	h.writeUInt8(pad, 6);
	return Buffer.concat([h, body, Buffer.alloc(pad)]);
}

function lengthBytes(n) {
	if (n < 128) return Buffer.from([n]);
	const b = Buffer.alloc(4);
	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}

function encodeParams(params) {
	const parts = [];
	for (const [k, v] of Object.entries(params)) {
		const kb = Buffer.from(k), vb = Buffer.from(String(v));
		parts.push(lengthBytes(kb.length), lengthBytes(vb.length), kb, vb);
	}
	return Buffer.concat(parts);
}

function chunks(buf, size = 65535) {
	const out = [];
	for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
	return out;
}

/** CGI params for a request as nginx would send them. */
export function cgiParams(method, uri, { headers = {}, body = '' } = {}) {
	const p = {
		REQUEST_METHOD: method,
		REQUEST_URI: uri,
		QUERY_STRING: uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '',
		SERVER_PROTOCOL: 'HTTP/1.1',
		REMOTE_ADDR: '127.0.0.1',
		CONTENT_LENGTH: String(Buffer.byteLength(body)),
	};
	for (const [k, v] of Object.entries(headers)) {
		const name = k.toUpperCase().replace(/-/g, '_');
		p[name === 'CONTENT_TYPE' ? name : `HTTP_${name}`] = v;
	}
	return p;
}

/** Parses "Status: 200 OK\r\nName: v\r\n\r\nbody" into {status, headers, cookies, body};
 * every Set-Cookie line is kept in cookies (headers keeps the last of each name). */
export function parseResponse(raw) {
	const sep = raw.indexOf('\r\n\r\n');
	const head = raw.subarray(0, sep).toString();
	const headers = {};
	const cookies = [];
	let status = 200;
	for (const line of head.split('\r\n')) {
		const i = line.indexOf(':');
		const name = line.slice(0, i).toLowerCase(), value = line.slice(i + 1).trim();
		if (name === 'status') status = parseInt(value, 10);
		else headers[name] = value;
		if (name === 'set-cookie') cookies.push(value);
	}
	return { status, headers, cookies, body: raw.subarray(sep + 4).toString() };
}

/**
 * Opens a FastCGI connection and sends begin + params. Returns {sendBody(buf), end(), response}
 * where response resolves to the parsed answer once END_REQUEST arrives (or rejects on close).
 */
export function openRequest(socketPath, params) {
	const sock = net.connect(socketPath);
	const received = [];
	let pending = Buffer.alloc(0);
	const response = new Promise((resolve, reject) => {
		sock.on('data', (d) => {
			pending = Buffer.concat([pending, d]);
			while (pending.length >= 8) {
				const type = pending[1], len = pending.readUInt16BE(4), pad = pending[6];
				if (pending.length < 8 + len + pad) break;
				const body = pending.subarray(8, 8 + len);
				pending = pending.subarray(8 + len + pad);
				if (type === STDOUT) received.push(body);
				if (type === END) {
					resolve(parseResponse(Buffer.concat(received)));
					sock.end();
				}
				if (type === STDERR) process.stderr.write(body);
			}
		});
		sock.on('error', reject);
		sock.on('close', () => reject(new Error('connection closed before END_REQUEST')));
	});
	response.catch(() => {});
	const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]);
	sock.write(record(BEGIN, begin));
	for (const c of chunks(encodeParams(params))) sock.write(record(PARAMS, c));
	sock.write(record(PARAMS));
	return {
		sendBody(buf) {
			for (const c of chunks(Buffer.from(buf))) sock.write(record(STDIN, c));
		},
		end() {
			sock.write(record(STDIN));
		},
		destroy() {
			sock.destroy();
		},
		response,
	};
}

/** One complete request over FastCGI. */
export async function request(socketPath, method, uri, opts = {}) {
	const r = openRequest(socketPath, cgiParams(method, uri, opts));
	if (opts.body) r.sendBody(opts.body);
	r.end();
	return r.response;
}
