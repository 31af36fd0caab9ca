// `npm run acls -- plan|apply|remove|kafka-users`: the Kafka ACLs of docs/kafka-acls.md.
//   plan         print what apply would add (+) and remove (-); changes nothing
//   apply        create the missing bindings, delete the managed principals' bindings not in the data
//   remove       delete every binding of the managed principals
//   kafka-users  write deploy/k8s/strimzi-users/kafka-users.yaml (--check: exit 1 if it differs;
//                --out FILE, --authentication scram-sha-512|tls, TOPIC_PREFIX for another prefix)
// Connects as the admin principal (a super user) with the KAFKA_SECURITY_PROTOCOL... settings of every
// client (docs/deploying.md).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@llmpt/core/paths';
import { z } from 'zod';
import { managedPrincipals, principalAccess } from '../acls/access.ts';
import { aclBindings, formatPlan } from '../acls/bindings.ts';
import { reconcileAcls, type AclAction } from '../acls/broker.ts';
import { KAFKA_USERS_FILE, kafkaUsersFile } from '../acls/kafka-users-file.ts';
import { env, loadConfig } from '../../core/config.ts';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { kafkaSecurityEnv } from '../../core/kafka-security.ts';
import { checkKafkaAccessOrExit, createKafka, kafkaSecurityFromConfig } from '../../kafka/kafka.ts';

const USAGE = `usage: npm run acls -- <plan|apply|remove>
       npm run acls -- kafka-users [--check] [--out FILE] [--authentication scram-sha-512|tls]`;

const out = (line: string) => process.stdout.write(`${line}\n`);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    check: { type: 'boolean', default: false },
    out: { type: 'string' },
    authentication: { type: 'string', default: 'scram-sha-512' },
  },
});
const action = positionals[0];

try {
  if (action === 'kafka-users') {
    const config = loadConfig(z.object({ TOPIC_PREFIX: z.string().default('') }));
    const authentication = z.enum(['scram-sha-512', 'tls']).parse(values.authentication);
    const text = kafkaUsersFile({ prefix: config.TOPIC_PREFIX, authentication });
    const file = path.resolve(repoRoot, values.out ?? KAFKA_USERS_FILE);
    if (values.check) {
      const held = readFileSync(file, 'utf8');
      if (held !== text) {
        out(`acls: ${file} differs from the generator's output: run npm run acls -- kafka-users`);
        process.exit(1);
      }
      out(`acls: ${file} is up to date`);
    } else {
      writeFileSync(file, text);
      out(`acls: wrote ${file}`);
    }
  } else if (action === 'plan' || action === 'apply' || action === 'remove') {
    const config = loadConfig(
      z.object({
        KAFKA_BROKERS: env.brokers,
        TOPIC_PREFIX: z.string().default(''),
        LOG_LEVEL: env.logLevel,
        ...kafkaSecurityEnv,
      }),
    );
    const logger = createLogger({
      service: 'acls',
      level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    });
    const security = kafkaSecurityFromConfig(config);
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'llmpt-acls', logger, security });
    await checkKafkaAccessOrExit(kafka, security, { logger, name: 'acls' });
    const plan = await reconcileAcls(
      kafka,
      action satisfies AclAction,
      aclBindings(principalAccess, config.TOPIC_PREFIX),
      managedPrincipals,
    );
    for (const line of formatPlan(plan)) out(line);
    if (action !== 'plan')
      out(`acls: ${action} done (${plan.add.length} added, ${plan.remove.length} removed)`);
  } else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
} catch (err) {
  process.stderr.write(
    err instanceof ConfigError ? `${err.message}\n` : `acls ${action ?? ''} failed: ${errorMessage(err)}\n`,
  );
  process.exit(1);
}
