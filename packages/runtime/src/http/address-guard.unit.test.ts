import { describe, expect, it } from 'vitest';
import { isInternalAddress } from './address-guard.ts';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1', // the same, as the URL parser writes it
    '::ffff:a9fe:a9fe', // 169.254.169.254 mapped
    '::7f00:1', // IPv4-compatible 127.0.0.1
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
  ])('%s is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '104.18.2.161', '2606:4700::6812:2a1', '::ffff:808:808'])('%s is public', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });
});
