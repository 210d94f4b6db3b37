// A deliberately small template language, so that templates stay plain config files an operator can read:
//   key={{name}}      the placeholder is replaced (escaped as a properties value in .properties/.cfg files)
//   {{block}}         alone on a line: a list of [key, value] pairs, written one `key=value` per line
// A line whose placeholder has no value (unset optional setting) is left out. An unknown placeholder
// is an error naming the template file and line, so a typo in an operator's template cannot go unnoticed.
import { propertyLine, escapeValue } from './properties.js';

export type TemplateValue = string | number | boolean | undefined | null | Array<[string, string]>;
export type TemplateContext = { [name: string]: TemplateValue | TemplateContext };

export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

function lookup(ctx: TemplateContext, name: string): { found: boolean; value?: TemplateValue } {
  let cur: TemplateValue | TemplateContext = ctx;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, part)) {
      return { found: false };
    }
    cur = (cur as TemplateContext)[part] as TemplateValue | TemplateContext;
  }
  if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) return { found: false };
  return { found: true, value: cur as TemplateValue };
}

export interface RenderTemplateOptions {
  /** Name shown in errors (the template's path). */
  file: string;
  /** Java properties syntax (zoo.cfg, server.properties): values are escaped. */
  properties: boolean;
}

export function renderTemplate(source: string, ctx: TemplateContext, opts: RenderTemplateOptions): string {
  const out: string[] = [];
  const lines = source.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const resolve = (name: string) => {
      const r = lookup(ctx, name);
      if (!r.found) throw new TemplateError(opts.file, lineNo, `unknown placeholder {{${name}}}`);
      return r.value;
    };
    const block = /^\s*\{\{\s*([A-Za-z0-9_.]+)\s*\}\}\s*$/.exec(line);
    if (block) {
      const value = resolve(block[1]!);
      if (Array.isArray(value)) {
        for (const [k, v] of value) out.push(opts.properties ? propertyLine(k, v) : `${k}=${v}`);
        return;
      }
    }
    let missing = false;
    const substitute = (text: string, escape: boolean) =>
      text.replace(PLACEHOLDER, (_m, name: string) => {
        const value = resolve(name);
        if (value === undefined || value === null) {
          missing = true;
          return '';
        }
        if (Array.isArray(value)) {
          throw new TemplateError(opts.file, lineNo, `{{${name}}} is a list of settings: put it alone on its line`);
        }
        return escape ? escapeValue(String(value)) : String(value);
      });
    // In properties files each filled-in value is escaped; the template's own text is kept as written.
    const trimmed = line.trimStart();
    const isSetting = opts.properties && trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('!');
    const rendered = substitute(line, isSetting);
    if (!missing) out.push(rendered);
  });
  return out.length ? `${out.join('\n')}\n` : '';
}
