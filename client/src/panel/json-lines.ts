// A JSON document printed as JSON.stringify(value, null, 2) prints it, line by line, with each line's
// depth and the path of the value it belongs to (`configs[2].dynamic_active_clusters[0].cluster.name`),
// so a filtered view of a config dump can say where each matching line sits.

export interface JsonLine {
  depth: number;
  /** The line without its indentation. */
  text: string;
  /** Where the line's value sits in the document; '' for the root. */
  path: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const part = IDENTIFIER.test(key) ? key : JSON.stringify(key);
  if (path === '') return IDENTIFIER.test(key) ? key : `[${part}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${part}]`;
}

export function jsonLines(value: unknown): JsonLine[] {
  const out: JsonLine[] = [];
  const print = (v: unknown, depth: number, path: string, prefix: string, suffix: string) => {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push({ depth, text: `${prefix}[]${suffix}`, path });
        return;
      }
      out.push({ depth, text: `${prefix}[`, path });
      v.forEach((item, i) => {
        print(item, depth + 1, child(path, i), '', i < v.length - 1 ? ',' : '');
      });
      out.push({ depth, text: `]${suffix}`, path });
      return;
    }
    if (typeof v === 'object' && v !== null) {
      // JSON.stringify leaves out undefined members; so does this.
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) {
        out.push({ depth, text: `${prefix}{}${suffix}`, path });
        return;
      }
      out.push({ depth, text: `${prefix}{`, path });
      entries.forEach(([k, x], i) => {
        print(x, depth + 1, child(path, k), `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '');
      });
      out.push({ depth, text: `}${suffix}`, path });
      return;
    }
    out.push({ depth, text: `${prefix}${JSON.stringify(v) ?? 'null'}${suffix}`, path });
  };
  print(value, 0, '', '', '');
  return out;
}
