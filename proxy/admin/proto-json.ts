// Small helpers to print what Envoy prints through protobuf's JSON printer: pretty output indents by one
// space, Timestamps are RFC 3339 with 0/3 fractional digits, Durations are seconds with an `s` suffix.

/** `MessageUtil::getJsonStringFromMessage(msg, pretty_print = true)`. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 1);
}

/** google.protobuf.Timestamp in JSON: no fraction when the milliseconds are zero. */
export function protoTimestamp(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/** google.protobuf.Duration in JSON for whole seconds. */
export function protoSeconds(seconds: number): string {
  return `${Math.max(0, Math.floor(seconds))}s`;
}

/** Envoy's `Address::asString()`: IPv6 addresses are bracketed. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `envoy.config.core.v3.Address` in JSON (protocol TCP is the default, so it is omitted). */
export function socketAddressJson(
  address: string,
  port: number,
): { socket_address: Record<string, unknown> } {
  const sa: Record<string, unknown> = {};
  if (address !== '') sa['address'] = address;
  if (port !== 0) sa['port_value'] = port;
  return { socket_address: sa };
}
