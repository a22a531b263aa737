// A minimal SMTP server for the outbox throughput benchmark: it accepts
// every message, keeps nothing but the envelope recipient, the Message-ID
// and the arrival time, and answers at once. tests/fakes/smtp_sink.py
// parses each message (email + icalendar) and fsyncs two files per message,
// which makes it the bottleneck of a throughput run; this one is not.
//
//   import { startCountingSink } from './smtp-count.mjs';
//   const sink = await startCountingSink();   // sink.port, sink.count(), sink.stats(), sink.close()
//
// Speaks what libcurl sends: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
// Listens on 127.0.0.1 only. Node 20, no packages.
import net from 'node:net';

export function startCountingSink() {
  const received = []; // { rcpt, messageId, at }
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = Buffer.alloc(0);
    let inData = false;
    let rcpts = [];
    const reply = (line) => sock.write(`${line}\r\n`);
    sock.on('error', () => {});
    reply('220 smtp-count.bench ESMTP');
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (inData) {
          // The message ends with CRLF.CRLF, or is empty (a lone "." line).
          const empty = buf.subarray(0, 3).toString('latin1') === '.\r\n';
          const end = empty ? 0 : buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const body = buf.subarray(0, end);
          buf = buf.subarray(empty ? 3 : end + 5);
          const head = body.subarray(0, Math.max(0, body.indexOf('\r\n\r\n'))).toString('latin1');
          const m = /^message-id:[ \t]*(.*(?:\r\n[ \t].*)*)/im.exec(head);
          const messageId = m ? m[1].replace(/\r\n[ \t]+/g, ' ').trim() : null;
          const at = Date.now();
          for (const rcpt of rcpts) received.push({ rcpt, messageId, at });
          rcpts = [];
          inData = false;
          reply('250 2.0.0 OK');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { reply('250-smtp-count.bench'); reply('250 8BITMIME'); }
        else if (verb === 'HELO') reply('250 smtp-count.bench');
        else if (verb === 'MAIL') { rcpts = []; reply('250 2.1.0 OK'); }
        else if (verb === 'RCPT') {
          const r = /<([^>]*)>/.exec(line);
          rcpts.push(r ? r[1].toLowerCase() : line.slice(8).trim());
          reply('250 2.1.5 OK');
        } else if (verb === 'DATA') { inData = true; reply('354 end with <CRLF>.<CRLF>'); }
        else if (verb === 'RSET') { rcpts = []; reply('250 2.0.0 OK'); }
        else if (verb === 'NOOP') reply('250 2.0.0 OK');
        else if (verb === 'QUIT') { reply('221 2.0.0 bye'); sock.end(); return; }
        else reply('502 5.5.2 not implemented');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        count: () => received.length,
        messages: () => received,
        close: () => new Promise((r) => {
          server.close(() => r());
          for (const s of sockets) s.destroy();
        }),
      });
    });
  });
}
