// npm run subscriptions -- add <url> [--model id]... [--provider slug]... [--alerts-only]
//                                  [--include-backfilled] | list | remove <id>
// Until the API manages subscriptions (README §8). Reads DATABASE_URL, NODE_ENV, WEBHOOK_ALLOW_LOOPBACK.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { env, loadConfig } from '@llmpt/runtime';
import { subscriptionRefusal } from '../adapters/guard.ts';
import { createDeliveryStore } from '../adapters/store.ts';

const config = loadConfig(
  z
    .object({
      DATABASE_URL: z.string().startsWith('postgres', 'a postgres:// connection string'),
      NODE_ENV: z.string().optional(),
      WEBHOOK_ALLOW_LOOPBACK: env.bool(false),
    })
    .refine((c) => !(c.WEBHOOK_ALLOW_LOOPBACK && c.NODE_ENV === 'production'), {
      path: ['WEBHOOK_ALLOW_LOOPBACK'],
      message: 'must not be set when NODE_ENV=production',
    }),
);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', multiple: true },
    provider: { type: 'string', multiple: true },
    'alerts-only': { type: 'boolean', default: false },
    'include-backfilled': { type: 'boolean', default: false },
  },
});
const [command, arg] = positionals;
const store = createDeliveryStore({ databaseUrl: config.DATABASE_URL, applicationName: 'notifier-cli' });

try {
  if (command === 'add' && arg) {
    const refusal = await subscriptionRefusal(arg, config.WEBHOOK_ALLOW_LOOPBACK);
    if (refusal) {
      console.error(`refused: ${refusal}`);
      process.exitCode = 2;
    } else {
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const id = await store.addSubscription({
        url: arg,
        secret,
        modelIds: values.model ?? [],
        providers: values.provider ?? [],
        alertsOnly: values['alerts-only'],
        includeBackfilled: values['include-backfilled'],
      });
      // The secret is shown once, here: the receiver needs it to verify signatures.
      console.log(JSON.stringify({ id, secret }));
    }
  } else if (command === 'list') {
    for (const s of await store.listSubscriptions())
      console.log(
        JSON.stringify({
          id: s.id,
          url: s.url,
          model_ids: s.modelIds,
          providers: s.providers,
          alerts_only: s.alertsOnly,
          include_backfilled: s.includeBackfilled,
          disabled: s.disabledAt !== null,
        }),
      );
  } else if (command === 'remove' && arg) {
    await store.disableSubscription(arg, Date.now());
    console.log(JSON.stringify({ id: arg, disabled: true }));
  } else {
    console.error(
      'usage: subscriptions add <url> [--model id]... [--provider slug]... [--alerts-only] [--include-backfilled] | list | remove <id>',
    );
    process.exitCode = 2;
  }
} finally {
  await store.close();
}
