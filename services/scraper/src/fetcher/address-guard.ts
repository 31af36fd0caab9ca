// SSRF guard: in production a page (or a redirect hop) may not resolve to a loopback, private,
// link-local or otherwise internal address, even on an allow-listed host name.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form (::7f00:1 is 127.0.0.1).
  ['::', 96],
  // NAT64 prefixes embed an IPv4 address that a NAT64 gateway would reach on our behalf; 6to4 too.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(net, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return internal.check(mapped[1], 'ipv4');
  const kind = isIP(address);
  if (kind === 4) return internal.check(address, 'ipv4');
  if (kind === 6) return internal.check(address, 'ipv6');
  return false;
}

/** Null when the host resolves only to public addresses; otherwise why it is refused. */
export async function internalAddressReason(hostname: string): Promise<string | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `host ${host} is local`;
  if (isIP(host)) return isInternalAddress(host) ? `address ${host} is internal` : null;
  try {
    const addresses = await lookup(host, { all: true });
    const bad = addresses.find((a) => isInternalAddress(a.address));
    return bad ? `host ${host} resolves to internal address ${bad.address}` : null;
  } catch (err) {
    return `cannot resolve ${host}: ${(err as Error).message}`;
  }
}
