// Loads an inventory in stages: YAML syntax, schema (types, unknown keys, ranges), normalise (defaults and
// per-host overrides), cross-field rules. Every problem of a stage is reported at once, as
// `FILE:LINE:COL  path.to.field  what is wrong`, and an invalid inventory never reaches a host.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InventoryError, UserError, ExitCode, type Problem } from '../errors.js';
import { Locator, formatPath, newLineCounter, type YamlPath } from './locate.js';
import { inventorySchema } from './schema.js';
import { normalise } from './normalise.js';
import { checkRules } from './rules.js';
import { bytePosition, clip, firstBadUtf8, quote } from './text.js';
import type { Inventory } from './model.js';

const KNOWN_KEYS = collectKeys(inventorySchema);

function collectKeys(schema: unknown, out = new Set<string>()): Set<string> {
  // Walks the zod schema for every object key, to suggest the intended one for a typo.
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  if (!def) return out;
  if (def.type === 'object') {
    for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
      out.add(k);
      collectKeys(v, out);
    }
  }
  for (const inner of ['innerType', 'element', 'valueType', 'in']) if (def[inner]) collectKeys(def[inner], out);
  if (Array.isArray(def.options)) for (const o of def.options) collectKeys(o, out);
  return out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggestKey(key: string): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of KNOWN_KEYS) {
    const score = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k.toLowerCase(), key.toLowerCase());
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return bestScore <= 2 ? best : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

type Issue = z.core.$ZodIssue & { input?: unknown };

function issueMessage(issue: Issue, source: (path: YamlPath) => string | undefined): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is required (${expected})`;
      const typed = source(issue.path as YamlPath);
      if (issue.expected === 'string' && typed !== undefined && (typeof issue.input === 'number' || typeof issue.input === 'boolean')) {
        // `scalaVersion: 2.10` is the number 2.1 to YAML: say what was read, and how to write text.
        const read = String(issue.input) === typed ? '' : ` (YAML reads it as ${String(issue.input)})`;
        return `expected a string, got ${typeof issue.input} ${clip(typed, 60)}${read}: quote it, ${quote(typed)}`;
      }
      return `expected ${expected}, got ${describe(issue.input)}`;
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      // A message that already quotes the value (address, jumpHost) is not given it twice.
      return issue.input === undefined || typeof issue.input === 'object' || issue.message.includes('(got ')
        ? issue.message
        : `${issue.message} (got ${typeof issue.input === 'string' ? quote(issue.input) : String(issue.input)})`;
    case 'invalid_union':
      return issue.message === 'Invalid input' ? `unexpected value ${describe(issue.input)}` : issue.message;
    case 'invalid_key':
      return issue.issues[0]?.message ?? issue.message;
    default:
      return issue.message;
  }
}

/** `settings` and `env` maps: their values are written into files and environments as they are. */
function isVerbatimValue(path: YamlPath): boolean {
  const tail = path[0] === 'hosts' ? path.slice(2) : path;
  return tail.length === 3 && (tail[0] === 'zookeeper' || tail[0] === 'kafka') && (tail[1] === 'settings' || tail[1] === 'env');
}

/** A number as zkafka takes it outside `settings`/`env`: plain decimal, no sign, exponent, base or leading zero. */
const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

interface PlainScalar {
  path: YamlPath;
  /** The text as written in the file. */
  source: string;
  value: unknown;
}

/** Every unquoted number or boolean of the document (through aliases), with its path and its text. */
function plainScalars(doc: Document): PlainScalar[] {
  const out: PlainScalar[] = [];
  const walk = (node: unknown, path: YamlPath, aliases: Set<unknown>) => {
    if (isAlias(node)) {
      if (aliases.has(node)) return;
      walk(node.resolve(doc), path, new Set([...aliases, node]));
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        walk(pair.value, [...path, String(pair.key.value)], aliases);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i], aliases));
    } else if (isScalar(node) && node.type === 'PLAIN' && (typeof node.value === 'number' || typeof node.value === 'boolean')) {
      if (typeof node.source === 'string') out.push({ path, source: node.source, value: node.value });
    }
  };
  walk(doc.contents, [], new Set());
  return out;
}

/** Sets `data` at `path` to `value`, where that path exists. */
function setIn(data: unknown, path: YamlPath, value: unknown): void {
  let obj = data;
  for (const part of path.slice(0, -1)) obj = obj !== null && typeof obj === 'object' ? (obj as Record<string | number, unknown>)[part] : undefined;
  if (obj !== null && typeof obj === 'object') (obj as Record<string | number, unknown>)[path.at(-1)!] = value;
}

/** What to write instead of a number form zkafka does not take outside settings and env. */
function decimalHint(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `write ${String(value)}` : 'write a decimal number';
}

export interface LoadOptions {
  /** Shown in messages instead of the absolute path (defaults to the path relative to the cwd). */
  displayName?: string;
}

function shownName(file: string, opts: LoadOptions): string {
  const abs = resolve(file);
  return opts.displayName ?? (relative(process.cwd(), abs) || abs);
}

/** Parses and validates `text` as the inventory at `file`. Throws InventoryError with every problem. */
export function parseInventory(text: string, file: string, opts: LoadOptions = {}): Inventory {
  const abs = resolve(file);
  const shown = shownName(file, opts);
  const lines = newLineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(shown, doc, lines);
  const problems: Problem[] = [];
  const add = (path: YamlPath, message: string, severity: 'error' | 'warning' = 'error', atKey = false) =>
    problems.push({ where: locator.where(path, atKey), path: clip(formatPath(path), 200), message: clip(message, 500), severity });

  // Stage 1: YAML syntax.
  if (doc.errors.length) {
    for (const e of doc.errors) {
      // linePos is only filled in with prettyErrors, which also rewrites the message: use the offset.
      const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
      problems.push({
        where: pos ? `${shown}:${pos.line}:${pos.col}` : shown,
        path: '',
        message: clip(`YAML syntax: ${e.message.split('\n')[0]}`, 300),
        severity: 'error',
      });
    }
    throw new InventoryError(problems);
  }
  let data: unknown;
  try {
    // yaml's default limit on alias expansion refuses a billion-laughs file; an unknown alias throws too.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    let first: number | undefined;
    let unresolved: string | undefined;
    const named = /: (\S+)$/.exec(e.message)?.[1];
    const find = (node: unknown) => {
      if (isAlias(node)) {
        if (first === undefined) first = node.range?.[0];
        if (named && node.source === named && unresolved === undefined) unresolved = named;
      } else if (isMap(node)) for (const p of node.items) find(isPair(p) ? p.value : undefined);
      else if (isSeq(node)) for (const i of node.items) find(i);
    };
    find(doc.contents);
    const pos = first !== undefined ? lines.linePos(first) : undefined;
    problems.push({
      where: pos ? `${shown}:${pos.line}:${pos.col}` : shown,
      path: '',
      message: /excessive alias count/i.test(e.message)
        ? 'YAML aliases expand to too much data (an alias bomb?): refused'
        : `YAML: ${clip(e.message, 200)}`,
      severity: 'error',
    });
    throw new InventoryError(problems);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    add([], 'an inventory is a YAML mapping with at least a `hosts:` list');
    throw new InventoryError(problems);
  }

  // Unquoted numbers and booleans: in settings and env, the text as typed; elsewhere plain decimal only.
  const scalars = plainScalars(doc);
  const sources = new Map(scalars.map((p) => [JSON.stringify(p.path), p.source]));
  const source = (path: YamlPath) => sources.get(JSON.stringify(path));
  const numberForms: PlainScalar[] = [];
  for (const p of scalars) {
    if (isVerbatimValue(p.path)) setIn(data, p.path, p.source);
    else if (typeof p.value === 'number' && !PLAIN_DECIMAL.test(p.source)) numberForms.push(p);
  }

  // Stage 2: schema.
  const parsed = inventorySchema.safeParse(data, { reportInput: true });
  const issuePaths = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues as Issue[]) {
      const path = issue.path as YamlPath;
      issuePaths.add(JSON.stringify(path));
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const hint = suggestKey(key);
          add([...path, key], `unknown key ${quote(key)}${hint ? `; did you mean "${hint}"?` : ''}`, 'error', true);
        }
      } else {
        add(path, issueMessage(issue, source), 'error', issue.code === 'invalid_key');
      }
    }
  }
  for (const p of numberForms) {
    if (issuePaths.has(JSON.stringify(p.path))) continue;
    add(p.path, `${clip(p.source, 40)} is YAML for ${String(p.value)}: numbers here are plain decimals; ${decimalHint(p.value)}`);
  }
  if (!parsed.success || problems.length) throw new InventoryError(problems);

  // Stages 3 and 4: defaults, then rules across fields and hosts.
  const inv = normalise(parsed.data, abs, dirname(abs));
  for (const f of checkRules(parsed.data, inv)) add(f.path, f.message, f.severity, f.atKey);
  // A mistyped templates folder would otherwise fall back to the built-in templates without a word.
  if (inv.templatesDir && !statSync(inv.templatesDir, { throwIfNoEntry: false })?.isDirectory()) {
    add(['templates'], `templates folder ${clip(inv.templatesDir, 200)} not found`);
  }
  if (problems.some((p) => p.severity === 'error')) throw new InventoryError(problems);
  inv.warnings = problems;
  return inv;
}

/**
 * The inventory file's text. It must be UTF-8: a stray Latin-1 byte would otherwise become U+FFFD and
 * be written into the rendered files.
 */
export function decodeInventory(bytes: Uint8Array, file: string, opts: LoadOptions = {}): string {
  const bad = firstBadUtf8(bytes);
  if (bad >= 0) {
    const { line, col } = bytePosition(bytes, bad);
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
    throw new InventoryError([
      {
        where: `${shownName(file, opts)}:${line}:${col}`,
        path: '',
        message: `not valid UTF-8: byte 0x${byte} at line ${line}, column ${col} is not part of a UTF-8 character (a Latin-1 or UTF-16 file?); save the file as UTF-8`,
        severity: 'error',
      },
    ]);
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

export function loadInventory(file: string, opts: LoadOptions = {}): Inventory {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `inventory ${file} not found` : `cannot read inventory ${file}: ${(e as Error).message}`,
      ExitCode.usage,
    );
  }
  return parseInventory(decodeInventory(bytes, file, opts), file, opts);
}
