// Loads an inventory in stages: YAML syntax, schema (types, unknown keys, ranges), normalise (defaults and
// per-host overrides), cross-field rules. Every problem of a stage is reported at once, as
// `FILE:LINE:COL  path.to.field  what is wrong`, and an invalid inventory never reaches a host.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InventoryError, UserError, ExitCode, type Problem } from '../errors.js';
import { Locator, formatPath, newLineCounter, type YamlPath } from './locate.js';
import { inventorySchema } from './schema.js';
import { normalise } from './normalise.js';
import { checkRules } from './rules.js';
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
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
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

function issueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is required (${expected})`;
      return `expected ${expected}, got ${describe(issue.input)}`;
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return issue.input === undefined || typeof issue.input === 'object'
        ? issue.message
        : `${issue.message} (got ${JSON.stringify(issue.input)})`;
    case 'invalid_union':
      return issue.message === 'Invalid input' ? `unexpected value ${describe(issue.input)}` : issue.message;
    case 'invalid_key':
      return issue.issues[0]?.message ?? issue.message;
    default:
      return issue.message;
  }
}

/**
 * Settings and env values are written verbatim, but YAML reads `9223372036854775807` as a JS number
 * (9223372036854776000 once printed) and `1.50` as 1.5. For decimal numbers there, keep the text as
 * written in the file; other number forms (0x1F, 1e3) keep their value.
 */
function keepNumberText(doc: Document, data: Record<string, unknown>): void {
  const maps: YamlPath[] = [];
  for (const service of ['zookeeper', 'kafka']) for (const m of ['settings', 'env']) maps.push([service, m]);
  const hosts = Array.isArray(data.hosts) ? data.hosts : [];
  hosts.forEach((_, i) => {
    for (const service of ['zookeeper', 'kafka']) for (const m of ['settings', 'env']) maps.push(['hosts', i, service, m]);
  });
  for (const path of maps) {
    let obj: unknown = data;
    for (const part of path) obj = obj !== null && typeof obj === 'object' ? (obj as Record<string | number, unknown>)[part] : undefined;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const rec = obj as Record<string, unknown>;
    for (const [key, value] of Object.entries(rec)) {
      if (typeof value !== 'number') continue;
      const node = doc.getIn([...path, key], true);
      const source = isScalar(node) ? node.source : undefined;
      if (typeof source === 'string' && /^[-+]?\d+(\.\d+)?$/.test(source)) rec[key] = source;
    }
  }
}

export interface LoadOptions {
  /** Shown in messages instead of the absolute path (defaults to the path relative to the cwd). */
  displayName?: string;
}

/** Parses and validates `text` as the inventory at `file`. Throws InventoryError with every problem. */
export function parseInventory(text: string, file: string, opts: LoadOptions = {}): Inventory {
  const abs = resolve(file);
  const shown = opts.displayName ?? (relative(process.cwd(), abs) || abs);
  const lines = newLineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(shown, doc, lines);
  const problems: Problem[] = [];
  const add = (path: YamlPath, message: string, severity: 'error' | 'warning' = 'error', atKey = false) =>
    problems.push({ where: locator.where(path, atKey), path: formatPath(path), message, severity });

  // Stage 1: YAML syntax.
  if (doc.errors.length) {
    for (const e of doc.errors) {
      // linePos is only filled in with prettyErrors, which also rewrites the message: use the offset.
      const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
      problems.push({
        where: pos ? `${shown}:${pos.line}:${pos.col}` : shown,
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        severity: 'error',
      });
    }
    throw new InventoryError(problems);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    add([], 'an inventory is a YAML mapping with at least a `hosts:` list');
    throw new InventoryError(problems);
  }

  keepNumberText(doc, data as Record<string, unknown>);

  // Stage 2: schema.
  const parsed = inventorySchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues as Issue[]) {
      const path = issue.path as YamlPath;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const hint = suggestKey(key);
          add([...path, key], `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ''}`, 'error', true);
        }
      } else {
        add(path, issueMessage(issue), 'error', issue.code === 'invalid_key');
      }
    }
    throw new InventoryError(problems);
  }

  // Stages 3 and 4: defaults, then rules across fields and hosts.
  const inv = normalise(parsed.data, abs, dirname(abs));
  for (const f of checkRules(parsed.data, inv)) add(f.path, f.message, f.severity, f.atKey);
  // A mistyped templates folder would otherwise fall back to the built-in templates without a word.
  if (inv.templatesDir && !statSync(inv.templatesDir, { throwIfNoEntry: false })?.isDirectory()) {
    add(['templates'], `templates folder ${inv.templatesDir} not found`);
  }
  if (problems.some((p) => p.severity === 'error')) throw new InventoryError(problems);
  inv.warnings = problems;
  return inv;
}

export function loadInventory(file: string, opts: LoadOptions = {}): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `inventory ${file} not found` : `cannot read inventory ${file}: ${(e as Error).message}`,
      ExitCode.usage,
    );
  }
  return parseInventory(text, file, opts);
}
