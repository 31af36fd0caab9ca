// SSRF guard: in production a page (or a redirect hop) may not resolve to a loopback, private,
// link-local or otherwise internal address, even on an allow-listed host name.
import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { PipelineError } from '../core/errors.ts';

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

/** The error a pinned lookup gives for an internal answer (its code names it among network errors). */
export class InternalAddressError extends PipelineError {
  declare readonly code: 'EINTERNALADDRESS';
  constructor(message: string) {
    super('EINTERNALADDRESS', message, { retriable: false });
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A dns.lookup for the connection itself that refuses internal answers. The guard above resolves a
 * host before the request; the connection resolves it again, and a hostile name may answer public
 * the first time and 127.0.0.1 the second (DNS rebinding). Checking inside the connection's own
 * lookup means the address connected to is the address checked. IP literals never reach a lookup:
 * the guard above refuses internal ones.
 */
export function pinnedLookup(isInternal: (address: string) => boolean = isInternalAddress) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookupCallback(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isInternal(a.address));
      if (bad)
        return callback(
          new InternalAddressError(
            `host ${hostname} resolves to internal address ${bad.address} (at connect)`,
          ),
          [],
        );
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}

/** An HTTP dispatcher whose connections may only reach addresses the pinned lookup accepts. */
export function guardedDispatcher(isInternal: (address: string) => boolean = isInternalAddress): Dispatcher {
  return new Agent({ connect: { lookup: pinnedLookup(isInternal) } });
}
