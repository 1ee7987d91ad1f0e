// Regenerates the expected renderings in tests/unit/services/test_export.c from the libraries
// Directus 11.3.5 exports with (json2csv 5.0.7, js2xmlparser 5.0.0, js-yaml 4.1.0), called as
// its ExportService.transform calls them. Nothing in the C table is written by hand.
//
//   mkdir -p /tmp/exportpin && cd /tmp/exportpin && npm init -y &&
//     npm install json2csv@5.0.7 js2xmlparser@5.0.0 js-yaml@4.1.0
//   node tests/unit/services/gen_export_cases.mjs /tmp/exportpin
//
// It rewrites the text between the BEGIN GENERATED and END GENERATED markers of test_export.c.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = process.argv[2] || process.env.EXPORT_ORACLE_DIR || '/tmp/exportpin';
const require = createRequire(path.join(dir, 'package.json'));
const { dump: toYAML } = require('js-yaml');
const { parse: toXML } = require('js2xmlparser');
const { Parser: CSVParser, transforms } = require('json2csv');

// ExportService.transform, format by format.
const render = {
    csv: (input) => {
        if (input.length === 0) return '';
        return new CSVParser({ transforms: [transforms.flatten({ separator: '.' })], header: true }).parse(input);
    },
    xml: (input) => toXML('data', input),
    yaml: (input) => toYAML(input),
};

const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.';
const inputs = [
    [{ id: 1, title: 'Hello, "world"', views: 0, rating: null, price: '12.50', metadata: { a: 1, b: [1, 2] }, tags: [1, 2], author: { name: 'Ann', id: 3 }, flag: true, none: [], empty: {} },
     { id: 2, title: 'line\nbreak', extra: 'x' }],
    [],
    { id: 1, site: 'Singleton', nested: { deep: { deeper: { v: 'x' } } } },
    [{ a: '<tag>&amp;', b: "it's", c: 1.5, d: -0, e: 1e21, f: '', g: ' lead', h: '123', i: 'true', j: 'null', k: '2024-01-01', l: 'a: b', m: '- x', n: '#x', o: 'ü✓', p: 'multi\nline\n', q: 'tab\tx' }],
    [{ y: 'yes', Y: 'N', off: 'Off', b60: '12:30', b60b: '-1:20:30.5', hex: '0x1F', bin: '0b101', oct: '0o17', us: '1_000', dot: '.5', exp: '1e5', fl: '3.', inf: '.inf', nan: '.NaN', ts: '2024-01-01 10:00:00', tsz: '2024-1-2T3:04:05.123Z', tso: '2024-01-02t03:04:05 +01:00', merge: '<<', tilde: '~', dash: '-', doc: '---', colon: 'key:value', hash: 'a#b', hash2: 'a #b', trail: 'a ', q1: '?x', pct: '%x', at: '@x', bq: '`x', star: '*x', amp: '&x', bang: '!x', pipe: '|x', gt: '>x', eq: '=x', br: '[x]', cb: '{x}', comma: 'a,b', plus: '+1', neg: '-1', negf: '-1.5', sp: 'a  b' }],
    [{ text: long, text2: long + ' ' + long, nolong: 'x'.repeat(100), nl_long: long + '\n' + long + '\n\n' + long, indented: 'a\n  b\n c', lead_nl: '\n\nx', keep: 'x\n\n', only_nl: '\n', crlf: 'a\r\nb', ctrl: 'a\u0001b\u007f', nbsp: 'a\u00a0b', ls: 'a\u2028b', emoji: '😀 smile', bom: '\ufeffx', esc: 'back\\slash "q"', deep: { deeper: { deepest: { text: long } } }, arr: [[1, [2, 3]], [], {}, [{ a: 1, b: [{ c: 2 }] }]] }],
    [{ n1: 0.1, n2: 1e-7, n3: 5e-100, n4: 123456789012345680000, n5: -5, n6: 2.5e-7, n7: 1.7976931348623157e308, n8: 100, n9: 0.000001 }],
    [{ a: null, b: null }, { a: 1 }, { b: null }],
    [{ 'a.b': 1, a: { b: 2, c: 3 } }, { a: null }, { a: [1] }],
    [{ a: [[1, 2], [3]], b: [{ x: 1 }, { y: null }], c: { d: [] }, e: 'x]]>y', g: '"\'>&<' }],
    [{ '1abc': 1 }],
    [{ 'a b': 'space' }],
    [{ bad: 'a\u0001b' }],
    [{ '@x': { y: 1, z: 'q\'&<' } }, { '#v': 't' }, { '=': 'renamed' }, { ä: 1, 'a-b.c_d': 2, 'x:y': 3 }],
    [1, 'x', null, true, [1, 2]],
    {},
    [{}, {}],
    [{ 'key with spaces': 1, 'y': 2, 'yes': 3, '': 4, 'a: b': 5 }],
    [{ text: 'x'.repeat(50) + ' ' + 'y'.repeat(50) + ' z' }],
    [{ w78: 'a '.repeat(39), w80: 'b'.repeat(40) + ' ' + 'c'.repeat(39), w81: 'd'.repeat(40) + ' ' + 'e'.repeat(40),
       more: long + '\n  indented ' + long + '\n' + long, spaces: long.replace(/ /g, '  '), trailing: long + ' \n' + long + '  ',
       nbword: 'x'.repeat(90) + ' y', uni: 'é'.repeat(50) + ' ' + '😀'.repeat(30), tabs: long + '\t' + long }],
    [{ ['k'.repeat(1100)]: 1, ['long key ' + long]: 2, ['multi\nline']: 3 }],
    [{ lvl: JSON.parse('['.repeat(20) + JSON.stringify({ t: long }) + ']'.repeat(20)) }],
]

const esc = (s) => '"' + Buffer.from(s, 'utf8').toString('latin1').replace(/[\s\S]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch === '"') return '\\"';
    if (ch === '\\') return '\\\\';
    if (ch === '\n') return '\\n"\n      "';
    if (c < 0x20 || c >= 0x7f || ch === '?') return '\\' + c.toString(8).padStart(3, '0');
    return ch;
}) + '"';

let out = '';
for (const input of inputs) {
    const row = [JSON.stringify(input)];
    for (const f of ['csv', 'xml', 'yaml']) {
        let r;
        try { r = render[f](JSON.parse(row[0])); } catch { r = null; }
        row.push(r);
    }
    out += '    {' + row.map((r) => (r === null ? 'NULL' : esc(r))).join(',\n     ') + '},\n';
}
const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test_export.c');
const src = readFileSync(file, 'utf8');
const begin = '/* BEGIN GENERATED */\n', end = '    /* END GENERATED */';
writeFileSync(file, src.slice(0, src.indexOf(begin) + begin.length) + out + src.slice(src.indexOf(end)));
