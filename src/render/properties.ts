// Java .properties escaping, so that every value reads back unchanged with java.util.Properties.load
// (which both ZooKeeper and Kafka use, on an ISO-8859-1 stream: anything outside printable ASCII
// must be written as \uXXXX).

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  switch (ch) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\f':
      return '\\f';
  }
  if (code < 0x20 || code > 0x7e) return `\\u${code.toString(16).padStart(4, '0')}`;
  return ch;
}

/** Escapes a value: backslashes, leading white space, control and non-ASCII characters. */
export function escapeValue(value: string): string {
  let out = '';
  // Iterate UTF-16 code units: characters above U+FFFF become two \u escapes, as Java expects.
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch === ' ' && out === '') out += '\\ ';
    else out += escapeChar(ch);
  }
  return out;
}

/** Escapes a key: as a value, plus every separator and comment character and all spaces. */
export function escapeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key.charAt(i);
    out += '=: #!'.includes(ch) ? `\\${ch}` : escapeChar(ch);
  }
  return out;
}

export function propertyLine(key: string, value: string): string {
  return `${escapeKey(key)}=${escapeValue(value)}`;
}
