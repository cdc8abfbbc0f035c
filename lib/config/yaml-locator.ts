/** Maps field paths (as zod reports them) to line/column positions in a parsed YAML document, and back. */
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type FieldPath = readonly PropertyKey[];

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

/** What a position should point at: the key naming a field, or the field's value. */
export type Target = 'key' | 'value';

interface Walk {
  /** Whether every segment of the path exists in the document. */
  found: boolean;
  /** The node the path leads to or, when not found, the deepest existing node (the parent of the missing field). */
  node: unknown;
  /** The key of the map entry holding `node`, when it sits in a mapping. */
  key: Node | undefined;
}

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** 1-based position of a byte offset in the source. */
  position(offset: number): Position {
    return this.lines.linePos(offset);
  }

  /**
   * Where a field is. An existing field points at its value (or, for target `key`, at its key); a missing
   * field points at the mapping that should contain it, at the key naming that mapping where there is one.
   */
  locate(path: FieldPath, target: Target): Position {
    const { found, node, key } = this.walk(path);
    const offset = found && target === 'value' ? (start(node) ?? start(key)) : (start(key) ?? start(node));
    return this.position(offset ?? 0);
  }

  /** The path of the deepest field whose key or value covers `offset`; [] for the document root. */
  pathAt(offset: number): (string | number)[] {
    const path: (string | number)[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => covers(p.key, offset) || covers(p.value, offset));
        const name = pair && keyName(pair.key);
        if (pair === undefined || name === undefined) return path;
        path.push(name);
        if (covers(pair.key, offset)) return path;
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => covers(item, offset));
        if (index < 0) return path;
        path.push(index);
        node = node.items[index];
      } else {
        return path;
      }
    }
  }

  private walk(path: FieldPath): Walk {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    for (const segment of path) {
      const current = isAlias(node) ? node.resolve(this.doc) : node;
      if (isMap(current)) {
        const pair = current.items.find((p) => keyName(p.key) === String(segment));
        if (pair === undefined) return { found: false, node: current, key };
        node = pair.value;
        key = isNode(pair.key) ? pair.key : undefined;
      } else if (isSeq(current) && typeof segment === 'number' && segment < current.items.length) {
        node = current.items[segment];
        key = undefined;
      } else {
        return { found: false, node: current, key };
      }
    }
    return { found: true, node, key };
  }
}

function keyName(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function start(node: unknown): number | undefined {
  return isNode(node) ? (node.range?.[0] ?? undefined) : undefined;
}

function covers(node: unknown, offset: number): boolean {
  const range = isNode(node) ? node.range : undefined;
  return range != null && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}
