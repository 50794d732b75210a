// The ports of a bootstrap handed to startProxy: listeners and admin given port 0 get free ports, and
// the ports the test then talks to are read back (snake_case or camelCase, as the proxy accepts both).
import { freePort } from './free-port.ts';

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The `socket_address` object (snake_case or camelCase) inside an `address`, if any. */
function socketAddressOf(holder: unknown): Obj | undefined {
  if (!isObj(holder)) return undefined;
  const address = holder['address'];
  if (!isObj(address)) return undefined;
  const sa = address['socket_address'] ?? address['socketAddress'];
  return isObj(sa) ? sa : undefined;
}

function portKey(sa: Obj): string {
  return 'portValue' in sa ? 'portValue' : 'port_value';
}

function listenersOf(config: Obj): Obj[] {
  const sr = config['static_resources'] ?? config['staticResources'];
  const ls = isObj(sr) ? sr['listeners'] : undefined;
  return Array.isArray(ls) ? ls.filter(isObj) : [];
}

/** Fills port 0 (or a missing port) of listeners and admin with free ports, in place. */
export async function assignPorts(config: Obj): Promise<void> {
  const addresses = [...listenersOf(config).map(socketAddressOf), socketAddressOf(config['admin'])];
  for (const sa of addresses) {
    if (!sa) continue;
    const k = portKey(sa);
    if (!sa[k]) sa[k] = await freePort();
  }
}

function portOf(sa: Obj | undefined, what: string): number {
  const p = sa ? Number(sa[portKey(sa)]) : Number.NaN;
  if (!Number.isInteger(p) || p <= 0) {
    throw new Error(
      `${what} has port ${String(p)}: give startProxy an object (port 0 is filled in) or a real port`,
    );
  }
  return p;
}

/** Every listener's port, by listener name (`listener_<i>` for an unnamed one), in bootstrap order. */
export function listenerPortsOf(config: Obj): Record<string, number> {
  const listenerPorts: Record<string, number> = {};
  listenersOf(config).forEach((l, i) => {
    listenerPorts[typeof l['name'] === 'string' ? l['name'] : `listener_${i}`] = portOf(
      socketAddressOf(l),
      `listener ${i}`,
    );
  });
  return listenerPorts;
}

/** `http://<admin address>:<admin port>`, or '' without an admin block. */
export function adminUrlOf(config: Obj): string {
  const adminSa = socketAddressOf(config['admin']);
  const adminPort = adminSa ? portOf(adminSa, 'admin') : 0;
  // An admin bound to one address (a simulated pod IP such as 127.0.0.7) is reached there; a wildcard
  // bind through loopback.
  const adminAddress = typeof adminSa?.['address'] === 'string' ? adminSa['address'] : '';
  const adminHost = ['', '0.0.0.0', '::'].includes(adminAddress)
    ? '127.0.0.1'
    : adminAddress.includes(':')
      ? `[${adminAddress}]`
      : adminAddress;
  return adminPort ? `http://${adminHost}:${adminPort}` : '';
}
