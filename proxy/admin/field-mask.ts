// `?mask=` on /config_dump: a google.protobuf.FieldMask (comma-separated dotted paths) applied like
// protobuf's `FieldMaskUtil::TrimMessage`: only the named fields survive. Validation is by field name
// at the levels whose schema we know (see config-dump-schema.ts); below that, paths are taken as given.

type Json = Record<string, unknown>;

/** `FieldMaskUtil::FromString`: comma-separated paths, empty ones dropped. */
export function parseFieldMask(mask: string): string[] {
  return mask
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

interface PathTree {
  [key: string]: PathTree | true;
}

function pathTree(paths: readonly string[]): PathTree {
  const root: PathTree = {};
  for (const p of paths) {
    const parts = p.split('.');
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      const k = parts[i]!;
      const existing = node[k];
      if (existing === true) break; // a shorter path already keeps the whole field
      if (i === parts.length - 1) node[k] = true;
      else {
        const child: PathTree = existing ?? {};
        node[k] = child;
        node = child;
      }
    }
  }
  return root;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function trimNode(obj: Json, tree: PathTree): Json {
  const out: Json = {};
  for (const [k, sub] of Object.entries(tree)) {
    if (!(k in obj)) continue;
    const v = obj[k];
    if (sub === true) out[k] = v;
    // Masks cannot index into repeated fields; a message field stays present even if trimmed empty.
    else if (isObject(v)) out[k] = trimNode(v, sub);
  }
  return out;
}

/**
 * Keeps only the masked fields of a message given as JSON. `@type` (the type URL of the Any the message
 * travels in) is always kept.
 */
export function trimMessage(obj: Json, paths: readonly string[]): Json {
  const trimmed = trimNode(obj, pathTree(paths));
  return '@type' in obj ? { '@type': obj['@type'], ...trimmed } : trimmed;
}

/** Envoy's error text quotes the mask with `FieldMask::DebugString()`. */
export function fieldMaskDebugString(paths: readonly string[]): string {
  return paths.map((p) => `paths: "${p}"\n`).join('');
}
