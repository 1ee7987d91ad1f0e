// Direct SQL on the stack's database, for tests that must set up or inspect state the API does not
// expose yet (a user's tfa_secret, a suspended status, session rows, activity). Uses the command
// line clients the stack itself uses (sqlite3, psql, mariadb), so no npm packages.
//
//   import { sql, q } from './lib/db.mjs';
//   const rows = sql(`SELECT status FROM directus_users WHERE email = 'a@example.com'`);
//   sql(`UPDATE directus_sessions SET ${q('user')} = NULL`);      // q(): the dialect's quotes
//
// Values are written into the text by the tests themselves (fixed literals only).
import { execFileSync } from 'node:child_process';
import { ENV, cacheChanged } from './env.mjs';

export const DB_CLIENT = ENV.DB_CLIENT || 'sqlite3';

/** An identifier in the dialect's quotes. */
export function q(name) {
	return DB_CLIENT === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

// The tables behind what Celer's workers cache (accountabilities, permission rows): a change to
// them shows within GEN_MAX_AGE_MS, so the next call() waits that long (env.mjs).
const CACHED = /^\s*(insert|update|delete|replace)\b[\s\S]*\bdirectus_(users|roles|access|policies|permissions)\b/i;

/** Runs one statement; returns the result rows as arrays of strings (NULL as null). */
export function sql(statement) {
	let out;
	if (DB_CLIENT === 'sqlite3') {
		out = execFileSync('sqlite3', ['-batch', '-separator', '\t', '-nullvalue', '\\N', ENV.DB_FILENAME, statement], {
			encoding: 'utf8',
		});
	} else if (DB_CLIENT === 'pg') {
		out = execFileSync(
			'psql',
			['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-P', 'null=\\N', '-h', ENV.DB_HOST, '-p', String(ENV.DB_PORT), '-U', ENV.DB_USER, '-d', ENV.DB_DATABASE, '-c', statement],
			{ encoding: 'utf8', env: { ...process.env, PGPASSWORD: ENV.DB_PASSWORD } },
		);
	} else {
		out = execFileSync(
			'mariadb',
			['--skip-ssl', '-N', '-B', '-h', ENV.DB_HOST, '-P', String(ENV.DB_PORT), '-u', ENV.DB_USER, `-p${ENV.DB_PASSWORD}`, ENV.DB_DATABASE, '-e', statement],
			{ encoding: 'utf8' },
		);
	}
	if (CACHED.test(statement)) cacheChanged();
	return out
		.split('\n')
		.filter((l) => l.length)
		.map((l) => l.split('\t').map((v) => (v === '\\N' || v === 'NULL' ? null : v)));
}

/** The first column of the first row, or undefined. */
export function one(statement) {
	return sql(statement)[0]?.[0];
}
