import { readFileSync } from 'node:fs';
import { parseBlocklist, type Blocklist } from '../core/blocklist.ts';

/** Reads and parses a blocklist file (the shell's side; the parsing stays pure). */
export function loadBlocklist(path: string): Blocklist {
  return parseBlocklist(readFileSync(path, 'utf8'));
}
