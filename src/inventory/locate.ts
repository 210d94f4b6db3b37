// Maps a YAML path (['hosts', 1, 'zookeeper', 'id']) to FILE:LINE:COL in the inventory, so every
// problem names the place an operator has to edit. A path that does not exist in the file (a missing
// field, a default) points at its nearest ancestor that does.
import { isMap, isSeq, isScalar, isPair, LineCounter, type Document, type Node } from 'yaml';

export type YamlPath = Array<string | number>;

export function formatPath(path: YamlPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

export class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** `FILE:LINE:COL` of the node at `path` (the key itself when `atKey`), or its nearest ancestor. */
  where(path: YamlPath, atKey = false): string {
    const offset = this.offset(path, atKey);
    // An empty document has no node at all: its only position is the start of the file.
    if (offset === undefined) return this.doc ? `${this.file}:1:1` : this.file;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  private offset(path: YamlPath, atKey: boolean): number | undefined {
    let node: unknown = this.doc?.contents;
    let best: number | undefined = (node as Node | undefined)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) return best;
        const key = pair.key as Node;
        if (last && atKey) return key.range?.[0] ?? best;
        node = pair.value;
        best = (node as Node | null)?.range?.[0] ?? key.range?.[0] ?? best;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
        if (!node) return best;
        best = (node as Node).range?.[0] ?? best;
      } else {
        return best;
      }
    }
    return best;
  }
}

export function newLineCounter(): LineCounter {
  return new LineCounter();
}
