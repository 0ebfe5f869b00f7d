import { createPrivateKey } from 'node:crypto';
import {
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  SERVICE_KEY_ID_PREFIX,
  signToken,
  type AuthenticatorOptions,
  type SigningKey,
} from './auth-tokens.js';
import { ConfigError } from './config.js';

/** The configuration a service's own identity is built from (`BaseConfig` satisfies it). */
export interface IdentityConfig {
  SERVICE_NAME: string;
  JWT_SECRET?: string | undefined;
  SERVICE_SIGNING_KEY?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_MAX_TTL_SECONDS?: number | undefined;
}

/** What a service presents to the others: its name, the key that signs its tokens, issuer and audience. */
export interface ServiceCredentials {
  name: string;
  key: SigningKey;
  issuer: string;
  audience: string;
}

/**
 * The service's own credentials: its private key (SERVICE_SIGNING_KEY, published in the JWKS under
 * `service:<SERVICE_NAME>`), or the shared HS256 secret in local development and simple deployments.
 *
 * @throws {ConfigError} naming SERVICE_SIGNING_KEY when neither is configured or the key is unusable.
 */
export function serviceCredentials(config: IdentityConfig): ServiceCredentials {
  const common = {
    name: config.SERVICE_NAME,
    issuer: config.JWT_ISSUER ?? DEFAULT_TOKEN_ISSUER,
    audience: config.JWT_AUDIENCE ?? DEFAULT_TOKEN_AUDIENCE,
  };
  if (config.SERVICE_SIGNING_KEY !== undefined) {
    try {
      createPrivateKey(config.SERVICE_SIGNING_KEY);
    } catch {
      throw new ConfigError([
        { variable: 'SERVICE_SIGNING_KEY', rule: 'must be a PEM private key (RSA or P-256 EC)' },
      ]);
    }
    const keyId = `${SERVICE_KEY_ID_PREFIX}${config.SERVICE_NAME}`;
    return { ...common, key: { privateKey: config.SERVICE_SIGNING_KEY, keyId } };
  }
  if (config.JWT_SECRET !== undefined) return { ...common, key: config.JWT_SECRET };
  throw new ConfigError([
    {
      variable: 'SERVICE_SIGNING_KEY',
      rule: 'is required to call other services when JWT_SECRET is not set (a PEM private key whose public half the JWKS publishes)',
    },
  ]);
}

/** A token saying "I am this service", `sub` = the service name and the single role `service`. */
export function signServiceToken(credentials: ServiceCredentials, expiresInSeconds: number): string {
  return signToken(credentials.key, {
    sub: credentials.name,
    roles: ['service'],
    expiresIn: expiresInSeconds,
    issuer: credentials.issuer,
    audience: credentials.audience,
  });
}

/** How a service verifies the tokens it receives, from its configuration. */
export function authenticatorOptions(config: IdentityConfig): AuthenticatorOptions {
  return {
    secret: config.JWT_SECRET,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER ?? DEFAULT_TOKEN_ISSUER,
    audience: config.JWT_AUDIENCE ?? DEFAULT_TOKEN_AUDIENCE,
    ...(config.JWT_MAX_TTL_SECONDS === undefined ? {} : { maxLifetimeSeconds: config.JWT_MAX_TTL_SECONDS }),
  };
}
