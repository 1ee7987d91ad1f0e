// What the differential testers (diff-reads.mjs, diff-writes.mjs) share: where the shared
// material is, argument parsing, the seeded PRNG, and the run itself — record the corpus on real
// Directus and on Celer with the conformance harness, compare, and tally the failures per
// generator kind, apart from those that differ only in the SQL text of an admin's 500.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// ../shared beside the checkout, as the project's other tools find it; SHARED_DIR overrides.
export const SHARED = process.env.SHARED_DIR || resolve(ROOT, '..', 'shared');
const RUN_MJS = join(SHARED, 'conformance', 'run.mjs');

export function parseArgs(argv) {
	const a = { _: [] };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i].startsWith('--')) {
			const eq = argv[i].indexOf('=');
			if (eq > 0) a[argv[i].slice(2, eq)] = argv[i].slice(eq + 1);
			else if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) a[argv[i].slice(2)] = true;
			else a[argv[i].slice(2)] = argv[++i];
		} else a._.push(argv[i]);
	}
	return a;
}

export function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// A failure whose only difference is the text of a 500 that real Directus fills with the SQL it
// ran and the database's error (shown to admins only; e.g. "invalid input syntax for type
// integer"): Celer never reproduces knex's SQL text.
const SQL_TEXT = /^\s+\.errors\[0\]\.message: expected "(select|insert|update|delete) /;

// Pass / fail / sql-text counts per kind of a compare -v text; kindOf(line) names the kind of a
// PASS/FAIL line (null: not a case line).
function tally(text, kindOf) {
	const byKind = {};
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const k = /^(PASS|FAIL) /.test(lines[i]) ? kindOf(lines[i]) : null;
		if (!k) continue;
		const cur = byKind[k] ??= { pass: 0, fail: 0, sql: 0 };
		if (lines[i].startsWith('PASS')) cur.pass++;
		else if (SQL_TEXT.test(lines[i + 1] || '') && !/^\s+\.errors\[0\]\./.test(lines[i + 2] || '')) cur.sql++;
		else cur.fail++;
	}
	return byKind;
}

function printTally(name, byKind) {
	let p = 0, f = 0, q = 0;
	for (const [k, v] of Object.entries(byKind).sort()) {
		console.log(`${k.padEnd(16)} ${String(v.pass).padStart(5)} pass ${String(v.fail).padStart(5)} fail ${String(v.sql).padStart(4)} sql-text`);
		p += v.pass; f += v.fail; q += v.sql;
	}
	console.log(`${name}: ${p} passed, ${f + q} failed (${q} of them differ only in the SQL text of an admin's 500)`);
}

// The modes both tools have. tool: {name, defaultCount, usageLines, generate({seed, count,
// ...args}), kindOf(line), resetCommands(args) → {directus, celer} or null (reads need none)}.
export async function main(tool, argv) {
	const args = parseArgs(argv);
	const mode = args._[0];
	const seed = Number(args.seed ?? 1);
	const count = Number(args.count ?? tool.defaultCount);
	const dir = resolve(args.dir || join('var', tool.name));
	const corpusText = () => tool.generate({ ...args, seed, count }).map((c) => JSON.stringify(c)).join('\n') + '\n';
	if (mode === 'gen') {
		if (args.out) writeFileSync(args.out, corpusText()); else process.stdout.write(corpusText());
	} else if (mode === 'run') {
		if (!args.celer) throw new Error('run needs --celer URL');
		mkdirSync(dir, { recursive: true });
		const corpus = join(dir, `corpus-${seed}.jsonl`);
		writeFileSync(corpus, corpusText());
		const only = args.only ? ['--only', args.only] : [];
		const resets = tool.resetCommands(args);
		const record = (base, out, reset) => execFileSync('node', [RUN_MJS, 'record', '--base', base, '--corpus', corpus, '--out', out,
			...(reset ? ['--reset-cmd', reset] : []), ...only], { stdio: 'inherit' });
		const expected = join(dir, `directus-${seed}.json`), actual = join(dir, `celer-${seed}.json`);
		if (!args['reuse-directus']) record(args.directus || 'http://127.0.0.1:8055', expected, resets?.directus);
		record(args.celer, actual, resets?.celer);
		// compare's output goes straight to a file: it exits right after printing, which cuts a pipe short
		const cmpFile = join(dir, `compare-${seed}.txt`);
		const fd = openSync(cmpFile, 'w');
		try {
			execFileSync('node', [RUN_MJS, 'compare', '--expected', expected, '--actual', actual, '--corpus', corpus, '-v', ...only], { stdio: ['ignore', fd, 'inherit'] });
		} catch { /* exit status 1: some cases differ */ }
		closeSync(fd);
		printTally(tool.name, tally(readFileSync(cmpFile, 'utf8'), tool.kindOf));
	} else if (mode === 'classes') {
		const all = {};
		for (const f of readdirSync(dir).filter((x) => /^compare-.*\.txt$/.test(x))) {
			for (const [k, v] of Object.entries(tally(readFileSync(join(dir, f), 'utf8'), tool.kindOf))) {
				all[k] ??= { pass: 0, fail: 0, sql: 0 };
				all[k].pass += v.pass; all[k].fail += v.fail; all[k].sql += v.sql;
			}
		}
		printTally(tool.name, all);
	} else {
		console.error(tool.usageLines.join('\n'));
		process.exit(2);
	}
}
