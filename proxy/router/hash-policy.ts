// The request hash a route's `hash_policy` yields for RING_HASH / MAGLEV host selection (Envoy's
// Router::HashPolicyImpl::generateHash), pure. Each policy that finds its input hashes it with
// xxHash64; successive hashes combine as Envoy does (the running value rotated left by one, then
// XORed), and a `terminal` policy that produced a hash ends the walk. No policy producing anything
// means no hash: the balancer then picks at random.
import type { HashPolicy } from '../config/model.ts';
import type { Headers } from '../http/head-parser.ts';
import { xxHash64 } from '../upstream/xxhash64.ts';

const MASK = 0xffff_ffff_ffff_ffffn;

/** Every value of a (lower-case) header, in order. */
function headerValues(h: Headers, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < h.lower.length; i++) if (h.lower[i] === name) out.push(h.values[i]!);
  return out;
}

/** The value of the first cookie called `name` in the Cookie header(s). */
export function cookieValue(h: Headers, name: string): string | undefined {
  for (const header of headerValues(h, 'cookie')) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === name) {
        const v = part.slice(eq + 1).trim();
        // RFC 6265 allows a DQUOTE-wrapped value; Envoy strips the quotes.
        return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
      }
    }
  }
  return undefined;
}

/** `ip` of an `ip:port` remote address (IPv6 without brackets, as net.Socket gives it). */
function ipOf(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  return colon < 0 ? remoteAddress : remoteAddress.slice(0, colon);
}

function evaluate(p: HashPolicy, req: Headers, remoteAddress: string | undefined): bigint | undefined {
  switch (p.kind) {
    case 'header': {
      const values = headerValues(req, p.headerName);
      if (values.length === 0) return undefined;
      if (values.length === 1) return xxHash64(values[0]!);
      // Several values: sorted, so their order does not change the hash; each seeds the next.
      let h = 0n;
      for (const v of values.sort()) h = xxHash64(v, h);
      return h;
    }
    case 'cookie': {
      const v = cookieValue(req, p.name);
      return v === undefined ? undefined : xxHash64(v);
    }
    case 'sourceIp':
      return remoteAddress === undefined ? undefined : xxHash64(ipOf(remoteAddress));
  }
}

export function requestHash(
  policies: readonly HashPolicy[] | undefined,
  req: Headers,
  remoteAddress: string | undefined,
): bigint | undefined {
  if (policies === undefined) return undefined;
  let hash: bigint | undefined;
  for (const p of policies) {
    const h = evaluate(p, req, remoteAddress);
    if (h !== undefined) {
      // Rotating the old value keeps two identical policies from cancelling each other out.
      const old = hash === undefined ? 0n : ((hash << 1n) | (hash >> 63n)) & MASK;
      hash = old ^ h;
    }
    if (p.terminal && hash !== undefined) break;
  }
  return hash;
}
