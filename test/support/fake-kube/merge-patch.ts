// JSON merge patch (RFC 7386), what `kubectl patch --type=merge` sends as
// `application/merge-patch+json`. The fake applies strategic merge patches the same way: for the objects
// it holds the difference (lists merged by key instead of replaced) does not matter to the tests.

type Json = unknown;

const isObject = (x: Json): x is Record<string, Json> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The result of applying `patch` to `target` (RFC 7386 §2); neither argument is modified. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
