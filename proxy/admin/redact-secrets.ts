// What /config_dump must not show: Envoy redacts the fields its protos mark `(udpa.annotations.sensitive)`
// — for TLS, TlsCertificate.private_key, password and pkcs12 — printing every string inside them as
// "[redacted]" (envoy#7873, fixed by #9315). The dump is built from a copy; the loaded document is kept.

const SENSITIVE = new Set(['private_key', 'password', 'pkcs12']);
export const REDACTED = '[redacted]';

function redactAll(value: unknown): unknown {
  if (typeof value === 'string') return REDACTED;
  if (Array.isArray(value)) return value.map(redactAll);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAll(v)]));
  }
  return value;
}

/** A copy of `doc` with the sensitive fields' strings replaced; parts without any are shared, not copied. */
export function redactSecrets<T>(doc: T): T {
  if (Array.isArray(doc)) {
    let changed = false;
    const out = doc.map((v) => {
      const r = redactSecrets(v);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : doc) as T;
  }
  if (typeof doc !== 'object' || doc === null) return doc;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(doc)) {
    const r = SENSITIVE.has(k) ? redactAll(v) : redactSecrets(v);
    if (r !== v) {
      out ??= { ...(doc as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return (out ?? doc) as T;
}
