// Parsing of the `at` query parameter (services/api/README.md "Which price"). Pure: the current time is
// an argument.

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO 8601 instant with a zone, or a date (its UTC midnight); null when it is neither or not real. */
export function parseAt(text: string): Date | null {
  const date = DATE.exec(text);
  if (date) {
    const d = new Date(`${text}T00:00:00Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? null : d;
  }
  if (!INSTANT.test(text)) return null;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return null;
  // Reject calendar overflow (2026-02-30T00:00Z), which Date silently rolls over.
  const [y, m, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, day));
  if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== day) return null;
  return d;
}

/** The instant a request asks about: its `at`, or now. */
export function instantOf(at: string | undefined, now: Date): Date | null {
  return at === undefined ? now : parseAt(at);
}
