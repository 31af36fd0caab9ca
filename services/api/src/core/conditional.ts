// If-Modified-Since (services/api/README.md "Behaviour common to every endpoint"; RFC 9110 §13.1.3,
// §13.2.2): whether an answer that carries Last-Modified becomes a 304. If-None-Match is @fastify/etag's;
// when a request has both, If-None-Match decides and If-Modified-Since is ignored. Pure.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const M = MONTHS.join('|');
const IMF_FIXDATE = new RegExp(
  `^(${DAYS.join('|')}), (\\d{2}) (${M}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
const RFC850 = new RegExp(
  `^(${LONG_DAYS.join('|')}), (\\d{2})-(${M})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
const ASCTIME = new RegExp(`^(${DAYS.join('|')}) (${M}) ( \\d|\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

function utc(
  year: number,
  month: string,
  day: number,
  h: number,
  m: number,
  s: number,
  weekday: number,
): Date | null {
  const mi = MONTHS.indexOf(month);
  if (h > 23 || m > 59 || s > 60) return null;
  const d = new Date(Date.UTC(year, mi, day, h, m, Math.min(s, 59)));
  // Calendar overflow (31 Feb) and a weekday that is not that date's make the value invalid.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== mi || d.getUTCDate() !== day) return null;
  if (d.getUTCDay() !== weekday) return null;
  return d;
}

/**
 * An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient
 * must accept. null when it is none of them (the header is then ignored). `now` resolves RFC 850's
 * two-digit year: a year more than 50 years in the future is the one a century earlier.
 */
export function parseHttpDate(text: string, now: Date): Date | null {
  let r = IMF_FIXDATE.exec(text);
  if (r)
    return utc(
      Number(r[4]),
      r[3]!,
      Number(r[2]),
      Number(r[5]),
      Number(r[6]),
      Number(r[7]),
      DAYS.indexOf(r[1]!),
    );
  r = RFC850.exec(text);
  if (r) {
    const century = Math.floor(now.getUTCFullYear() / 100) * 100;
    let year = century + Number(r[4]);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, r[3]!, Number(r[2]), Number(r[5]), Number(r[6]), Number(r[7]), LONG_DAYS.indexOf(r[1]!));
  }
  r = ASCTIME.exec(text);
  if (r)
    return utc(
      Number(r[7]),
      r[2]!,
      Number(r[3]!.trim()),
      Number(r[4]),
      Number(r[5]),
      Number(r[6]),
      DAYS.indexOf(r[1]!),
    );
  return null;
}

export interface ConditionalRequest {
  readonly method: string;
  readonly ifNoneMatch: string | undefined;
  readonly ifModifiedSince: string | undefined;
}

/**
 * Whether a 200 answer with this Last-Modified is a 304 by If-Modified-Since: only for GET and HEAD,
 * only without If-None-Match, only when the header is one valid HTTP-date, and when the answer was not
 * modified after it (Last-Modified ≤ the date; both have one-second precision).
 */
export function notModifiedSince(
  req: ConditionalRequest,
  status: number,
  lastModified: string | undefined,
  now: Date,
): boolean {
  if (status !== 200) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.ifNoneMatch !== undefined) return false;
  if (req.ifModifiedSince === undefined || lastModified === undefined) return false;
  const since = parseHttpDate(req.ifModifiedSince.trim(), now);
  const modified = parseHttpDate(lastModified, now);
  if (since === null || modified === null) return false;
  return modified.getTime() <= since.getTime();
}
