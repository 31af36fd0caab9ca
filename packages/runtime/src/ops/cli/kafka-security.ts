// Interim: the ACL command's broker security from the environment, until createKafka takes its
// `security` option (branch i17-security); then this file goes and the command uses that.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SASLOptions } from 'kafkajs';

export const kafkaSecurityEnv = {
  KAFKA_SECURITY_PROTOCOL: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
};

export interface KafkaSecurityEnv {
  readonly KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  readonly KAFKA_SASL_MECHANISM: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
  readonly KAFKA_SSL_CA_FILE?: string | undefined;
}

export function kafkaSecurityOptions(e: KafkaSecurityEnv): {
  ssl?: { ca: string[] } | true;
  sasl?: SASLOptions;
} {
  const tls = e.KAFKA_SECURITY_PROTOCOL === 'SSL' || e.KAFKA_SECURITY_PROTOCOL === 'SASL_SSL';
  const sasl = e.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_');
  const ssl = tls
    ? e.KAFKA_SSL_CA_FILE
      ? { ca: [readFileSync(e.KAFKA_SSL_CA_FILE, 'utf8')] }
      : true
    : undefined;
  if (!sasl) return ssl ? { ssl } : {};
  if (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD)
    throw new Error(
      `KAFKA_SECURITY_PROTOCOL=${e.KAFKA_SECURITY_PROTOCOL} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
    );
  const credentials = { username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD };
  const saslOptions: SASLOptions =
    e.KAFKA_SASL_MECHANISM === 'plain'
      ? { mechanism: 'plain', ...credentials }
      : e.KAFKA_SASL_MECHANISM === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', ...credentials }
        : { mechanism: 'scram-sha-512', ...credentials };
  return { ...(ssl ? { ssl } : {}), sasl: saslOptions };
}
