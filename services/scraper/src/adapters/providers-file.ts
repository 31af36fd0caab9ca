// Reading configs/providers.yml (the I/O half of the providers config; the validation is core/).
import { readFileSync } from 'node:fs';
import { ConfigError } from '@llmpt/runtime';
import { parse as parseYaml } from 'yaml';
import { parseProvidersConfig, type ProvidersConfig } from '../core/providers-config.ts';

/** Reads and validates configs/providers.yml (or any path). */
export function loadProvidersConfig(path: string): ProvidersConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read providers config ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message}`);
  }
  return parseProvidersConfig(doc, path);
}
