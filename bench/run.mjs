#!/usr/bin/env node
// zkafka's benchmark on the lab: wall-clock time of whole CLI runs (median of RUNS), with the SSH
// connections opened and remote commands run per host, read from each run's --json stats.
// Needs root (the lab). Usage: npm run bench [-- --runs N] [--only TEXT]
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labInventory } from '../test/lab/lab-inventory.mjs';
import { handStart } from './baseline.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lab = join(root, 'test/lab/lab');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
// --only TEXT: measure only the rows whose label holds TEXT (e.g. --only upgrade).
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
const wanted = (label) => !ONLY || label.includes(ONLY);
const labIndex = process.env.ZKAFKA_LAB_INDEX ?? '0';
const labDir = process.env.ZKAFKA_LAB_DIR || `/var/tmp/zkafka-lab${labIndex === '0' ? '' : labIndex}`;

async function labUp(n) {
  await execa(lab, ['up', String(n)], { stdin: 'ignore' });
  const l = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'));
  return l;
}

function inventoryFile(name, text) {
  mkdirSync(join(root, 'build'), { recursive: true });
  const f = join(root, 'build', name);
  writeFileSync(f, text);
  return f;
}

async function zkafka(args) {
  const t0 = process.hrtime.bigint();
  const r = await execa('node', [join(root, 'bin/zkafka.js'), ...args, '--json'], { reject: false, stdin: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let stats;
  try {
    stats = JSON.parse(r.stdout).stats;
  } catch {
    throw new Error(`zkafka ${args.join(' ')} gave no JSON (exit ${r.exitCode}): ${r.stderr}`);
  }
  return { ms, exitCode: r.exitCode, stats, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
async function measure(label, hosts, prepare, args, okCodes = [0]) {
  if (!wanted(label)) return;
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    if (prepare) await prepare();
    last = await zkafka(args);
    if (!okCodes.includes(last.exitCode)) throw new Error(`${label}: exit ${last.exitCode}\n${last.stderr}`);
    times.push(last.ms);
  }
  const s = last.stats ?? { connections: 0, commands: 0, hosts };
  rows.push({ label, hosts, median: median(times), min: Math.min(...times), max: Math.max(...times), conns: s.connections / hosts, cmds: s.commands / hosts });
  process.stderr.write(`  ${label}: ${times.map((t) => t.toFixed(0)).join(', ')} ms\n`);
}

process.stderr.write(`zkafka benchmark, ${RUNS} runs each\n`);
await execa('npm', ['run', 'build', '--silent'], { cwd: root });
await execa('npm', ['run', 'dist', '--silent'], { cwd: root });

// 3 hosts, each a ZooKeeper member and a broker.
let l = await labUp(3);
const inv3 = inventoryFile('bench-3.yaml', labInventory(l));
await measure('up, bare hosts', 3, async () => {
  l = await labUp(3);
  writeFileSync(inv3, labInventory(l));
}, ['up', inv3]);
await measure('up, nothing to do', 3, null, ['up', inv3]);
await measure('status', 3, null, ['status', inv3]);
await measure('plan', 3, null, ['plan', inv3]);
// A rolling restart of every member and broker: each one back (and every partition in sync) before the next.
await measure('restart (rolling, 3 members + 3 brokers)', 3, null, ['restart', inv3]);
await measure('down', 3, async () => {
  await zkafka(['up', inv3]);
}, ['down', inv3]);
await measure('up, from stopped', 3, async () => {
  await zkafka(['down', inv3]);
}, ['up', inv3]);

if (wanted("services' own start")) {
  // The services' own start and election time, started by hand with no zkafka: `up, from stopped` minus
  // this is zkafka's overhead.
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await zkafka(['down', inv3]);
    times.push(await handStart(root, l));
  }
  await zkafka(['down', inv3]);
  rows.push({ label: "services' own start, by hand (no zkafka)", hosts: 3, median: median(times), min: Math.min(...times), max: Math.max(...times), conns: NaN, cmds: NaN });
  process.stderr.write(`  services' own start: ${times.map((t) => t.toFixed(0)).join(', ')} ms\n`);
}

// A version change: Kafka 2.4.1 → 3.9.1 on 3 brokers, both phases (new binaries with the protocol
// pinned, then the pin lifted), each broker in sync before the next stops. Homes derived from the
// version, as the runbook's; every run starts from a fresh 2.4.1 cluster.
{
  const withVersion = (text, version, scala) =>
    text
      .replace(/^  version: 2\.4\.1$/m, `  version: ${version}`)
      .replace(/^  scalaVersion: "2\.11"$/m, `  scalaVersion: "${scala}"`)
      .replace(/^  source: (.*)kafka_2\.11-2\.4\.1\.tgz$/m, `  source: $1kafka_${scala}-${version}.tgz`)
      .replace(/^  home: \/opt\/kafka$/m, '  installDir: /opt');
  const oldInv = inventoryFile('bench-upgrade-old.yaml', '');
  const newInv = inventoryFile('bench-upgrade-new.yaml', '');
  await measure('up: Kafka upgrade 2.4.1 → 3.9.1, both phases (3 brokers)', 3, async () => {
    l = await labUp(3);
    writeFileSync(oldInv, withVersion(labInventory(l), '2.4.1', '2.11'));
    writeFileSync(newInv, withVersion(labInventory(l), '3.9.1', '2.13'));
    const r = await zkafka(['up', oldInv]);
    if (r.exitCode !== 0) throw new Error(`up 2.4.1: ${r.stderr}`);
  }, ['up', newInv]);
}

// 30 hosts with sshd only: ZooKeeper and Kafka absent.
l = await labUp(30);
const inv30 = inventoryFile('bench-30.yaml', labInventory(l, { zookeeper: 3, kafka: 30 }));
await measure('status', 30, null, ['status', inv30], [1]);
await measure('plan', 30, null, ['plan', inv30], [3]);
await execa(lab, ['down'], { stdin: 'ignore' });

const table = [
  '| command | hosts | median | min | max | SSH connections per host | remote commands per host |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.label} | ${r.hosts} | ${(r.median / 1000).toFixed(2)} s | ${(r.min / 1000).toFixed(2)} s | ${(r.max / 1000).toFixed(2)} s | ${Number.isNaN(r.conns) ? '-' : r.conns.toFixed(1)} | ${Number.isNaN(r.cmds) ? '-' : r.cmds.toFixed(1)} |`),
];
process.stdout.write(`${table.join('\n')}\n`);
