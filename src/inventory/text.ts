// Text helpers for validation messages and for reading the inventory file: values are quoted in
// messages, but never echoed back whole when they are long, and a file that is not UTF-8 is refused
// where its first bad byte is rather than read with replacement characters.

/** The longest value (in characters) a message quotes whole. */
export const QUOTE_MAX = 60;

/** `value` as a JSON string, shortened to its first characters and its length when it is long. */
export function quote(value: string, max = QUOTE_MAX): string {
  const chars = [...value];
  if (chars.length <= max) return JSON.stringify(value);
  return `${JSON.stringify(chars.slice(0, max).join(''))}... (${chars.length} characters)`;
}

/** Shortens any text (a path, a parser's message) to `max` characters. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}... (${chars.length} characters)`;
}

/** Offset of the first byte of `bytes` that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstBadUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes allowed right after the lead (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF).
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) more = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead === 0xe0) lo = 0xa0;
      if (lead === 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead === 0xf0) lo = 0x90;
      if (lead === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= more; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? lo : 0x80) || b > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

/** 1-based line and column (in characters) of byte `offset`, which follows only valid UTF-8. */
export function bytePosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(start, offset));
  return { line, col: [...before].length + 1 };
}
