// Written from docs/deploying.md "Kafka security settings" (rules 1-12) and "At start: what a refused
// connection says", not from the code: each case names its rule.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import {
  explainKafkaAccessFailure,
  kafkaSecurityEnv,
  kafkaSecurityFromEnv,
  PLAINTEXT_SECURITY,
  type KafkaSecurity,
} from './kafka-security.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHkeymaterial\n-----END PRIVATE KEY-----\n';
const files: Record<string, string> = {
  '/s/ca.crt': CA,
  '/s/user.crt': CERT,
  '/s/user.key': KEY,
  '/s/password': 'hunter2-from-file\n',
  '/s/password-crlf': 'pw-crlf\r\n',
  '/s/empty': '\n',
  '/s/notes.txt': 'just text',
};
const readFile = (p: string): string => {
  const text = files[p];
  if (text === undefined)
    throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
  return text;
};

/** The variables through the zod fragment (rules 1, 2, 10), then the cross checks. */
function parse(vars: Record<string, string>): KafkaSecurity {
  return kafkaSecurityFromEnv(loadConfig(z.object(kafkaSecurityEnv), vars), readFile);
}
function failure(vars: Record<string, string>): string {
  try {
    parse(vars);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}
const SASL_SSL = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
  KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
  KAFKA_SASL_USERNAME: 'llmpt-sink',
  KAFKA_SASL_PASSWORD: 's3cret-pw',
};

describe('Kafka security settings (docs/deploying.md)', () => {
  it('rule 2: nothing set is PLAINTEXT, with neither TLS nor SASL', () => {
    expect(parse({})).toEqual(PLAINTEXT_SECURITY);
    expect(parse({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).toEqual({ protocol: 'PLAINTEXT' });
  });
  it('rule 1: empty variables count as unset', () => {
    expect(parse({ KAFKA_SECURITY_PROTOCOL: '', KAFKA_SASL_MECHANISM: '', KAFKA_SSL_CA_FILE: '' })).toEqual({
      protocol: 'PLAINTEXT',
    });
  });
  it('rule 2: another protocol value is refused, naming the variable', () => {
    expect(() => parse({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toThrow(/KAFKA_SECURITY_PROTOCOL/);
    expect(() => parse({ ...SASL_SSL, KAFKA_SASL_MECHANISM: 'GSSAPI' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });
  it('rule 4: a SASL variable with a protocol without SASL is an error naming it', () => {
    const m = failure({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
    });
    expect(m).toMatch(/KAFKA_SASL_MECHANISM: set, but KAFKA_SECURITY_PROTOCOL=SSL/);
    expect(m).toMatch(/KAFKA_SASL_USERNAME: set/);
    expect(failure({ KAFKA_SASL_PASSWORD: 'pw' })).toMatch(
      /KAFKA_SASL_PASSWORD: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT/,
    );
  });
  it('rule 5: a TLS variable with a protocol without TLS is an error naming it', () => {
    expect(failure({ KAFKA_SSL_CA_FILE: '/s/ca.crt' })).toMatch(
      /KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT/,
    );
    expect(
      failure({ ...SASL_SSL, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SSL_SERVERNAME: 'k' }),
    ).toMatch(/KAFKA_SSL_SERVERNAME: set, but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT/);
  });
  it('rule 6: SASL needs a mechanism, a user and one password', () => {
    const m = failure({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' });
    expect(m).toMatch(/KAFKA_SASL_MECHANISM: required/);
    expect(m).toMatch(/KAFKA_SASL_USERNAME: required/);
    expect(m).toMatch(/KAFKA_SASL_PASSWORD: required/);
    expect(failure({ ...SASL_SSL, KAFKA_SASL_PASSWORD_FILE: '/s/password' })).toMatch(
      /KAFKA_SASL_PASSWORD_FILE: set together with KAFKA_SASL_PASSWORD/,
    );
  });
  it('rule 6: SASL_SSL with SCRAM gives TLS with the system CAs and the login', () => {
    const s = parse(SASL_SSL);
    expect(s.protocol).toBe('SASL_SSL');
    expect(s.tls).toEqual({});
    expect(s.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(s.sasl?.username).toBe('llmpt-sink');
    expect(s.sasl?.password.reveal()).toBe('s3cret-pw');
    const plain = parse({
      ...SASL_SSL,
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'PLAIN',
    });
    expect([plain.protocol, plain.tls, plain.sasl?.mechanism]).toEqual([
      'SASL_PLAINTEXT',
      undefined,
      'PLAIN',
    ]);
  });
  it('rule 7: the password file less one final line break; an empty one is an error', () => {
    const { KAFKA_SASL_PASSWORD: _pw, ...noPassword } = SASL_SSL;
    expect(parse({ ...noPassword, KAFKA_SASL_PASSWORD_FILE: '/s/password' }).sasl?.password.reveal()).toBe(
      'hunter2-from-file',
    );
    expect(
      parse({ ...noPassword, KAFKA_SASL_PASSWORD_FILE: '/s/password-crlf' }).sasl?.password.reveal(),
    ).toBe('pw-crlf');
    expect(failure({ ...noPassword, KAFKA_SASL_PASSWORD_FILE: '/s/empty' })).toMatch(
      /KAFKA_SASL_PASSWORD_FILE: \/s\/empty is empty/,
    );
  });
  it('rule 8: certificate and key go together; a key password needs the key', () => {
    const ssl = { KAFKA_SECURITY_PROTOCOL: 'SSL' };
    expect(failure({ ...ssl, KAFKA_SSL_CERT_FILE: '/s/user.crt' })).toMatch(
      /KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE/,
    );
    expect(failure({ ...ssl, KAFKA_SSL_KEY_FILE: '/s/user.key' })).toMatch(
      /KAFKA_SSL_CERT_FILE: required with KAFKA_SSL_KEY_FILE/,
    );
    expect(failure({ ...ssl, KAFKA_SSL_KEY_PASSWORD: 'kp' })).toMatch(
      /KAFKA_SSL_KEY_PASSWORD: set without KAFKA_SSL_KEY_FILE/,
    );
  });
  it('mutual TLS: CA, certificate, key, passphrase and server name', () => {
    const s = parse({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: '/s/ca.crt',
      KAFKA_SSL_CERT_FILE: '/s/user.crt',
      KAFKA_SSL_KEY_FILE: '/s/user.key',
      KAFKA_SSL_KEY_PASSWORD: 'key-pass',
      KAFKA_SSL_SERVERNAME: 'kafka.example.com',
    });
    expect(s.sasl).toBeUndefined();
    expect(s.tls?.ca).toBe(CA);
    expect(s.tls?.cert).toBe(CERT);
    expect(s.tls?.key?.reveal()).toBe(KEY);
    expect(s.tls?.keyPassword?.reveal()).toBe('key-pass');
    expect(s.tls?.servername).toBe('kafka.example.com');
  });
  it('rule 9: an unreadable file or one without the PEM block is an error naming the variable and the path', () => {
    const m = failure({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/s/missing.pem' });
    expect(m).toMatch(/KAFKA_SSL_CA_FILE: cannot read \/s\/missing.pem \(ENOENT\)/);
    expect(failure({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/s/notes.txt' })).toMatch(
      /KAFKA_SSL_CA_FILE: \/s\/notes.txt is not a PEM file of certificates/,
    );
    expect(
      failure({
        KAFKA_SECURITY_PROTOCOL: 'SSL',
        KAFKA_SSL_CERT_FILE: '/s/user.key',
        KAFKA_SSL_KEY_FILE: '/s/user.crt',
      }),
    ).toMatch(
      /KAFKA_SSL_CERT_FILE: \/s\/user.key is not a PEM certificate[\s\S]*KAFKA_SSL_KEY_FILE: \/s\/user.crt is not a PEM private key/,
    );
  });
  it('rule 10: the server name is a host name', () => {
    expect(() => parse({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_SERVERNAME: 'kafka:9093' })).toThrow(
      /KAFKA_SSL_SERVERNAME/,
    );
  });
  it('rule 12: no password, key or file content in messages or printed values', () => {
    const m = failure({
      ...SASL_SSL,
      KAFKA_SASL_PASSWORD_FILE: '/s/password',
      KAFKA_SSL_KEY_FILE: '/s/user.key',
      KAFKA_SSL_KEY_PASSWORD: 'key-pass',
    });
    for (const secret of ['s3cret-pw', 'hunter2', 'MIGHkeymaterial', 'key-pass'])
      expect(m).not.toContain(secret);
    const s = parse({
      ...SASL_SSL,
      KAFKA_SSL_CERT_FILE: '/s/user.crt',
      KAFKA_SSL_KEY_FILE: '/s/user.key',
      KAFKA_SSL_KEY_PASSWORD: 'key-pass',
    });
    const shown = [
      JSON.stringify(s),
      inspect(s, { depth: 5 }),
      String(s.sasl?.password),
      String(s.tls?.key),
    ].join('\n');
    for (const secret of ['s3cret-pw', 'MIGHkeymaterial', 'key-pass']) expect(shown).not.toContain(secret);
    expect(shown).toContain('[redacted]');
    // A zod-level error on a password variable shows `set`, not the value (loadConfig).
    expect(() => parse({ ...SASL_SSL, KAFKA_SASL_PASSWORD: 'pw', KAFKA_SASL_MECHANISM: 'nope' })).toThrow(
      /KAFKA_SASL_MECHANISM/,
    );
  });
});

describe('a refused first connection (docs/deploying.md "At start")', () => {
  const sasl = parse(SASL_SSL);
  const mtls = parse({
    KAFKA_SECURITY_PROTOCOL: 'SSL',
    KAFKA_SSL_CERT_FILE: '/s/user.crt',
    KAFKA_SSL_KEY_FILE: '/s/user.key',
  });
  it('SASL authentication failed names the user and the SASL variables', () => {
    const line = explainKafkaAccessFailure(
      'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      sasl,
    );
    expect(line).toMatch(/llmpt-sink/);
    expect(line).toMatch(/KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE/);
  });
  it('an untrusted broker certificate names KAFKA_SSL_CA_FILE', () => {
    for (const why of [
      'self-signed certificate in certificate chain',
      'unable to verify the first certificate',
      'unable to get local issuer certificate',
    ])
      expect(explainKafkaAccessFailure(`Connection error: ${why}`, sasl)).toMatch(
        new RegExp(`not trusted \\(${why}\\): check KAFKA_SSL_CA_FILE`),
      );
  });
  it('a host the certificate does not name points at KAFKA_BROKERS and KAFKA_SSL_SERVERNAME', () => {
    expect(
      explainKafkaAccessFailure(
        "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list",
        sasl,
      ),
    ).toMatch(/KAFKA_BROKERS and KAFKA_SSL_SERVERNAME/);
  });
  it('a TLS alert from the broker names the client certificate variables', () => {
    expect(
      explainKafkaAccessFailure(
        'Connection error: ...:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:...',
        mtls,
      ),
    ).toMatch(
      /refused the client certificate \(TLS alert: certificate unknown\): check KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    );
    expect(
      explainKafkaAccessFailure('sslv3 alert bad certificate', parse({ KAFKA_SECURITY_PROTOCOL: 'SSL' })),
    ).toMatch(/KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/);
  });
  it('a port without TLS names the protocol and the brokers', () => {
    expect(explainKafkaAccessFailure('Connection error: ... wrong version number ...', sasl)).toMatch(
      /KAFKA_SECURITY_PROTOCOL and KAFKA_BROKERS/,
    );
  });
  it('a broker that is away is not a settings problem', () => {
    expect(
      explainKafkaAccessFailure('Connection error: connect ECONNREFUSED 127.0.0.1:9092', sasl),
    ).toBeUndefined();
  });
});
