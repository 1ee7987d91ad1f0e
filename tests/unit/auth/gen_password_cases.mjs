// Regenerates the node-argon2 table of tests/unit/auth/test_password.c from the argon2 package
// Directus 11.3.5 itself uses (argon2 0.41.1, under @directus/api): every row is a hash made by
// argon2.hash() and the answer of argon2.verify() for one password, so nothing in the C table is
// written by hand.
//
//   (install Directus as ../shared/anchor/README.md says, into /tmp/anchor/directus)
//   node tests/unit/auth/gen_password_cases.mjs /tmp/anchor/directus   (or ARGON2_ORACLE_DIR=...)
//
// It rewrites the text between the BEGIN GENERATED and END GENERATED markers of test_password.c.
// Costs are kept small (m=1024..4096) so that the unit tests stay quick; the fixture's real
// Directus hashes (m=65536, t=3, p=4) are tested separately in the C file.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const oracleDir = process.argv[2] || process.env.ARGON2_ORACLE_DIR;
if (!oracleDir) {
    console.error('usage: node gen_password_cases.mjs <dir where directus@11.3.5 is installed>');
    process.exit(2);
}
const require = createRequire(join(oracleDir, 'package.json'));
const argon2 = require('argon2');
const argon2Version = require('argon2/package.json').version;
if (argon2Version !== '0.41.1') throw new Error(`argon2 ${argon2Version} installed, 0.41.1 needed`);

// ---- cases ------------------------------------------------------------------------------------

const long = 'x'.repeat(1000);
const made = [
    // [label, password, options]
    ['argon2id, small costs', 'admin-password', { memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['argon2i', 'admin-password', { type: argon2.argon2i, memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['argon2d', 'admin-password', { type: argon2.argon2d, memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['two lanes', 'editor-password', { memoryCost: 2048, timeCost: 3, parallelism: 2 }],
    ['four lanes', 'editor-password', { memoryCost: 4096, timeCost: 2, parallelism: 4 }],
    ['16-byte hash', 'short', { memoryCost: 1024, timeCost: 2, parallelism: 1, hashLength: 16 }],
    ['64-byte hash', 'long hash', { memoryCost: 1024, timeCost: 2, parallelism: 1, hashLength: 64 }],
    ['5-byte hash (no padding case)', 'odd', { memoryCost: 1024, timeCost: 2, parallelism: 1, hashLength: 5 }],
    ['associated data (HASH_ASSOCIATED_DATA)', 'with-ad', { memoryCost: 1024, timeCost: 2, parallelism: 1, associatedData: Buffer.from('celer-ad') }],
    ['version 0x10', 'old-version', { memoryCost: 1024, timeCost: 2, parallelism: 1, version: 0x10 }],
    ['empty password', '', { memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['UTF-8 password', 'pässwörd ✓ 🔑', { memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['NUL inside the password', 'a\u0000b', { memoryCost: 1024, timeCost: 2, parallelism: 1 }],
    ['1000-byte password', long, { memoryCost: 1024, timeCost: 2, parallelism: 1 }],
];

// Passwords tried against every hash: its own, and near misses.
function tries(pw) {
    const out = [pw, pw + 'x', pw.slice(0, -1), pw.toUpperCase(), pw + '\u0000'];
    return [...new Set(out)];
}

// ---- C rendering -------------------------------------------------------------------------------

// A C string literal for the UTF-8 bytes of s: printable ASCII as is, everything else as
// three-digit octal escapes (which never run into a following digit).
function cstr(s) {
    const bytes = Buffer.from(s, 'utf8');
    let out = '"';
    for (const b of bytes) {
        if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
        else if (b >= 0x20 && b < 0x7f && b !== 0x3f) out += String.fromCharCode(b);
        else out += '\\' + b.toString(8).padStart(3, '0');
    }
    return out + '"';
}

const rows = [];
for (const [label, pw, opts] of made) {
    const encoded = await argon2.hash(pw, opts);
    for (const t of tries(pw)) {
        const ok = await argon2.verify(encoded, t);
        const show = t.length > 40 ? `${t.length} bytes` : JSON.stringify(t);
        rows.push(`    /* ${label}: ${show.replace(/\*\//g, '* /')} */\n` +
            `    {${cstr(t)}, ${Buffer.byteLength(t)}, ${cstr(encoded)}, ${ok ? 1 : 0}},`);
    }
}

// A hash without v= is read as version 0x10 by node argon2: drop it from a 0x10 hash.
{
    const encoded = (await argon2.hash('no-version', { memoryCost: 1024, timeCost: 2, parallelism: 1, version: 0x10 }))
        .replace('$v=16$', '$');
    for (const t of ['no-version', 'no-versionx']) {
        const ok = await argon2.verify(encoded, t);
        rows.push(`    /* no v= (version 0x10): ${JSON.stringify(t)} */\n` +
            `    {${cstr(t)}, ${t.length}, ${cstr(encoded)}, ${ok ? 1 : 0}},`);
    }
}

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, 'test_password.c');
const src = readFileSync(target, 'utf8');
const begin = src.indexOf('/* BEGIN GENERATED');
const end = src.indexOf('/* END GENERATED */');
if (begin < 0 || end < 0) throw new Error('markers not found in test_password.c');
const block = `/* BEGIN GENERATED by tests/unit/auth/gen_password_cases.mjs from argon2 ${argon2Version}, ` +
    `node ${process.version} */\nstatic const node_case_t node_cases[] = {\n${rows.join('\n')}\n};\n`;
writeFileSync(target, src.slice(0, begin) + block + src.slice(end));
console.log(`${rows.length} cases written to ${target}`);
