// A tiny SMTP server for the tests: it accepts every mail on loopback and keeps it, so a test
// can wait for the password reset mail and follow its link. No TLS (the pool under test runs
// with EMAIL_SMTP_IGNORE_TLS=true), AUTH PLAIN / LOGIN accepted and recorded, no npm packages.
//
//   import { startSmtp, parseMail } from './lib/smtp.mjs';
//   const smtp = await startSmtp();                 // { port, messages, connections, waitFor, close }
//   const mail = await smtp.waitFor((m) => m.to.includes('a@example.com'));
//   const { headers, body } = parseMail(mail.data);
//
// Standalone (to point a real Directus at it):  node tests/api/lib/smtp.mjs [--port 2525]
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function startSmtp({ port = 0, host = '127.0.0.1', name = 'celer-test-smtp' } = {}) {
	const messages = [];
	const state = { connections: 0, commands: [] };
	const server = net.createServer((sock) => {
		state.connections++;
		let buf = '';
		let mail = null;
		let inData = false;
		let authStep = null;
		let auth = null;
		const reply = (line) => sock.write(line + '\r\n');
		reply(`220 ${name} ESMTP`);
		sock.setEncoding('latin1');
		sock.on('error', () => {});
		sock.on('data', (chunk) => {
			buf += chunk;
			for (;;) {
				if (inData) {
					const end = buf.indexOf('\r\n.\r\n');
					const atStart = buf.startsWith('.\r\n');
					if (end < 0 && !atStart) return;
					const raw = atStart ? '' : buf.slice(0, end);
					buf = buf.slice(atStart ? 3 : end + 5);
					inData = false;
					// Undo the dot-stuffing of the sender.
					mail.data = Buffer.from(raw.replace(/^\.\./gm, '.'), 'latin1').toString('utf8');
					mail.auth = auth;
					messages.push(mail);
					mail = null;
					reply('250 2.0.0 Ok: queued');
					continue;
				}
				const nl = buf.indexOf('\r\n');
				if (nl < 0) return;
				const line = buf.slice(0, nl);
				buf = buf.slice(nl + 2);
				state.commands.push(line.replace(/^(AUTH \w+) .*/i, '$1 ***'));
				if (authStep) {
					authStep(line);
					continue;
				}
				const verb = line.split(' ')[0].toUpperCase();
				if (verb === 'EHLO') reply(`250-${name}\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760`);
				else if (verb === 'HELO') reply(`250 ${name}`);
				else if (verb === 'AUTH') {
					const [, mech, initial] = line.split(' ');
					if (/^plain$/i.test(mech) && initial) {
						const [, user, pass] = Buffer.from(initial, 'base64').toString().split('\0');
						auth = { user, pass };
						reply('235 2.7.0 Authentication successful');
					} else if (/^plain$/i.test(mech)) {
						reply('334 ');
						authStep = (l) => {
							const [, user, pass] = Buffer.from(l, 'base64').toString().split('\0');
							auth = { user, pass };
							authStep = null;
							reply('235 2.7.0 Authentication successful');
						};
					} else if (/^login$/i.test(mech)) {
						reply('334 VXNlcm5hbWU6');
						authStep = (l) => {
							auth = { user: Buffer.from(l, 'base64').toString() };
							reply('334 UGFzc3dvcmQ6');
							authStep = (p) => {
								auth.pass = Buffer.from(p, 'base64').toString();
								authStep = null;
								reply('235 2.7.0 Authentication successful');
							};
						};
					} else reply('504 5.5.4 Unrecognized authentication type');
				} else if (verb === 'MAIL') {
					mail = { from: (line.match(/<([^>]*)>/) || [])[1] ?? '', to: [], data: '' };
					reply('250 2.1.0 Ok');
				} else if (verb === 'RCPT') {
					if (!mail) reply('503 5.5.1 Error: need MAIL command');
					else {
						mail.to.push((line.match(/<([^>]*)>/) || [])[1] ?? '');
						reply('250 2.1.5 Ok');
					}
				} else if (verb === 'DATA') {
					if (!mail || !mail.to.length) reply('503 5.5.1 Error: need RCPT command');
					else {
						inData = true;
						reply('354 End data with <CR><LF>.<CR><LF>');
					}
				} else if (verb === 'RSET') {
					mail = null;
					reply('250 2.0.0 Ok');
				} else if (verb === 'NOOP') reply('250 2.0.0 Ok');
				else if (verb === 'VRFY') reply('252 2.0.0 Cannot VRFY user');
				else if (verb === 'QUIT') {
					reply('221 2.0.0 Bye');
					sock.end();
					return;
				} else reply('502 5.5.2 Error: command not recognized');
			}
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	return {
		port: server.address().port,
		messages,
		get connections() {
			return state.connections;
		},
		commands: state.commands,
		/** The first message (already received or arriving within ms) that satisfies pred. */
		async waitFor(pred = () => true, ms = 10000) {
			const end = Date.now() + ms;
			for (;;) {
				const m = messages.find(pred);
				if (m) return m;
				if (Date.now() > end) throw new Error('no matching mail arrived');
				await sleep(20);
			}
		},
		close() {
			return new Promise((resolve) => server.close(resolve));
		},
	};
}

/** Decodes quoted-printable text (soft line breaks, =XX escapes) into UTF-8. */
export function decodeQuotedPrintable(text) {
	const bytes = [];
	const src = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < src.length; i++) {
		if (src[i] === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
			bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(src[i], 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

/** Splits a message into lower-cased headers (unfolded) and its decoded body. */
export function parseMail(raw) {
	const sep = raw.indexOf('\r\n\r\n');
	const head = raw.slice(0, sep).replace(/\r\n[ \t]+/g, ' ');
	const headers = {};
	for (const line of head.split('\r\n')) {
		const i = line.indexOf(':');
		headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
	}
	let body = raw.slice(sep + 4);
	const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
	if (cte === 'quoted-printable') body = decodeQuotedPrintable(body);
	else if (cte === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	return { headers, body };
}

/** The first href of an HTML body, entities decoded. */
export function firstLink(html) {
	const m = html.match(/href="([^"]+)"/);
	return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const i = process.argv.indexOf('--port');
	const smtp = await startSmtp({ port: i > 0 ? Number(process.argv[i + 1]) : 2525 });
	console.log(`smtp: listening on 127.0.0.1:${smtp.port}`);
	let seen = 0;
	setInterval(() => {
		for (; seen < smtp.messages.length; seen++) {
			const m = smtp.messages[seen];
			console.log(`--- mail from <${m.from}> to ${m.to.map((t) => `<${t}>`).join(', ')}\n${m.data}\n---`);
		}
	}, 100);
}
