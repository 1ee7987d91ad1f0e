// Where the stack under test is: tests/stack exports BASE_URL, TLS_URL, DB_* (see `tests/stack env`).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function stackEnv() {
	if (process.env.BASE_URL) return process.env;
	// Run by hand against a stack that is already up: ask it.
	const out = execFileSync(resolve(ROOT, 'tests/stack'), ['env'], { encoding: 'utf8' });
	const env = {};
	for (const line of out.split('\n')) {
		const i = line.indexOf('=');
		if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
	}
	return { ...process.env, ...env };
}

export const ENV = stackEnv();
export const BASE_URL = ENV.BASE_URL;
export const CELER_BIN = ENV.CELER_BIN || resolve(ROOT, 'build/celer-fcgi');

// Celer's workers cache accountabilities and permission rows and trust them for up to
// GEN_MAX_AGE_MS (lib/cache/generation.h) unless a write through Celer bumps a generation. A test
// that changes those tables straight in SQL (lib/db.mjs notes it) sees the change once that age
// has passed: the next request waits for it, then goes out.
export const CACHE_MAX_AGE_MS = 1000;
let settleUntil = 0;

/** Called after a direct SQL change to something Celer's workers cache. */
export function cacheChanged() {
	settleUntil = Date.now() + CACHE_MAX_AGE_MS + 100;
}

/** Resolves once every worker has dropped what it cached before the last cacheChanged(). */
export async function settle() {
	const wait = settleUntil - Date.now();
	if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/**
 * fetch against the stack; returns {status, headers, text, json}. noSettle: send at once, even
 * while workers may still hold what a direct SQL change made stale (tests of that delay).
 */
export async function call(method, path, { headers = {}, body, raw, noSettle = false } = {}) {
	if (!noSettle) await settle();
	const init = { method, headers: { ...headers }, redirect: 'manual' };
	if (raw !== undefined) init.body = raw;
	else if (body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers['content-type'] ??= 'application/json';
	}
	const res = await fetch(BASE_URL + path, init);
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** A request through node:http, which (unlike fetch) adds no Cache-Control or Pragma of its own. */
export async function rawCall(method, path, headers = {}) {
	await settle();
	return new Promise((resolve, reject) => {
		const req = http.request(BASE_URL + path, { method, headers }, (res) => {
			let text = '';
			res.on('data', (d) => (text += d));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
		});
		req.on('error', reject);
		req.end();
	});
}
