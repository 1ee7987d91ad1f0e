// Regenerates the expected values in tests/unit/http/test_qs.c from the real qs 6.13.1, called as
// Directus 11 calls it: qs.parse(s, { depth: 10 }). Nothing in the C tables is written by hand.
//
//   mkdir -p /tmp/oracle && cd /tmp/oracle && npm init -y && npm install qs@6.13.1
//   node tests/unit/http/gen_qs_cases.mjs /tmp/oracle        (or QS_ORACLE_DIR=/tmp/oracle)
//
// It rewrites the text between the BEGIN GENERATED and END GENERATED markers of test_qs.c.
//
// Bytes that a JS string cannot hold: the C parser takes UTF-8 bytes and copies raw bytes that are
// not UTF-8 through untouched. To pin that behaviour on the oracle anyway, inputs here may contain
// the private-use characters U+E080..U+E0FF as stand-ins for the raw bytes 0x80..0xFF: qs treats
// them as opaque characters exactly as the C code treats the raw bytes, and they are mapped back to
// bytes in both the C input and the expected output.
//
// Large inputs are described as recipes (prefix + unit x count + suffix, "{i}" in the unit being
// the repetition number); their expected output is pinned as its length and FNV-1a 64 hash.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const oracleDir = process.argv[2] || process.env.QS_ORACLE_DIR;
if (!oracleDir) {
    console.error('usage: node gen_qs_cases.mjs <dir where qs@6.13.1 is installed>');
    process.exit(2);
}
const require = createRequire(join(oracleDir, 'package.json'));
const qs = require('qs');
const qsVersion = require('qs/package.json').version;
if (qsVersion !== '6.13.1') throw new Error(`qs ${qsVersion} installed, 6.13.1 needed`);
const parse = (s) => qs.parse(s, { depth: 10 });

// ---- cases ------------------------------------------------------------------------------------

const directus = [
    'filter[a][b][_eq]=x',
    'filter[status][_eq]=published',
    'filter[_and][0][a][_eq]=1',
    'filter[_and][0][a][_eq]=1&filter[_and][1][b][_neq]=2',
    'filter[_or][0][status][_in]=draft,published&filter[_or][1][featured][_eq]=true',
    'filter[_and][0][_or][0][a][_eq]=1&filter[_and][0][_or][1][b][_eq]=2',
    'filter[date_created][_between]=2020-01-01,2021-01-01',
    'filter[title][_contains]=a%26b',
    'filter[author][name][_icontains]=%C3%A9mile',
    'filter={"status":{"_eq":"published"}}',
    'filter=%7B%22status%22%3A%7B%22_eq%22%3A%22published%22%7D%7D',
    'filter[_and][20][a][_eq]=1',
    'filter[_and][21][a][_eq]=1',
    'filter[_and][0][a][_eq]=1&filter[_and][21][b][_eq]=2',
    'filter[_and][1][a][_eq]=1&filter[_and][5][b][_eq]=2',
    'fields[]=a&fields[]=b',
    'fields=a,b',
    'fields=*,author.*,translations.*',
    'fields[]=id&fields=title',
    'fields=id&fields[]=title',
    'fields=id&fields=title&fields=body',
    'fields[0]=a&fields[1]=b',
    'fields[21]=a',
    'fields[0]=a&fields[21]=b',
    'fields[21]=b&fields[0]=a',
    'deep[x][_limit]=5',
    'deep[translations][_filter][languages_code][_eq]=en-US',
    'deep[a][_sort]=-id&deep[a][_limit]=3&deep[b][_offset]=2',
    'deep[a][_filter][b][_filter][c][_filter][d][_filter][e][_eq]=1',
    'sort=-a,b',
    'sort[]=-date_created&sort[]=title',
    'sort=-a&sort=b',
    'aggregate[count]=*',
    'aggregate[sum]=price&aggregate[avg]=rating',
    'aggregate[countDistinct][]=a&aggregate[countDistinct][]=b',
    'groupBy[]=status',
    'groupBy[]=status&groupBy[]=author',
    'groupBy=status,author',
    'limit=10&offset=20&page=2&meta=*',
    'meta=total_count,filter_count',
    'limit=-1',
    'search=hello+world',
    'search=caf%C3%A9',
    'search=100%25',
    'alias[x]=y',
    'export=json&version=main',
    'access_token=abc.def-ghi_jkl',
    // depth 10 keeps 10 bracket segments; the rest stays one literal key
    'filter[a][b][c][d][e][f][g][h][i][j]=1',
    'filter[a][b][c][d][e][f][g][h][i][j][k]=1',
    'filter[a][b][c][d][e][f][g][h][i][j][k][l]=1',
    'filter[a][b][c][d][e][f][g][h][i][j][k][l][m][n]=1',
    'filter[_and][0][_and][0][_and][0][_and][0][_and][0][a][_eq]=1',
    'a[0][1][2][3][4][5][6][7][8][9][10]=x',
    'a[0][1][2][3][4][5][6][7][8][9][10][11]=x',
    'a[][][][][][][][][][][]=x',
    'a[b][c][d][e][f][g][h][i][j][k][l]junk[m]=1',
    'a[b][c][d][e][f][g][h][i][j][k]=1&a[b][c][d][e][f][g][h][i][j][k][l]=2',
];

const syntax = [
    '', '&', '=', '==', '&&&', 'a', 'a=', '=a', 'a==b', 'a=b=c', '&a=1&', 'a=1&&b=2', 'a&b&c',
    '+', 'a+b=c+d', '%2B=%2B', 'a=1+2%2B3', ' a = b ',
    // percent-decoding: whole-part fallback when decodeURIComponent throws
    '%', '%41=%62', '%4', '%zz=1', 'a=%', 'a=%2', 'a=%%', 'a=%E9', 'a=%e9%20', 'a%20%E9=1',
    'a=%C3%A9', 'a=%c3%a9', 'a=%C3', 'a=%C3%', 'a=%C3%41', 'a=%F0%9F%98%80', 'a=%F0%9F%98',
    'a=%ED%A0%80', 'a=%ED%9F%BF', 'a=%C0%80', 'a=%C1%BF', 'a=%E0%9F%BF', 'a=%F4%8F%BF%BF',
    'a=%F4%90%80%80', 'a=%F8%88%80%80%80', 'a=%80', 'a=%BF', 'a=%FE', 'a=%FF', 'a=%EF%BF%BD',
    'a=%00', 'a=x%00y', 'a=%25', 'a=%2525', 'a=%26&b=%3D', 'a%3Db=c',
    // brackets, balanced or not
    'a[=1', 'a]=1', 'a[b=1', 'a[[b]]=1', 'a[b]]=1', '[=1', ']=1', '[]=1', '[[]]=1', '[a]=1',
    '[0]=x', '[21]=x', 'a[b]c=1', 'a[b]c[d]=1', 'a]b[c]=1', 'a[]b=1', 'a=b]=c', 'a[b=c]=d',
    'a[b]=c]=d', 'a[[b]=c', 'a[b]xyz=1', 'a[]]=1', 'a[][=1', 'a[ ]=1', 'a[b][=1', '[[[a]]]=1',
    // bracket escapes are undone before the split
    'a%5Bb%5D=c', 'a%5bb%5d=c', 'a%5B%5D=1&a%5B%5D=2', 'a%255Bb%255D=c', 'a=%5B1%5D',
    'a%5D=b', 'a%5B0%5D%3D1',
    // arrays: limit 20, sparse indexes compacted, merge with objects
    'a[]=1&a[]=2', 'a[1]=x&a[5]=y', 'a[5]=y&a[1]=x', 'a[0]=x&a[0]=y', 'a[20]=x', 'a[21]=x',
    'a[20]=x&a[21]=y', 'a[]=1&a[]=2&a[5]=3', 'a[5]=3&a[]=1', 'a[0]=1&a[b]=2', 'a[b]=2&a[0]=1',
    'a[-1]=1', 'a[01]=1', 'a[ 1]=1', 'a[1.0]=1', 'a[1e1]=1', 'a[4294967294]=1',
    'a[4294967295]=1', 'a[99999999999999999999]=1', 'a[b][]=1&a[b][]=2', 'a[][b]=1',
    'a[][b]=1&a[][c]=2', 'a[0][b]=1&a[0][c]=2', 'a[0][b]=1&a[1][b]=2', 'a[][]=x', 'a[][2]=x',
    'a[2][]=x', 'a[0][]=1&a[0][]=2', 'a[1][b]=1&a[]=2', 'a[]=1&a[1][b]=2',
    // duplicates and type clashes (utils.merge)
    'a=1&a=2&a=3', 'a=1&a[b]=2', 'a[b]=1&a=2', 'a[b]=1&a=b', 'a=&a[b]=c', 'a[b]=c&a=',
    'a[]=x&a=', 'a=x&a[]=', 'a=1&a=2&a[]=3', 'a[]=1&a=2&a=3', 'a[b]=1&a[b][c]=2',
    'a[b][c]=2&a[b]=1', 'a[1]=b&a[0]=c', 'a[b]=1&a=x&a=y', 'a[0]=1&a=x', 'a=x&a[0]=1',
    'a[b]=1&a=true', 'a=1&%61=2', 'a[b]=1&a[b]=2&a[b][c]=3',
    // Object.prototype names are dropped (allowPrototypes: false)
    'constructor=1', '__proto__=1', 'toString=1&a=2', 'a[constructor]=1', 'a[b][hasOwnProperty]=1',
    'valueOf[x]=1', '__proto__[polluted]=1', 'a[__proto__][b]=1', 'a=toString&a[x]=1',
    'a[x]=1&a=toString', 'a[x]=1&a=hasOwnProperty&a=y', 'a[b]=1&a=__proto__', 'a=__proto__',
    'a[prototype]=1', 'constructor[prototype][x]=1',
    // JS property order: array-index keys first, ascending
    'b=1&a=2&1=3&0=4', 'z=1&10=2&9=3&x=4', 'a[b]=1&a[2]=2&a[1]=3', '4294967294=a&4294967295=b&x=c',
    '01=a&1=b', 'a[b]=1&a[21]=2&a[22]=3',
    // raw non-ASCII text and raw bytes that are not UTF-8 (U+E0xx stand for byte 0xxx)
    '\u00e9=\u00fc', 'a=\u{1F600}', 'emoji[\u{1F600}]=1', 'a=\u2028',
    'a=\ue0ff', '\ue0c3=1', 'a[\ue0fe]=\ue080', 'a=%C3\ue0a9', 'a=\ue0c3%A9',
    // raw control characters
    'a=\u0000', 'a=\t\r\n', 'a=\u0001&b=\u001f',
];

// Big inputs: [name, [unit, count], ...]; "{i}" in a unit is the repetition number.
const big = [
    ['1 MB of [', ['[', 1 << 20]],
    ['1 MB of ]', [']', 1 << 20]],
    ['a[ x 512K', ['a[', 1 << 19], ['=1', 1]],
    ['300K segments', ['a', 1], ['[b]', 300000], ['=1', 1]],
    ['5000 nested pairs', ['[[', 5000], [']]', 5000], ['=1', 1]],
    ['5000 leading [', ['[', 5000], ['a]=1', 1]],
    ['depth 5000 indexes', ['a', 1], ['[0]', 5000], ['=1', 1]],
    ['10000 a[]=x', ['a[]=x&', 10000]],
    ['10000 a=1', ['a=1&', 10000]],
    ['10000 distinct keys', ['k{i}=v&', 10000]],
    ['10000 distinct sub-keys', ['f[k{i}]=v&', 10000]],
    ['1000 indexes', ['a[{i}]=x&', 1000]],
    ['1000 keys with a 1000-byte common prefix', ['x'.repeat(1000) + '{i}=v&', 1000]],
    ['1 MB value', ['a=', 1], ['x', 1 << 20]],
    ['1 MB of %', ['%', 1 << 20]],
    ['%E9 x 350K', ['a=', 1], ['%E9', 349525]],
    ['%C3%A9 x 170K', ['a=', 1], ['%C3%A9', 174762]],
    ['%00 x 350K', ['a=', 1], ['%00', 349525]],
    ['1 MB of &', ['&', 1 << 20]],
    ['1 MB of =', ['=', 1 << 20]],
    ['1 MB of +', ['+', 1 << 20]],
    ['[x]]] x 200K', ['[x]]]', 200000]],
    ['1000 x 12 segments', ['a[b][c][d][e][f][g][h][i][j][k][l][m]={i}&', 1000]],
    ['merges of arrays and objects', ['a[{i}][]=1&a[b{i}]=2&', 500]],
    ['10000 params of 100 bytes', ['p{i}[' + 'y'.repeat(90) + ']=1&', 10000]],
];

// ---- encoding ---------------------------------------------------------------------------------

// UTF-8 of a JS string, with U+E080..U+E0FF standing for the raw bytes 0x80..0xFF.
function bytes(str) {
    const out = [];
    for (const ch of str) {
        const c = ch.codePointAt(0);
        if (c >= 0xe080 && c <= 0xe0ff) out.push(c - 0xe000);
        else out.push(...Buffer.from(ch, 'utf8'));
    }
    return Buffer.from(out);
}

function cLiteral(buf, indent) {
    const lines = [];
    let cur = '"';
    for (const b of buf) {
        let e;
        if (b === 0x22) e = '\\"';
        else if (b === 0x5c) e = '\\\\';
        else if (b === 0x3f) e = '\\?'; // no trigraphs
        else if (b === 0x0a) e = '\\n';
        else if (b === 0x09) e = '\\t';
        else if (b === 0x0d) e = '\\r';
        else if (b >= 0x20 && b < 0x7f) e = String.fromCharCode(b);
        else e = '\\' + b.toString(8).padStart(3, '0');
        if (cur.length + e.length > 96 - indent) {
            lines.push(cur + '"');
            cur = '"';
        }
        cur += e;
    }
    lines.push(cur + '"');
    return lines.join('\n' + ' '.repeat(indent));
}

function fnv1a64(buf) {
    let h = 0xcbf29ce484222325n;
    for (const b of buf) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
    return '0x' + h.toString(16).padStart(16, '0') + 'ull';
}

function hasNulKey(v) {
    if (!v || typeof v !== 'object') return false;
    return Object.keys(v).some((k) => k.includes('\0') || hasNulKey(v[k]));
}

function expand(segs) {
    const parts = [];
    for (const [unit, count] of segs)
        for (let i = 0; i < count; i++) parts.push(unit.replace('{i}', String(i)));
    return parts.join('');
}

// ---- output -----------------------------------------------------------------------------------

const rows = [];
for (const s of [...directus, ...syntax]) {
    const v = parse(s);
    // json-c cannot hold a NUL inside a key: those cases are tested by hand in test_qs.c.
    if (hasNulKey(v)) throw new Error(`case ${JSON.stringify(s)} has a NUL in a key`);
    const want = bytes(JSON.stringify(v));
    rows.push(`    ROW(${cLiteral(bytes(s), 8)},\n        ${cLiteral(want, 8)}),`);
}
const bigRows = [];
for (const [name, ...segs] of big) {
    const want = Buffer.from(JSON.stringify(parse(expand(segs))));
    const segText = segs.map(([u, c]) => `{${cLiteral(Buffer.from(u), 10)}, ${c}}`).join(', ');
    bigRows.push(
        `    {${cLiteral(Buffer.from(name), 5)},\n     {${segText}},\n` +
            `     ${want.length}, ${fnv1a64(want)}},`,
    );
}

const block = [
    `/* BEGIN GENERATED by tests/unit/http/gen_qs_cases.mjs from qs ${qsVersion}, node ${process.version} */`,
    'static const qs_case_t qs_cases[] = {',
    ...rows,
    '};',
    '',
    'static const qs_big_t qs_big[] = {',
    ...bigRows,
    '};',
    '/* END GENERATED */',
].join('\n');

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, 'test_qs.c');
const src = readFileSync(path, 'utf8');
const re = /\/\* BEGIN GENERATED[^\n]*\n[\s\S]*?\/\* END GENERATED \*\//;
if (!re.test(src)) throw new Error(`no GENERATED markers in ${path}`);
writeFileSync(path, src.replace(re, () => block));
console.log(`${path}: ${rows.length} rows, ${bigRows.length} big inputs`);
