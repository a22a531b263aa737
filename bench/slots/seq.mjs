#!/usr/bin/env node
// Sequential latency of single requests, one connection (keep-alive), for
// the slots benchmark's scaling table.
//
//   node bench/slots/seq.mjs --url http://127.0.0.1:PORT --cases FILE \
//       [--requests 200] [--rounds 3] [--warmup 20]
//
// FILE: a JSON array of {"name": "...", "paths": ["/api/...", ...]}. Each
// round runs --requests requests of every case, one at a time, cycling over
// the case's paths; the order of the cases rotates every round, so a drift of
// the machine favours none. A warm-up of --warmup requests per case comes
// first, not measured. Every answer must be 200.
//
// On stdout, one JSON object: per case, the median of the round medians
// (p50Ms), the round medians, the p90 over all requests, the mean, and for
// each path its body size and number of slots (when the body has "slots").
import http from 'node:http';
import fs from 'node:fs';
import process from 'node:process';

function usage(msg) {
  if (msg) process.stderr.write(`seq: ${msg}\n`);
  process.stderr.write('usage: seq.mjs --url URL --cases FILE [--requests N] [--rounds N] [--warmup N]\n');
  process.exit(2);
}

const o = { requests: 200, rounds: 3, warmup: 20 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = process.argv[++i];
  if (v === undefined) usage(`${a} needs a value`);
  if (a === '--url') o.url = new URL(v);
  else if (a === '--cases') o.cases = JSON.parse(fs.readFileSync(v, 'utf8'));
  else if (['--requests', '--rounds', '--warmup'].includes(a)) {
    if (!/^\d+$/.test(v)) usage(`${a} must be a whole number`);
    o[a.slice(2)] = Number(v);
  } else usage(`unknown option ${a}`);
}
if (!o.url || !Array.isArray(o.cases) || !o.cases.length) usage('--url and --cases are required');
if (o.requests < 1 || o.rounds < 1) usage('--requests and --rounds must be at least 1');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: o.url.hostname, port: o.url.port, path, agent,
      headers: { Accept: 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        } else resolve({ ms, body: Buffer.concat(chunks) });
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${path}: no answer in 30 s`)));
    req.on('error', reject);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const r3 = (x) => Number(x.toFixed(3));

async function main() {
  const res = {};
  for (const c of o.cases) {
    const shapes = [];
    for (const p of c.paths) {
      const { body } = await get(p);
      let slots = null;
      try { const j = JSON.parse(body); if (Array.isArray(j.slots)) slots = j.slots.length; } catch { /* not JSON */ }
      shapes.push({ path: p, bytes: body.length, slots });
    }
    for (let k = 0; k < o.warmup; k++) await get(c.paths[k % c.paths.length]);
    res[c.name] = { shapes, rounds: [], all: [] };
  }
  for (let r = 0; r < o.rounds; r++) {
    for (let i = 0; i < o.cases.length; i++) {
      const c = o.cases[(i + r) % o.cases.length];
      const ms = [];
      for (let k = 0; k < o.requests; k++) ms.push((await get(c.paths[k % c.paths.length])).ms);
      res[c.name].rounds.push(median(ms));
      res[c.name].all.push(...ms);
      process.stderr.write(`seq: round ${r + 1}/${o.rounds}: ${c.name}: median ${median(ms).toFixed(3)} ms\n`);
    }
  }
  const out = {};
  for (const [name, v] of Object.entries(res)) {
    const all = [...v.all].sort((a, b) => a - b);
    out[name] = { p50Ms: r3(median(v.rounds)), roundMediansMs: v.rounds.map(r3),
      p90Ms: r3(all[Math.min(all.length - 1, Math.floor(all.length * 0.9))]),
      meanMs: r3(all.reduce((s, x) => s + x, 0) / all.length), requests: all.length,
      meanBytes: Math.round(v.shapes.reduce((s, x) => s + x.bytes, 0) / v.shapes.length),
      meanSlots: v.shapes[0].slots === null ? null
        : Number((v.shapes.reduce((s, x) => s + x.slots, 0) / v.shapes.length).toFixed(1)),
      shapes: v.shapes };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  agent.destroy();
}

main().catch((err) => {
  process.stderr.write(`seq: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
