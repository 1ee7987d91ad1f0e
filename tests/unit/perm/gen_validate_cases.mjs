// Regenerates the expected answers in tests/unit/perm/test_validate.c from Directus 11.3.5's own
// packages: @directus/utils 12.0.5 (validatePayload, generateJoi on joi 17.13.3) and
// @directus/validation 1.0.5 (joiValidationErrorItemToErrorExtensions, FailedValidationError),
// called as processPayload calls them. Nothing in the C table is written by hand.
//
//   mkdir -p /tmp/joirec && cd /tmp/joirec && npm init -y &&
//     npm install joi@17.13.3 @directus/utils@12.0.5 @directus/validation@1.0.5
//   TZ=UTC node tests/unit/perm/gen_validate_cases.mjs /tmp/joirec
//
// It rewrites the text between the BEGIN GENERATED and END GENERATED markers of test_validate.c.
// Each row: the filter given to validatePayload, the payload, and the error envelope Directus's
// error handler renders for the thrown FailedValidationError array ("" when the payload passes,
// "THROWS" when Directus throws a plain Error, which it answers as a 500).

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] || process.env.JOI_ORACLE_DIR;
if (!dir) {
    console.error('usage: TZ=UTC node gen_validate_cases.mjs <dir with the packages installed>');
    process.exit(2);
}
if (process.env.TZ !== 'UTC') throw new Error('run with TZ=UTC (dates in messages use the local zone)');
const imp = (m) => import(join(dir, 'node_modules', m, JSON.parse(readFileSync(join(dir, 'node_modules', m, 'package.json'))).exports?.['.']?.default ?? JSON.parse(readFileSync(join(dir, 'node_modules', m, 'package.json'))).exports?.['.'] ?? 'dist/index.js'));
const { validatePayload } = await imp('@directus/utils');
const { FailedValidationError, joiValidationErrorItemToErrorExtensions } = await imp('@directus/validation');
const require = createRequire(join(dir, 'package.json'));
if (require('joi/package.json').version !== '17.13.3') throw new Error('joi 17.13.3 needed');

const cases = [
    // _eq / _neq: strings, numbers, numeric strings, booleans, null
    [{ title: { _eq: 'a' } }, { title: 'a' }],
    [{ title: { _eq: 'a' } }, { title: 'b' }],
    [{ title: { _eq: 'a' } }, {}],
    [{ title: { _eq: 'a' } }, { title: null }],
    [{ n: { _eq: 5 } }, { n: 5 }],
    [{ n: { _eq: 5 } }, { n: '5' }],
    [{ n: { _eq: 5 } }, { n: 6 }],
    [{ n: { _eq: '5' } }, { n: 5 }],
    [{ n: { _eq: '5' } }, { n: 6 }],
    [{ b: { _eq: true } }, { b: false }],
    [{ b: { _eq: null } }, { b: 1 }],
    [{ title: { _neq: 'a' } }, { title: 'a' }],
    [{ title: { _neq: 'a' } }, { title: 'b' }],
    [{ n: { _neq: 5 } }, { n: 5 }],
    [{ n: { _neq: '5' } }, { n: '5' }],
    // _in / _nin
    [{ s: { _in: ['a', 'b'] } }, { s: 'c' }],
    [{ s: { _in: ['a', 'b'] } }, { s: 'b' }],
    [{ s: { _in: ['a'] } }, { s: 'c' }],
    [{ s: { _in: [1, 2] } }, { s: '1' }],
    [{ s: { _nin: ['a', 'b'] } }, { s: 'a' }],
    [{ s: { _nin: ['a'] } }, { s: 'a' }],
    [{ s: { _nin: ['a', 'b'] } }, { s: 'c' }],
    [{ s: { _in: Array.from({ length: 70 }, (_, i) => i) } }, { s: 69 }],
    [{ s: { _in: Array.from({ length: 70 }, (_, i) => i) } }, { s: 70 }],
    // _null / _nnull / _empty / _nempty / _submitted
    [{ s: { _null: true } }, { s: 'x' }],
    [{ s: { _null: true } }, { s: null }],
    [{ s: { _null: true } }, {}],
    [{ s: { _nnull: true } }, { s: null }],
    [{ s: { _nnull: true } }, {}],
    [{ s: { _nnull: true } }, { s: 0 }],
    [{ s: { _empty: true } }, { s: 'x' }],
    [{ s: { _empty: true } }, { s: '' }],
    [{ s: { _nempty: true } }, { s: '' }],
    [{ s: { _submitted: true } }, {}],
    [{ s: { _submitted: true } }, { s: null }],
    // numeric comparisons
    [{ n: { _gt: 5 } }, { n: 5 }],
    [{ n: { _gt: 5 } }, { n: 6 }],
    [{ n: { _gt: 5 } }, { n: '6' }],
    [{ n: { _gt: 5 } }, { n: '4' }],
    [{ n: { _gt: '5' } }, { n: 4 }],
    [{ n: { _gte: 5 } }, { n: 4.5 }],
    [{ n: { _lt: 5 } }, { n: 5 }],
    [{ n: { _lte: 5 } }, { n: 6 }],
    [{ n: { _lte: 5 } }, { n: 'abc' }],
    [{ n: { _lte: 5 } }, { n: null }],
    [{ n: { _lte: 5 } }, { n: true }],
    [{ n: { _gt: 1.5 } }, { n: 1 }],
    [{ n: { _between: [1, 10] } }, { n: 11 }],
    [{ n: { _between: [1, 10] } }, { n: 0 }],
    [{ n: { _between: [1, 10] } }, { n: 5 }],
    [{ n: { _between: ['1', '10'] } }, { n: '20' }],
    [{ n: { _nbetween: [1, 10] } }, { n: 5 }],
    // date comparisons
    [{ d: { _gt: '2024-01-01' } }, { d: '2023-06-01' }],
    [{ d: { _gt: '2024-01-01' } }, { d: '2024-06-01' }],
    [{ d: { _lt: '2024-01-01T10:00:00Z' } }, { d: '2024-06-01T00:00:00.000Z' }],
    [{ d: { _gte: '2024-01-01' } }, { d: 'not a date' }],
    [{ d: { _between: ['2024-01-01', '2024-12-31'] } }, { d: '2025-01-01' }],
    // string operators
    [{ s: { _contains: 'ab' } }, { s: 'xaby' }],
    [{ s: { _contains: 'ab' } }, { s: 'xy' }],
    [{ s: { _contains: 'ab' } }, { s: ['ab', 'c'] }],
    [{ s: { _contains: 'ab' } }, { s: ['x'] }],
    [{ s: { _contains: 'ab' } }, { s: 5 }],
    [{ s: { _contains: 'ab' } }, { s: '' }],
    [{ s: { _contains: 'ab' } }, { s: null }],
    [{ s: { _icontains: 'AB' } }, { s: 'xaby' }],
    [{ s: { _icontains: 'AB' } }, { s: 'xy' }],
    [{ s: { _ncontains: 'ab' } }, { s: 'xaby' }],
    [{ s: { _ncontains: 'ab' } }, { s: 'xy' }],
    [{ s: { _contains: 5 } }, { s: 'x' }],
    [{ s: { _starts_with: 'ab' } }, { s: 'abc' }],
    [{ s: { _starts_with: 'ab' } }, { s: 'cab' }],
    [{ s: { _starts_with: 'a.b' } }, { s: 'axb' }],
    [{ s: { _nstarts_with: 'ab' } }, { s: 'abc' }],
    [{ s: { _istarts_with: 'AB' } }, { s: 'cab' }],
    [{ s: { _nistarts_with: 'AB' } }, { s: 'abc' }],
    [{ s: { _ends_with: 'yz' } }, { s: 'xyz' }],
    [{ s: { _ends_with: 'yz' } }, { s: 'yzx' }],
    [{ s: { _nends_with: 'yz' } }, { s: 'xyz' }],
    [{ s: { _iends_with: 'YZ' } }, { s: 'yzx' }],
    [{ s: { _niends_with: 'YZ' } }, { s: 'xyz' }],
    [{ s: { _starts_with: 'ab' } }, { s: 5 }],
    [{ s: { _starts_with: 'ab' } }, { s: '' }],
    [{ s: { _regex: '^[a-z]+$' } }, { s: 'abc' }],
    [{ s: { _regex: '^[a-z]+$' } }, { s: 'ab1' }],
    [{ s: { _regex: '/^[a-z]+$/' } }, { s: 'ab1' }],
    [{ s: { _regex: '^[a-z]+$' } }, { s: 7 }],
    [{ s: { _regex: '^\\d{3}$' } }, { s: '123' }],
    [{ s: { _regex: '^a' } }, { s: null }],
    [{ n: { _between: [1, 10] } }, { n: null }],
    [{ n: { _nbetween: [1, 10] } }, {}],
    [{ s: { _ncontains: 'ab' } }, { s: ['x', 5] }],
    [{ s: { _ncontains: 'ab' } }, { s: ['xab'] }],
    [{ s: { _icontains: 'AB' } }, { s: ['x', 'ab'] }],
    [{ s: { _contains: 'ab' } }, { s: true }],
    [{ s: { _contains: null } }, { s: true }],
    [{ s: { _regex: '(' } }, {}],
    [{ s: { _regex: '^a' } }, { s: '' }],
    [{ s: { _in: [] } }, { s: 'a' }],
    [{ s: { _in: 'ab' } }, { s: 'c' }],
    [{ s: { _in: 5 } }, {}],
    [{ d: { _gt: 'soon' } }, {}],
    [{ d: { _gt: 'soon' } }, { d: '2024-01-01' }],
    [{ n: { _between: 5 } }, {}],
    [{ n: { _between: [1] } }, { n: 3 }],
    [{ n: { _gt: 5 } }, { n: '5.10' }],
    [{ n: { _gt: 5 } }, { n: ' 7 ' }],
    [{ n: { _gt: 5 } }, { n: '1.00000000000000000001' }],
    [{ n: { _gt: 5 } }, { n: '' }],
    [{ n: { _gt: 5 } }, { n: 99999999999999999999 }],
    [{ d: { _gt: '2024-01-01' } }, { d: 1700000000000 }],
    [{ d: { _gt: '2024-01-01' } }, { d: '1700000000000' }],
    [{ d: { _gt: '2024-01-01' } }, { d: '2023-01-01 10:00:00' }],
    [{ s: { _eq: { a: 1 } } }, { s: { a: 1 } }],
    [{ s: { _eq: [1, 2] } }, { s: 'x' }],
    [{ s: null }, { s: 'x' }],
    [{ s: 'abc' }, { s: 'x' }],
    [{ s: 5 }, { s: 'x' }],
    // unknown operators and shapes
    [{ s: { _intersects: 'x' } }, { s: 'y' }],
    [{ s: {} }, { s: 'y' }],
    [{ rel: { name: { _eq: 'a' } } }, { rel: { name: 'b' } }],
    [{ rel: { name: { _eq: 'a' } } }, { rel: { name: 'a' } }],
    [{ rel: { name: { _eq: 'a' } } }, { rel: 5 }],
    [{ rel: { name: { _eq: 'a' } } }, {}],
    [{ s: { _eq: 'a', _neq: 'a' } }, { s: 'b' }],
    // logical operators
    [{ _and: [{ a: { _eq: 1 } }, { b: { _eq: 2 } }] }, { a: 2, b: 3 }],
    [{ _or: [{ a: { _eq: 1 } }, { b: { _eq: 2 } }] }, { a: 2, b: 3 }],
    [{ _or: [{ a: { _eq: 1 } }, { b: { _eq: 2 } }] }, { a: 1, b: 3 }],
    [{ _and: [{ _or: [{ a: { _eq: 1 } }, { a: { _eq: 2 } }] }, { b: { _nnull: true } }] }, { a: 3, b: null }],
    [{ _and: [{ a: { _submitted: true } }, { a: { _nnull: true } }, { b: { _submitted: true } }] }, { a: null }],
    [{ _and: [] }, { a: 1 }],
    [{ _or: [] }, { a: 1 }],
    // function keys (injectFunctionResults): date parts of ISO strings, count() of arrays
    [{ 'year(date)': { _eq: 2022 } }, { date: '2022-03-29T11:37:56Z' }],
    [{ 'year(date)': { _eq: 2022 } }, { date: '2021-12-31T23:59:59+01:00' }],
    [{ 'year(date)': { _eq: 2022 } }, { date: '2021-12-31T23:30:00-01:00' }],
    [{ 'year(date)': { _eq: 2022 } }, {}],
    [{ 'year(date)': { _eq: 2022 } }, { date: null }],
    [{ 'year(date)': { _eq: 2022 } }, { date: 5 }],
    [{ 'year(date)': { _gt: 2022 } }, { date: 'garbage' }],
    [{ 'year(date)': { _eq: 2022 } }, { date: 'garbage' }],
    [{ 'year(date)': { _null: true } }, { date: 'garbage' }],
    [{ 'month(date)': { _between: [3, 5] } }, { date: '2022-06-01' }],
    [{ 'month(date)': { _in: [1, 3] } }, { date: '2022-03-29' }],
    [{ 'day(date)': { _lt: 15 } }, { date: '2022-03-29 10:00:00' }],
    [{ 'weekday(date)': { _eq: 2 } }, { date: '2022-03-29' }],
    [{ 'weekday(date)': { _eq: 0 } }, { date: '2022-03-27' }],
    [{ 'hour(date)': { _gte: 12 } }, { date: '2022-03-29T11:37:56Z' }],
    [{ 'minute(date)': { _eq: 37 } }, { date: '2022-03-29T11:37:56Z' }],
    [{ 'second(date)': { _eq: 56 } }, { date: '2022-03-29T11:37:56.9Z' }],
    [{ 'foo(date)': { _eq: 1 } }, { date: '2022-03-29' }],
    [{ 'count(tags)': { _gte: 2 } }, { tags: [1] }],
    [{ 'count(tags)': { _gte: 2 } }, { tags: [1, 2, 3] }],
    [{ 'count(tags)': { _gte: 2 } }, { tags: 'x' }],
    [{ 'count(tags)': { _null: true } }, {}],
    [{ a: { 'month(d)': { _eq: 3 } } }, { a: { d: '2022-03-29' } }],
    [{ a: { 'month(d)': { _eq: 4 } } }, { a: { d: '2022-03-29' } }],
    [{ a: { 'month(d)': { _eq: 3 } } }, {}],
    [{ 'count(tags)': { _eq: 1 } }, { 'count(tags)': 9, tags: [1] }],
    [{ _and: [{ 'year(d)': { _eq: 2022 } }, { 'month(d)': { _eq: 1 } }] }, { d: '2022-03-29' }],
    ...['2021-01-01', '2021-01-02', '2021-01-03', '2021-12-25', '2021-12-26', '2021-12-31', '2022-01-01',
        '2022-01-02', '2022-06-15', '2022-12-31', '2023-01-01', '2024-12-29', '2024-12-31', '2026-11-26']
        .flatMap((d) => [[{ 'week(d)': { _eq: 1 } }, { d }], [{ 'week(d)': { _lt: 0 } }, { d }]]),
];

// A sweep: every operator generateJoi knows, with a typical compare value, against values of
// every JSON type (and the key missing).
const sweepOps = {
    _eq: 'a', _neq: 'a', _in: ['a', 'b'], _nin: ['a', 'b'], _null: true, _nnull: true, _empty: true, _nempty: true,
    _submitted: true, _gt: 3, _gte: 3, _lt: 3, _lte: 3, _between: [1, 5], _nbetween: [1, 5],
    _contains: 'a', _icontains: 'A', _ncontains: 'a', _starts_with: 'a', _nstarts_with: 'a', _istarts_with: 'A',
    _nistarts_with: 'A', _ends_with: 'a', _nends_with: 'a', _iends_with: 'A', _niends_with: 'A', _regex: '^a',
};
const sweepValues = [null, '', 'a', 'ba', 4, 0, true, false, [], ['a'], {}, { a: 1 }];
for (const [op, c] of Object.entries(sweepOps)) {
    cases.push([{ f: { [op]: c } }, {}]);
    for (const v of sweepValues) cases.push([{ f: { [op]: c } }, { f: v }]);
}

function run(filter, payload) {
    try {
        const errors = validatePayload(filter, payload)
            .map((error) => error.details.map((d) => new FailedValidationError(joiValidationErrorItemToErrorExtensions(d))))
            .flat();
        if (!errors.length) return '';
        return JSON.stringify({ errors: errors.map((e) => ({ message: e.message, extensions: { ...(e.extensions ?? {}), code: e.code } })) });
    } catch (err) {
        if (Array.isArray(err)) throw err;
        return 'THROWS';
    }
}

const cstr = (s) => JSON.stringify(s).replace(/\?/g, '\\?');
const rows = cases.map(([f, p]) => `    {${cstr(JSON.stringify(f))},\n     ${cstr(JSON.stringify(p))},\n     ${cstr(run(f, p))}},`);
const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'test_validate.c');
const src = readFileSync(file, 'utf8');
const begin = src.indexOf('/* BEGIN GENERATED');
const end = src.indexOf('/* END GENERATED */');
const head = `/* BEGIN GENERATED by tests/unit/perm/gen_validate_cases.mjs from joi 17.13.3, @directus/utils 12.0.5, @directus/validation 1.0.5, node ${process.version} */\nstatic const validate_case_t validate_cases[] = {\n`;
writeFileSync(file, src.slice(0, begin) + head + rows.join('\n') + '\n};\n' + src.slice(end));
