// Regenerates the expected values in tests/unit/core/test_jsonparse.c from Node 20's JSON.parse
// and from express.json()'s strict mode as body-parser 1.20.3 implements it. Nothing in the C
// tables is written by hand.
//
//   mkdir -p /tmp/oracle && cd /tmp/oracle && npm init -y && npm install body-parser@1.20.3
//   node tests/unit/core/gen_jsonparse_cases.mjs /tmp/oracle   (or JSONPARSE_ORACLE_DIR=/tmp/oracle)
//
// It must run on Node 20 (V8's messages change between majors) and rewrites the text between the
// BEGIN GENERATED and END GENERATED markers of test_jsonparse.c.
//
// How the oracle sees each input:
//  - plain rows: the input bytes are decoded as UTF-8 (invalid sequences become U+FFFD, as Node
//    decodes a body) and given to JSON.parse; the expected text is JSON.stringify of the value or
//    the SyntaxError's message.
//  - strict rows: the bytes go through body-parser's json() middleware, on a fake request stream,
//    so BOM stripping, the empty body and createStrictSyntaxError are the real ones.
//  - "raw" rows pin the one documented difference, bytes that are not UTF-8 inside a string: the
//    C parser keeps them. Such inputs use U+E080..U+E0FF as stand-ins for the raw bytes
//    0x80..0xFF; JSON.parse carries them through a string untouched, and they are mapped back to
//    bytes in the C input and the expected output.
// Messages are encoded as WTF-8 (a lone surrogate V8 quotes from the input becomes 3 bytes) and end
// at a NUL, since the C message is a C string (documented in jsonparse.h).
//
// Large inputs are recipes ([unit, count] segments, "{i}" being the repetition number); an
// accepted one is pinned as the length and FNV-1a 64 hash of its JSON.stringify text.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';

const oracleDir = process.argv[2] || process.env.JSONPARSE_ORACLE_DIR;
if (!oracleDir) {
    console.error('usage: node gen_jsonparse_cases.mjs <dir where body-parser@1.20.3 is installed>');
    process.exit(2);
}
if (!process.version.startsWith('v20.')) throw new Error(`Node 20 needed, this is ${process.version}`);
const require = createRequire(join(oracleDir, 'package.json'));
const bpVersion = require('body-parser/package.json').version;
if (bpVersion !== '1.20.3') throw new Error(`body-parser ${bpVersion} installed, 1.20.3 needed`);
// No size limit here: the body size limit (MAX_PAYLOAD_SIZE) is enforced before jsonparse().
const jsonMiddleware = require('body-parser').json({ limit: Infinity });

const STRICT = 1;
const DEPTH = 512;

// ---- cases: [input, options] ------------------------------------------------------------------
// input: a JS string (UTF-8 encoded for C) or a Buffer; options: { strict, depth, raw }.

const valid = [
    '{}', '[]', '0', '-0', '1', '-1', '1.5', '-1.5', '1e3', '1E+3', '1e-3', '-1.5e-7', '2.5e0',
    '1.0', '10.0e1', '0.1', '0.30000000000000004', '1e21', '1e20', '123e-20', '1e400', '-1e400',
    '1e-400', '-1e-400', '5e-324', '1.7976931348623157e308', '9007199254740991',
    '9007199254740992', '9007199254740993', '-9007199254740992', '-9007199254740993',
    '123456789012345', '1234567890123456', '123456789012345678901234567890', '100000000000000000000',
    '0e5', '-0e5', '-0.0', '[1,-1,0,-0,1.5,-0.5]',
    'true', 'false', 'null', ' null ', '[null]', '{"a":null}', '[true,false,null]',
    '""', '"abc"', '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\u0041"', '"\\u00e9"', '"\\u00E9"',
    '"\\u20AC"', '"\\ud83d\\ude00"', '"\\uD83D\\uDE00"', '"\\ud83d"', '"\\ude00"',
    '"\\ude00\\ud83d"', '"\\ud83d\\ud83d\\ude00"', '"\\ud83dx"', '"\\ud83d\\u0041"',
    '"\\u0000"', '"a\\u0000b"', '"\\u001f\\u007f\\u0080"', '"\u00e9"', '"\u{1F600}"',
    '"\u2028\u2029"', '"\u007f"', '"\ufeff"', '"/"', '"\\/\\/"',
    '{"a":1,"a":2}', '{"a":1,"b":2,"a":3}', '{"b":1,"a":2,"1":3,"0":4}',
    '{"4294967294":1,"4294967295":2,"1":3}', '{"01":1,"1":2,"-1":3,"1.0":4}',
    '{"1":1,"1":2,"0":3}', '{"2":1,"b":2,"1":3,"2":4}', '{"__proto__":1}',
    '{"__proto__":{"x":1}}', '{"constructor":1,"toString":2}', '{"":1}', '{"\\u0041":1,"A":2}',
    '{"\u00e9":1,"e\\u0301":2}', '[[[]]]', '{"a":{"b":{"c":[1,{"d":[]}]}}}',
    ' \t\n\r[ 1 , 2 ]\r\n', '[ ]', '{ }', '[\n]',
    '{"title":"Hello","status":"published","tags":["a","b"],"author":{"id":1}}',
    '[{"id":1},{"id":2}]', '{"filter":{"_and":[{"a":{"_eq":1}}]}}',
    '{"email":"admin@example.com","password":"d1r3ctu5"}',
];

const invalid = [
    '', ' ', '\n', '\t\r\n ', 'x', 'xyz', 'abcdefghij', 'abcdefghijklmnopqrst', 'abcdefghijklmnopqrstu',
    'abcdefghijklmnopqrstuvwxyz', '          x          ', '         x          ',
    '          x         ', '           x          ', '[1,2,3,4,5,6,7,8,9,10,11,12,]',
    '[1,2,3,4,5,6,7,8,9,x,11,12,13,14,15]', '      x                    ',
    '{"a":1,"b":2,"c":3,"d":4 "e"}', '\n\n  x', 'a\r\nb\rc\n\r x',
    'NaN', 'undefined', 'Infinity', '-Infinity', '[object Object]', 'nan', ' NaN', 'NaN ',
    'Undefined', '{x}', "{'a':1}", '[undefined]',
    // strings
    '"abc', '"', '"\\', '"\\"', '"a\\x"', '"\\U0041"', '"\\a"', '"\\0"', '"\\\n"', '"\\ "',
    '"\\\u00e9"', '"\\\u0100"', '"\\\u{1F600}"', '"\\u"', '"\\u1"', '"\\u12"', '"\\u123"',
    '"\\u123g"', '"\\uGGGG"', '"\\u12"', '"a\\u12x"', '"\\u00e9', '"\u0000"', '"a\u0001"',
    '"\u001f"', '"a\tb"', '"a\nb"', '"a\rb"', '["a" "b"]', '"abc"x', '"abc" "def"',
    // numbers
    '01', '00', '-01', '-00', '-', '-a', '- 1', '--1', '1.', '1.e1', '1.x', '.1', '1e', '1e+', '1e-',
    '1ex', '1e+x', '+1', '0x1', '0x10', '1.5.5', '1e5e5', '1e5x', '1 2', '[01]', '{"a":01}', '[-]',
    '[1.]', '[1e]', '[1.5e]', '0.', '-.5', '1_000', '\u0661', '１',
    // literals
    't', 'tr', 'tru', 'trUe', 'tRue', 'truex', 'true1', 'nul', 'nulll', 'nulL', 'f', 'fals',
    'falsy', 'falsex', 'True', 'NULL', 't1', 't"', 't-', 't ', 'n\u00e9', 'tr\u{1F600}', '[tru]',
    '{"a":tru}', '{"a":nul,"b":1}',
    // objects and arrays
    '{', '{x', '{"a"', '{"a" 1}', '{"a" "b"}', '{"a" x}', '{"a"}', '{"a",}', '{"a":', '{"a":1',
    '{"a":1 x', '{"a":1,', '{"a":1,}', '{"a":1,x', '{"a":1,1', '{"a":1,"b"}', '{"a":1,"b" 2}',
    '{"a":1,"b"', '{"a":1,"b"x', '{"a":1,"b"1', '{"a":1,"b""c"', '{"a":1,"b"-', '{"a":1,"b" ',
    '{"a":1,"b"\u00e9', '{,}', '{1:2}', '{"a";1}', '{"a"=1}', '{"a":1;"b":2}', '{"a":1 "b":2}',
    '{"a":1,,"b":2}', '[', '[1', '[1,', '[1,]', '[,]', '[,1]', '[1 2]', '[1;2]', '[1,,2]',
    '[1 "a"]', ']', '}', ':', ',', '[]]', '{}}', '[]x', '{} {}', '"a":1', '1}', '[1}', '{"a":1]',
    '[{]', '[{"a":1]', '[{"a":1}', '[[1,2],[3,4]', '{"a":[1,2}', '[\n1,\n2\n,]', '\r\n{\r\n"a"\r\n}',
    '\ufeff{}', '\ufeff', '\u00a0{}', '{}\u00a0', '[1]\u2028',
    // non-ASCII around an error: positions and excerpts count UTF-16 code units
    '\u00e9', '\u{1F600}', '[\u{1F600}]', '\u{1F600}'.repeat(12) + 'x', '["' + '\u{1F600}'.repeat(12) + '",x]',
    '["' + '\u{1F600}'.repeat(5) + 'x",' + '\u{1F600}'.repeat(12) + ']',
    '[' + '1,'.repeat(5) + '\u{1F600}' + ',1'.repeat(10) + ']', '[1,x' + '\u{1F600}'.repeat(12) + ']',
    '[1,x' + 'a'.repeat(8) + '\u{1F600}' + 'b'.repeat(10) + ']', '\u00e9'.repeat(30) + ' x',
    '{"\u00e9":1,"\u{1F600}"x}', '"\u{1F600}\u0001"', '[\u0000]', '\u0000', '[1,\u0000,2]',
    // bytes that are not UTF-8, outside strings or in strings that fail (Node sees U+FFFD)
    Buffer.from([0xff]), Buffer.from([0x5b, 0xff, 0x5d]), Buffer.from([0xc3]),
    Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0x80, 0x78]),
    Buffer.from([0x22, 0xff]), Buffer.from([0x22, 0xff, 0xfe, 0x01, 0x22]),
    Buffer.from([0x22, 0x5c, 0xff, 0x22]), Buffer.from([0x5b, 0x22, 0xc3, 0x22, 0x20, 0x78, 0x5d]),
    Buffer.concat([Buffer.from('[' + '1,'.repeat(10)), Buffer.from([0xe2, 0x82]), Buffer.from(',1'.repeat(10) + ']')]),
];

// Bodies through express.json() (strict).
const strict = [
    '', ' ', '\n\t', '\ufeff', '\ufeff ', '\ufeff{}', '\ufeff\ufeff{}', '{}', '[]', ' {"a":1} ',
    '[1,2]', '"abc"', '123', '-1', 'true', 'false', 'null', 'x', 'NaN', 'undefined', '[object Object]',
    '  \n  "abcdefghijklmnopqrstuvwxyz"', '\u{1F600}abc', ' \u00e9', '{', '[', '[1,]', '{"a":1}x',
    '#', '   ####', '#{}', ' '.repeat(30) + '1', '1' + ' '.repeat(30), '"' + 'x'.repeat(40) + '"',
    '\u{1F600}'.repeat(15), '{"a":"\u00e9"}', '{"__proto__":1}', '\u0000', 'tru', '{"a":1',
    '[1] [2]', '{"a":"\\u0000"}',
    Buffer.from([0xff, 0x7b, 0x7d]), Buffer.from([0x22, 0xff, 0x22]), Buffer.from([0xef, 0xbb]),
];

// The documented difference: raw bytes inside strings are kept (U+E0xx stand for byte 0xxx).
const raw = [
    '"a\ue0ffb"', '"\ue0c3"', '"\ue0c3\ue0a9"', '["\ue0f0\ue09f", 1]', '{"k\ue0fe":"v\ue080"}',
    '"\\u00e9\ue0ff"',
];

// Cases whose depth argument matters (the expected values are still Node's: V8 has no depth limit).
const depthCases = [
    ['1', 0], ['"x"', 0], ['[1]', 1], ['{"a":[]}', 2], ['[[[[1]]]]', 4], ['[[],[],{}]', 2],
];

// ---- big inputs: [name, options, [unit, count], ...] ------------------------------------------

const big = [
    ['1 MB string', {}, ['"', 1], ['x', 1 << 20], ['"', 1]],
    ['escapes', {}, ['"', 1], ['\\u00e9\\ud83d\\ude00\\n', 50000], ['"', 1]],
    ['unterminated 1 MB string', {}, ['"', 1], ['x', 1 << 20]],
    ['100k keys', {}, ['{', 1], ['"k{i}":{i},', 100000], ['"end":0}', 1]],
    ['50k index keys among 50k names', {}, ['{"x":0,', 1], ['"z{i}":1,"{i}":2,', 50000], ['"y":0}', 1]],
    ['100k duplicate keys', {}, ['{', 1], ['"k":{i},', 100000], ['"k":-1}', 1]],
    ['1 MB number', {}, ['1', 1], ['0', 1 << 20]],
    ['1 MB fraction', {}, ['0.', 1], ['1', 1 << 20]],
    ['1 MB exponent', {}, ['1e', 1], ['0', 1 << 20], ['1', 1]],
    ['512K elements', {}, ['[', 1], ['1,', 1 << 19], ['1]', 1]],
    ['error after 512K elements', {}, ['[', 1], ['1,', 1 << 19], ['x]', 1]],
    ['error after 256K emoji', {}, ['["', 1], ['\u{1F600}', 1 << 18], ['", x]', 1]],
    ['1 MB of whitespace', {}, [' ', 1 << 20]],
    ['1 MB of whitespace then x', {}, [' ', 1 << 20], ['x', 1]],
    ['512 nested arrays at max_depth 512', { depth: 512 }, ['[', 512], [']', 512]],
    ['512 nested objects at max_depth 512', { depth: 512 }, ['{"a":', 512], ['1', 1], ['}', 512]],
    ['2000 nested arrays at max_depth 2000', { depth: 2000 }, ['[', 2000], [']', 2000]],
    ['400 unclosed arrays', {}, ['[', 400]],
    ['strict: 1 MB of whitespace', { strict: true }, [' ', 1 << 20]],
    ['strict: 1 MB string', { strict: true }, ['"', 1], ['x', 1 << 20], ['"', 1]],
    ['strict: 1 MB object', { strict: true }, ['{"a":"', 1], ['x', 1 << 20], ['"}', 1]],
];

// ---- oracle -----------------------------------------------------------------------------------

function parsePlain(str) {
    try {
        return { ok: true, v: JSON.parse(str) };
    } catch (e) {
        return { ok: false, msg: e.message };
    }
}

function parseStrict(buf) {
    return new Promise((resolve) => {
        const req = Readable.from([buf]);
        req.headers = { 'content-type': 'application/json', 'content-length': String(buf.length) };
        req.method = 'POST';
        jsonMiddleware(req, {}, (err) =>
            resolve(err ? { ok: false, msg: err.message } : { ok: true, v: req.body }),
        );
    });
}

// UTF-8 of a JS string where a lone surrogate becomes its 3-byte WTF-8 form and, when raw is set,
// U+E080..U+E0FF become the bytes 0x80..0xFF.
function wtf8(str, raw) {
    const out = [];
    for (let i = 0; i < str.length; i++) {
        let c = str.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
            const d = str.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                i++;
            }
        }
        if (raw && c >= 0xe080 && c <= 0xe0ff) out.push(c - 0xe000);
        else if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else
            out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return Buffer.from(out);
}

function hasNulKey(v) {
    if (!v || typeof v !== 'object') return false;
    return Object.keys(v).some((k) => k.includes('\0') || hasNulKey(v[k]));
}

// -> { input: Buffer, ok, want: Buffer }
async function evaluate(input, opts) {
    const buf = Buffer.isBuffer(input) ? input : wtf8(input, !!opts.raw);
    const res = opts.strict
        ? await parseStrict(buf)
        : parsePlain(opts.raw ? input : buf.toString('utf8'));
    if (!res.ok) {
        const msg = res.msg.includes('\0') ? res.msg.slice(0, res.msg.indexOf('\0')) : res.msg;
        return { input: buf, ok: false, want: wtf8(msg, false) };
    }
    // json-c cannot hold a NUL inside a key: those cases are tested by hand in the C file.
    if (hasNulKey(res.v)) throw new Error(`case ${JSON.stringify(input)} has a NUL in a key`);
    return { input: buf, ok: true, want: wtf8(JSON.stringify(res.v), !!opts.raw) };
}

// ---- C output ---------------------------------------------------------------------------------

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

function expand(segs) {
    const parts = [];
    for (const [unit, count] of segs)
        for (let i = 0; i < count; i++) parts.push(unit.replace('{i}', String(i)));
    return parts.join('');
}

const all = [
    ...valid.map((s) => [s, {}]),
    ...invalid.map((s) => [s, {}]),
    ...strict.map((s) => [s, { strict: true }]),
    ...raw.map((s) => [s, { raw: true }]),
    ...depthCases.map(([s, depth]) => [s, { depth }]),
];
const rows = [];
for (const [input, opts] of all) {
    const r = await evaluate(input, opts);
    const flags = opts.strict ? 'STRICT' : '0';
    const depth = opts.depth ?? DEPTH;
    rows.push(
        `    ${r.ok ? 'OK' : 'ERR'}(${flags}, ${depth}, ${cLiteral(r.input, 8)},\n` +
            `        ${cLiteral(r.want, 8)}),`,
    );
}
const bigRows = [];
for (const [name, opts, ...segs] of big) {
    const r = await evaluate(Buffer.from(expand(segs)), opts);
    const segText = segs.map(([u, c]) => `{${cLiteral(Buffer.from(u), 10)}, ${c}}`).join(', ');
    const want = r.ok ? `${r.want.length}, ${fnv1a64(r.want)}, NULL` : `0, 0, ${cLiteral(r.want, 5)}`;
    bigRows.push(
        `    {${cLiteral(Buffer.from(name), 5)}, ${opts.strict ? 'STRICT' : '0'}, ` +
            `${opts.depth ?? DEPTH},\n     {${segText}},\n     ${want}},`,
    );
}

const block = [
    `/* BEGIN GENERATED by tests/unit/core/gen_jsonparse_cases.mjs, node ${process.version}, ` +
        `body-parser ${bpVersion} */`,
    'static const jp_case_t jp_cases[] = {',
    ...rows,
    '};',
    '',
    'static const jp_big_t jp_big[] = {',
    ...bigRows,
    '};',
    '/* END GENERATED */',
].join('\n');

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, 'test_jsonparse.c');
const src = readFileSync(path, 'utf8');
const re = /\/\* BEGIN GENERATED[^\n]*\n[\s\S]*?\/\* END GENERATED \*\//;
if (!re.test(src)) throw new Error(`no GENERATED markers in ${path}`);
writeFileSync(path, src.replace(re, () => block));
console.log(`${path}: ${rows.length} rows, ${bigRows.length} big inputs`);
