// The one capped reader: a body larger than the cap is refused, whether its content-length says so
// up front or it streams past the cap (a runaway or hostile source never fills the memory).
import type { ReadableStreamDefaultReader } from 'node:stream/web';
import type { Response } from 'undici';
import { tooLargeError } from './errors.ts';

export async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLargeError(url, `content-length ${declared} exceeds the ${maxBytes}-byte cap`);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLargeError(url, `body exceeds the ${maxBytes}-byte cap`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
