import { internalAddressReason, isInternalAddress, type AddressGuardOptions } from '@llmpt/runtime/http';

/** The exact address the test/dev flag lets through (README §6); nothing else internal ever passes. */
export const LOOPBACK = '127.0.0.1';

/** The runtime's address guard, with 127.0.0.1 let through only when `allowLoopback` is set. */
export function webhookGuard(allowLoopback: boolean): AddressGuardOptions {
  if (!allowLoopback) return {};
  return {
    addressRefusal: (host) => (host === LOOPBACK ? Promise.resolve(null) : internalAddressReason(host)),
    isInternal: (address) => address !== LOOPBACK && isInternalAddress(address),
  };
}

/**
 * Why a subscription to this URL is refused (README §6), or null: not http(s), carrying credentials,
 * or a host that is or resolves to an internal address (127.0.0.1 passes only with `allowLoopback`).
 */
export async function subscriptionRefusal(url: string, allowLoopback: boolean): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `scheme ${u.protocol} is not allowed`;
  if (u.username !== '' || u.password !== '') return 'a webhook URL must not carry credentials';
  const guard = webhookGuard(allowLoopback);
  return (guard.addressRefusal ?? internalAddressReason)(u.hostname);
}
