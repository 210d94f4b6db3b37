#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('zkafka is not built: run `npm run build` in its folder first\n');
  process.exit(70);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Connections are closed by then; should anything still hold the event loop, do not hang a pipeline.
setTimeout(() => process.exit(code), 2000).unref();
