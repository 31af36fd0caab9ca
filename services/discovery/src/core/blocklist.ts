import { parse } from 'yaml';
import { z } from 'zod';
import { DiscoveryError } from '../errors.ts';

/** Which model ids discovery must drop (test rows and the like). */
export interface Blocklist {
  isBlocked(modelId: string): boolean;
}

const fileSchema = z
  .object({
    ids: z.array(z.string()).nullish(),
    globs: z.array(z.string()).nullish(),
    regexes: z.array(z.string()).nullish(),
  })
  .strict();

/** A blocklist that blocks nothing (tests, or a deployment without the config). */
export const emptyBlocklist: Blocklist = { isBlocked: () => false };

/** Builds a blocklist from its parts; bad regexes fail here, at start, not mid-run. */
export function createBlocklist(parts: {
  ids?: readonly string[];
  globs?: readonly string[];
  regexes?: readonly string[];
}): Blocklist {
  const ids = new Set(parts.ids ?? []);
  const patterns = [
    ...(parts.globs ?? []).map(globToRegExp),
    ...(parts.regexes ?? []).map((source) => {
      try {
        return new RegExp(source);
      } catch (cause) {
        throw new DiscoveryError('BAD_BLOCKLIST', `invalid regex in blocklist: ${source}`, { cause });
      }
    }),
  ];
  return { isBlocked: (id) => ids.has(id) || patterns.some((p) => p.test(id)) };
}

/** Parses the YAML text of configs/models_blocklist.yml (pure; adapters/blocklist-file.ts reads it). */
export function parseBlocklist(yamlText: string): Blocklist {
  let doc: unknown;
  try {
    doc = parse(yamlText) ?? {};
  } catch (cause) {
    throw new DiscoveryError('BAD_BLOCKLIST', 'blocklist is not valid YAML', { cause });
  }
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DiscoveryError(
      'BAD_BLOCKLIST',
      `blocklist: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}; expected keys ids, globs, regexes (lists of strings)`,
    );
  }
  return createBlocklist({
    ids: result.data.ids ?? [],
    globs: result.data.globs ?? [],
    regexes: result.data.regexes ?? [],
  });
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
