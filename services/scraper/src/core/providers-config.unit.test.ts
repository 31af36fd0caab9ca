import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import {
  enabledHostPages,
  enabledProviders,
  fetcherOptionsFrom,
  parseProvidersConfig,
  withBaseUrl,
} from './providers-config.ts';
import { loadProvidersConfig } from '../adapters/providers-file.ts';

const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));

describe('configs/providers.yml', () => {
  it('loads, with one enabled author page per author slug, and the host pages apart', () => {
    expect([...enabledProviders(config).keys()].sort()).toEqual([
      'anthropic',
      'deepseek',
      'google',
      'mistralai',
      'moonshotai',
      'openai',
      'x-ai',
      'z-ai',
    ]);
    expect(enabledHostPages(config).map((p) => `${p.slug} ${p.parser.kind}`)).toEqual([
      'cerebras next-flight-table',
      'google-vertex row-label-table',
      'novita table',
      'siliconflow flat-table',
      'venice labelled-lines',
    ]);
    expect(config.politeness).toEqual({
      perHostConcurrency: 1,
      minIntervalMs: 1000,
      timeoutMs: 20000,
      maxBytes: 5242880,
      retries: 3,
      robots: true,
    });
    const google = config.providers.find((p) => p.id === 'google');
    expect(google?.allowHosts).toEqual(['ai.google.dev']);
  });

  it('fetcher options: the allow-list is every enabled page host', () => {
    const opts = fetcherOptionsFrom(config);
    expect(opts.allowHosts).toContain('developers.openai.com');
    expect(opts.allowHosts).toContain('api-docs.deepseek.com');
    expect(opts.allowHosts).not.toContain('docs.claude.com'); // anthropic-docs is disabled
    expect(opts.minIntervalMs).toBe(1000);
  });

  it('withBaseUrl moves pages to the local server and narrows the allow-list to it', () => {
    const local = withBaseUrl(config, 'http://127.0.0.1:4567');
    const ds = local.providers.find((p) => p.id === 'deepseek');
    expect(ds?.url).toBe('http://127.0.0.1:4567/api-docs.deepseek.com/quick_start/pricing');
    expect(ds?.allowHosts).toEqual(['127.0.0.1']);
    const paths = local.providers.map((p) => new URL(p.url).pathname);
    expect(new Set(paths).size).toBe(paths.length); // claude.com/pricing and mistral.ai/pricing stay apart
  });

  it('a pattern that is not a regular expression fails at load, naming it', () => {
    const doc = {
      version: 1,
      userAgent: 'x',
      politeness: config.politeness,
      providers: [
        {
          slug: 'acme',
          role: 'host',
          name: 'Acme',
          url: 'https://acme.example/pricing',
          render: 'static',
          parser: {
            kind: 'flat-table',
            format: 'markdown',
            headers: ['Model', 'Input'],
            columns: { Input: 'prompt' },
            rowEnd: '^[Details',
            tableEnd: '^Load More',
          },
          models: { One: 'meta-llama/one' },
        },
      ],
    };
    expect(() => parseProvidersConfig(doc, 'providers.yml')).toThrow(
      /providers\.0\.parser\.rowEnd: not a valid regular expression/,
    );
  });

  it('a bad entry fails with its path and how to fix it', () => {
    const bad = {
      version: 1,
      userAgent: 'x',
      politeness: {
        perHostConcurrency: 1,
        minIntervalMs: 0,
        timeoutMs: 1000,
        maxBytes: 2048,
        retries: 0,
        robots: true,
      },
      providers: [
        {
          slug: 'Open AI',
          name: 'x',
          url: 'https://a.example/p',
          allowHosts: ['b.example'],
          render: 'browser',
          parser: { kind: 'cards', format: 'html' },
          models: { x: 'not-an-id' },
        },
      ],
    };
    let message = '';
    try {
      parseProvidersConfig(bad, 'providers.yml');
    } catch (err) {
      expect((err as { code?: string }).code).toBe('CONFIG_INVALID');
      message = (err as Error).message;
    }
    expect(message).toContain('providers.yml is invalid');
    expect(message).toContain('providers.0.slug: lowercase OpenRouter slug');
    expect(message).toContain('providers.0.parser.cardSelector');
    expect(message).toContain('providers.0.models.x: an OpenRouter model id');
  });
});

describe('tier labels in configs/providers.yml', () => {
  const tableParser = (groups: Record<string, string | null>) => ({
    kind: 'table',
    format: 'markdown',
    headers: ['Model'],
    columns: { Input: 'prompt' },
    groups,
  });
  const configWith = (groups: Record<string, string | null>) => ({
    version: 1,
    userAgent: 'x',
    politeness: {
      perHostConcurrency: 1,
      minIntervalMs: 0,
      timeoutMs: 1000,
      maxBytes: 2048,
      retries: 0,
      robots: true,
    },
    providers: [
      {
        slug: 'openai',
        name: 'OpenAI',
        url: 'https://a.example/p',
        render: 'static',
        parser: tableParser(groups),
        models: { 'gpt-x': 'openai/gpt-x' },
      },
    ],
  });
  const messageOf = (groups: Record<string, string | null>): string => {
    try {
      parseProvidersConfig(configWith(groups), 'providers.yml');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('the shipped long-context tiers are strict, as the pages state them ("prompts longer than 272K")', () => {
    const openai = config.providers.find((p) => p.id === 'openai');
    expect(openai?.parser).toMatchObject({ groups: { 'Long context': 'prompt_tokens>272000' } });
  });

  it('accepts labels in the tiers.ts grammar', () => {
    expect(messageOf({ Short: null, Long: 'prompt_tokens>272000', Batch: 'variant=batch' })).toBe('');
  });

  it('refuses a label written before v2 and says how to write it', () => {
    expect(messageOf({ Long: 'min_prompt_tokens=272000' })).toContain(
      'providers.0.parser.groups.Long: write the tier as "prompt_tokens>272000"',
    );
    expect(messageOf({ Batch: 'batch' })).toContain('write the tier as "variant=batch"');
    expect(messageOf({ Odd: 'utc 25:00-01:00' })).toContain('not a tier label');
  });
});
