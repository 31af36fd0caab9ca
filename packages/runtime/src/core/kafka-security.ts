// How a Kafka client authenticates and encrypts: the environment variables every service and CLI reads
// (Java-client-like names), checked together at start. The rules are written in docs/deploying.md
// ("Kafka security settings"); kafka-security.unit.test.ts is written from them. Pure: files come in
// through a reader function, nothing here touches the network or the clock.
import { z } from 'zod';
import { ConfigError } from './errors.ts';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * A password or private key: shown as "[redacted]" by String(), JSON.stringify and util.inspect (so
 * a config object that reaches a log line carries no secret); `reveal()` hands it to the client only.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

export interface KafkaTls {
  /** PEM bundle of the CAs to trust instead of the system's; undefined = the system CAs. */
  readonly ca?: string;
  /** PEM client certificate (chain) for mutual TLS, with its key. */
  readonly cert?: string;
  readonly key?: Secret;
  readonly keyPassword?: Secret;
  /** TLS server name (SNI and the name checked in the broker's certificate) instead of the broker host. */
  readonly servername?: string;
}

export interface KafkaSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: Secret;
}

/** What createKafka needs to reach a broker: the protocol, and the TLS and SASL settings it implies. */
export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  readonly tls?: KafkaTls;
  readonly sasl?: KafkaSasl;
}

/** No TLS, no SASL: the local stack's plaintext listener (and tests that use it). */
export const PLAINTEXT_SECURITY: KafkaSecurity = Object.freeze({ protocol: 'PLAINTEXT' });

/** An empty variable (compose's `${X:-}`) counts as unset. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** The variables, each checked on its own; kafkaSecurityFromEnv checks them together. */
export const kafkaSecurityEnv = {
  KAFKA_SECURITY_PROTOCOL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(SECURITY_PROTOCOLS).default('PLAINTEXT'),
  ),
  KAFKA_SASL_MECHANISM: optional(z.enum(SASL_MECHANISMS)),
  KAFKA_SASL_USERNAME: optional(z.string()),
  KAFKA_SASL_PASSWORD: optional(z.string()),
  KAFKA_SASL_PASSWORD_FILE: optional(z.string()),
  KAFKA_SSL_CA_FILE: optional(z.string()),
  KAFKA_SSL_CERT_FILE: optional(z.string()),
  KAFKA_SSL_KEY_FILE: optional(z.string()),
  KAFKA_SSL_KEY_PASSWORD: optional(z.string()),
  KAFKA_SSL_SERVERNAME: optional(
    z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'a host name, e.g. kafka.example.com'),
  ),
};

export type KafkaSecurityVars = {
  readonly [K in keyof typeof kafkaSecurityEnv]?: z.infer<(typeof kafkaSecurityEnv)[K]>;
};

const SASL_VARS = [
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
] as const;
const TLS_VARS = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_SERVERNAME',
] as const;

export const usesTls = (p: SecurityProtocol): boolean => p === 'SSL' || p === 'SASL_SSL';
export const usesSasl = (p: SecurityProtocol): boolean => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

/** Reads a file as text; throws (an errno error) when it cannot. */
export type TextFileReader = (path: string) => string;

const PEM_CERT = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/**
 * The KafkaSecurity the variables describe, or a ConfigError naming every variable to fix. Messages
 * name files by path and never quote a password or a key.
 */
export function kafkaSecurityFromEnv(vars: KafkaSecurityVars, readFile: TextFileReader): KafkaSecurity {
  const protocol = vars.KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT';
  const issues: string[] = [];
  const issue = (name: string, message: string) => issues.push(`  ${name}: ${message}`);
  const read = (
    name: (typeof TLS_VARS)[number] | 'KAFKA_SASL_PASSWORD_FILE',
    check?: RegExp,
    what?: string,
  ) => {
    const file = vars[name];
    if (file === undefined) return undefined;
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      issue(name, `cannot read ${file} (${typeof code === 'string' ? code : 'unreadable'})`);
      return undefined;
    }
    if (check && !check.test(text)) {
      issue(name, `${file} is not ${what}`);
      return undefined;
    }
    return text;
  };

  if (!usesSasl(protocol))
    for (const name of SASL_VARS)
      if (vars[name] !== undefined)
        issue(name, `set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no SASL (use SASL_SSL, or unset it)`);
  if (!usesTls(protocol))
    for (const name of TLS_VARS)
      if (vars[name] !== undefined)
        issue(
          name,
          `set, but KAFKA_SECURITY_PROTOCOL=${protocol} uses no TLS (use SSL or SASL_SSL, or unset it)`,
        );

  let sasl: KafkaSasl | undefined;
  if (usesSasl(protocol)) {
    const mechanism = vars.KAFKA_SASL_MECHANISM;
    if (mechanism === undefined)
      issue(
        'KAFKA_SASL_MECHANISM',
        `required with KAFKA_SECURITY_PROTOCOL=${protocol} (${SASL_MECHANISMS.join(', ')})`,
      );
    if (vars.KAFKA_SASL_USERNAME === undefined)
      issue('KAFKA_SASL_USERNAME', `required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    let password: string | undefined;
    if (vars.KAFKA_SASL_PASSWORD !== undefined && vars.KAFKA_SASL_PASSWORD_FILE !== undefined)
      issue('KAFKA_SASL_PASSWORD_FILE', 'set together with KAFKA_SASL_PASSWORD: keep one of the two');
    else if (vars.KAFKA_SASL_PASSWORD !== undefined) password = vars.KAFKA_SASL_PASSWORD;
    else if (vars.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      const text = read('KAFKA_SASL_PASSWORD_FILE');
      if (text !== undefined) {
        // A mounted Secret or `echo pw > file` ends with a newline that is not part of the password.
        password = text.replace(/\r?\n$/, '');
        if (password === '') issue('KAFKA_SASL_PASSWORD_FILE', `${vars.KAFKA_SASL_PASSWORD_FILE} is empty`);
      }
    } else
      issue(
        'KAFKA_SASL_PASSWORD',
        `required with KAFKA_SECURITY_PROTOCOL=${protocol} (or KAFKA_SASL_PASSWORD_FILE, a file holding it)`,
      );
    if (mechanism !== undefined && vars.KAFKA_SASL_USERNAME !== undefined && password)
      sasl = { mechanism, username: vars.KAFKA_SASL_USERNAME, password: new Secret(password) };
  }

  let tls: KafkaTls | undefined;
  if (usesTls(protocol)) {
    if (vars.KAFKA_SSL_CERT_FILE !== undefined && vars.KAFKA_SSL_KEY_FILE === undefined)
      issue('KAFKA_SSL_KEY_FILE', 'required with KAFKA_SSL_CERT_FILE (the client certificate needs its key)');
    if (vars.KAFKA_SSL_KEY_FILE !== undefined && vars.KAFKA_SSL_CERT_FILE === undefined)
      issue('KAFKA_SSL_CERT_FILE', 'required with KAFKA_SSL_KEY_FILE (the key needs its certificate)');
    if (vars.KAFKA_SSL_KEY_PASSWORD !== undefined && vars.KAFKA_SSL_KEY_FILE === undefined)
      issue('KAFKA_SSL_KEY_PASSWORD', 'set without KAFKA_SSL_KEY_FILE');
    const ca = read(
      'KAFKA_SSL_CA_FILE',
      PEM_CERT,
      'a PEM file of certificates (-----BEGIN CERTIFICATE-----)',
    );
    const cert = read('KAFKA_SSL_CERT_FILE', PEM_CERT, 'a PEM certificate (-----BEGIN CERTIFICATE-----)');
    const key = read('KAFKA_SSL_KEY_FILE', PEM_KEY, 'a PEM private key (-----BEGIN ... PRIVATE KEY-----)');
    tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined && key !== undefined ? { cert, key: new Secret(key) } : {}),
      ...(vars.KAFKA_SSL_KEY_PASSWORD !== undefined
        ? { keyPassword: new Secret(vars.KAFKA_SSL_KEY_PASSWORD) }
        : {}),
      ...(vars.KAFKA_SSL_SERVERNAME !== undefined ? { servername: vars.KAFKA_SSL_SERVERNAME } : {}),
    };
  }

  if (issues.length)
    throw new ConfigError(
      `invalid Kafka security settings, fix these environment variables:\n${issues.join('\n')}`,
    );
  return Object.freeze({ protocol, ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) });
}

/** One line for logs: what the client uses, never a secret. */
export function describeKafkaSecurity(s: KafkaSecurity): string {
  const parts: string[] = [s.protocol];
  if (s.sasl) parts.push(`${s.sasl.mechanism} as ${s.sasl.username}`);
  if (s.tls) {
    parts.push(s.tls.ca !== undefined ? 'CA from KAFKA_SSL_CA_FILE' : 'system CAs');
    if (s.tls.cert !== undefined) parts.push('client certificate');
    if (s.tls.servername !== undefined) parts.push(`server name ${s.tls.servername}`);
  }
  return parts.join(', ');
}

/**
 * A one-line explanation of a failed first connection that security settings explain (kafkajs's
 * error, its cause chain joined into `text`), naming the variables to check; undefined otherwise
 * (a broker that is away is not a settings problem and is retried). Rules in docs/deploying.md.
 */
export function explainKafkaAccessFailure(text: string, s: KafkaSecurity): string | undefined {
  if (/SASL .*authentication failed|Authentication failed|invalid credentials/i.test(text)) {
    const who = s.sasl ? ` for user ${s.sasl.username} (${s.sasl.mechanism})` : '';
    return `Kafka refused the SASL login${who}: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, and KAFKA_SASL_MECHANISM`;
  }
  const serverCert =
    /(self[- ]signed certificate(?: in certificate chain)?|unable to verify the first certificate|unable to get local issuer certificate|unable to get issuer certificate|certificate has expired|certificate is not yet valid|certificate signature failure)/i.exec(
      text,
    );
  if (serverCert && !/alert/i.test(text))
    return `the broker's TLS certificate is not trusted (${serverCert[1]}): check KAFKA_SSL_CA_FILE (the CA that signed the broker's certificate)`;
  const altName = /(Hostname\/IP does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID)/i.exec(
    text,
  );
  if (altName)
    return `the broker's TLS certificate does not name the host connected to (${altName[1]}): check KAFKA_BROKERS and KAFKA_SSL_SERVERNAME`;
  const alert =
    /alert (certificate unknown|bad certificate|certificate expired|certificate required|unknown ca|certificate revoked|handshake failure)/i.exec(
      text,
    );
  if (alert)
    return s.tls?.cert !== undefined
      ? `the broker refused the client certificate (TLS alert: ${alert[1]}): check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE (expired, or not signed by a CA the broker trusts)`
      : `the broker refused the TLS handshake (TLS alert: ${alert[1]}): it may require a client certificate (KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE)`;
  if (/wrong version number|packet length too long|EPROTO/i.test(text))
    return `the TLS handshake failed (${/wrong version number|packet length too long|EPROTO/i.exec(text)?.[0] ?? ''}): the broker port may not speak TLS; check KAFKA_SECURITY_PROTOCOL and KAFKA_BROKERS`;
  return undefined;
}
