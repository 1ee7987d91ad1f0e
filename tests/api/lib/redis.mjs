// Redis for tests that break it: a redis-server of the test's own on a free port (so stopping,
// freezing or restarting it never disturbs the stack's Redis that other suites use), and a TCP
// proxy in front of it that can refuse connections, delay or stall answers, or answer every
// command with an error reply. Used by 60_ratelimit and 24_redis_outage.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const HAVE_REDIS = spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli'], { encoding: 'utf8' }).status === 0;

/** Polls cond (sync or async) every 25 ms until it holds; false after ms. */
export async function waitFor(cond, ms = 5000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await cond()) return true;
		await sleep(25);
	}
	return false;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
		srv.on('error', reject);
	});
}

/** Whether a Redis answers PING on port within half a second. */
export function redisPing(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		let got = '';
		s.setTimeout(500, () => s.destroy());
		s.on('connect', () => s.write('PING\r\n'));
		s.on('data', (d) => {
			got += d;
			if (got.includes('\r\n')) s.end();
		});
		s.on('close', () => resolve(got.startsWith('+PONG')));
		s.on('error', () => resolve(false));
	});
}

/**
 * A redis-server without persistence in dir, on port (a free one by default). Returns
 * {port, proc, cli(...args) → spawnSync result, stop() (SIGKILL: a crash), start() (same port,
 * empty, as a restarted Redis without persistence), close()}.
 */
export async function startRedis(dir, port) {
	port ??= await freePort();
	const r = {
		port,
		proc: null,
		cli: (...args) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }),
		async start() {
			const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
				'--daemonize', 'no', '--dir', dir, '--logfile', '', '--loglevel', 'warning'], { stdio: 'ignore' });
			proc.exited = new Promise((resolve) => proc.on('exit', resolve));
			r.proc = proc;
			assert.ok(await waitFor(() => redisPing(port)), 'redis-server started');
			return proc;
		},
		async stop() {
			if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
			r.proc.kill('SIGKILL');
			await r.proc.exited;
		},
		async close() {
			if (!r.proc || r.proc.exitCode !== null || r.proc.signalCode !== null) return;
			r.proc.kill('SIGCONT');
			r.proc.kill('SIGTERM');
			await r.proc.exited;
		},
	};
	await r.start();
	return r;
}

/** How many complete RESP commands (arrays of bulk strings) buf holds, and the bytes left over. */
function countCommands(buf) {
	let n = 0, at = 0;
	for (;;) {
		const start = at;
		const line = (from) => {
			const end = buf.indexOf('\r\n', from);
			return end < 0 ? null : { text: buf.subarray(from, end).toString(), next: end + 2 };
		};
		const head = line(at);
		if (!head) return { n, rest: buf.subarray(start) };
		if (!head.text.startsWith('*')) {
			// An inline command (redis-cli style): one line.
			n++;
			at = head.next;
			continue;
		}
		let p = head.next, ok = true;
		for (let i = 0; i < Number(head.text.slice(1)); i++) {
			const len = line(p);
			if (!len) { ok = false; break; }
			p = len.next + Number(len.text.slice(1)) + 2;
			if (p > buf.length) { ok = false; break; }
		}
		if (!ok) return { n, rest: buf.subarray(start) };
		n++;
		at = p;
	}
}

/**
 * A proxy on a free port in front of the Redis on targetPort. proxy.mode:
 *  'pass'  forwards both ways, each answer held proxy.delayMs first (0: none);
 *  'stall' accepts and forwards commands, but no answer comes back (a Redis that hangs);
 *  'error' answers every command itself with `-ERR ...` (a Redis that refuses everything);
 *  'down'  set through down(): refuses connections and drops the open ones; up() ends it.
 */
export async function startProxy(targetPort) {
	const conns = new Set();
	const proxy = { port: await freePort(), mode: 'pass', delayMs: 0 };
	const onClient = (client) => {
		const upstream = net.connect(targetPort, '127.0.0.1');
		const pair = { client, upstream };
		conns.add(pair);
		let pending = Buffer.alloc(0);
		let chain = Promise.resolve();
		const drop = () => {
			conns.delete(pair);
			client.destroy();
			upstream.destroy();
		};
		client.on('data', (d) => {
			if (proxy.mode !== 'error') return upstream.write(d);
			const { n, rest } = countCommands(Buffer.concat([pending, d]));
			pending = rest;
			for (let i = 0; i < n; i++) client.write('-ERR the test proxy refuses every command\r\n');
		});
		upstream.on('data', (d) => {
			if (proxy.mode === 'stall' || proxy.mode === 'error') return;
			const delay = proxy.delayMs;
			chain = chain.then(async () => {
				if (delay) await sleep(delay);
				if (!client.destroyed) client.write(d);
			});
		});
		for (const s of [client, upstream]) {
			s.on('error', drop);
			s.on('close', drop);
		}
	};
	let server;
	proxy.up = () =>
		new Promise((resolve, reject) => {
			proxy.mode = 'pass';
			server = net.createServer(onClient);
			server.on('error', reject);
			server.listen(proxy.port, '127.0.0.1', resolve);
		});
	proxy.down = () =>
		new Promise((resolve) => {
			proxy.mode = 'down';
			for (const { client, upstream } of conns) {
				client.destroy();
				upstream.destroy();
			}
			conns.clear();
			server.close(() => resolve());
		});
	proxy.close = async () => {
		if (proxy.mode !== 'down') await proxy.down();
	};
	await proxy.up();
	return proxy;
}
