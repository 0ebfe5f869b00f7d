import { createPublicKey, createPrivateKey, type KeyObject } from 'node:crypto';
import { createDecoder, createSigner, createVerifier, TokenError } from 'fast-jwt';
import { z } from 'zod';
import { AppError } from './errors.js';

export const ROLES = ['customer', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Issuer and audience of the platform's tokens unless JWT_ISSUER / JWT_AUDIENCE say otherwise. */
export const DEFAULT_TOKEN_ISSUER = 'first-viscount';
export const DEFAULT_TOKEN_AUDIENCE = 'first-viscount';
/** The longest lifetime (`exp - iat`) a token may declare unless JWT_MAX_TTL_SECONDS says otherwise. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** The prefix of the key id of a service's own signing key: `service:<name>`. */
export const SERVICE_KEY_ID_PREFIX = 'service:';

/** The authenticated caller, from a verified token. */
export interface Principal {
  /** Token subject: a customer id, a service name or an operator. */
  sub: string;
  roles: readonly Role[];
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/**
 * What signs a token: a shared HS256 secret (local development), or a service's own private key
 * (PEM, RSA for RS256 or P-256 for ES256) published under `keyId` in the verifiers' JWKS.
 */
export type SigningKey = string | { privateKey: string; keyId: string };

export interface SignTokenOptions {
  sub: string;
  roles: readonly Role[];
  /** Lifetime: seconds, or a duration such as `'15m'`, `'8h'`, `'7d'`. */
  expiresIn: number | string;
  /** Signing time in milliseconds since the epoch; now when omitted. */
  clockTimestamp?: number;
  issuer?: string;
  audience?: string;
}

function asymmetricAlgorithm(key: KeyObject): 'RS256' | 'ES256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('a signing key must be an RSA key (RS256) or a P-256 EC key (ES256)');
}

/** Signs a token carrying `sub`, `roles`, `iss`, `aud`, `iat` and `exp`, as every service accepts. */
export function signToken(key: SigningKey, options: SignTokenOptions): string {
  const timing = {
    expiresIn: typeof options.expiresIn === 'number' ? options.expiresIn * 1000 : options.expiresIn,
    ...(options.clockTimestamp === undefined ? {} : { clockTimestamp: options.clockTimestamp }),
    iss: options.issuer ?? DEFAULT_TOKEN_ISSUER,
    aud: options.audience ?? DEFAULT_TOKEN_AUDIENCE,
  };
  const sign =
    typeof key === 'string'
      ? createSigner({ key, algorithm: 'HS256', ...timing })
      : createSigner({
          key: key.privateKey,
          algorithm: asymmetricAlgorithm(createPrivateKey(key.privateKey)),
          kid: key.keyId,
          ...timing,
        });
  return sign({ sub: options.sub, roles: [...options.roles] });
}

/** What every token must satisfy besides its signature. */
export interface TokenPolicy {
  issuer: string;
  audience: string;
  /** Longest accepted `exp - iat`, in seconds. */
  maxLifetimeSeconds: number;
  /** "Now" in milliseconds since the epoch, for tests. */
  clockTimestamp?: number;
}

function policyOf(options: Partial<TokenPolicy>): TokenPolicy {
  return {
    issuer: options.issuer ?? DEFAULT_TOKEN_ISSUER,
    audience: options.audience ?? DEFAULT_TOKEN_AUDIENCE,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    ...(options.clockTimestamp === undefined ? {} : { clockTimestamp: options.clockTimestamp }),
  };
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(ROLES)),
  exp: z.number(),
  iat: z.number(),
});

export function invalidToken(message: string, cause?: unknown): AppError {
  return new AppError('AUTHENTICATION_REQUIRED', message, {
    cause,
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${message}"` },
  });
}

function verificationFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TokenError && error.code === TokenError.codes.expired) {
    return invalidToken('The bearer token has expired', error);
  }
  if (error instanceof TokenError && error.code === TokenError.codes.invalidClaimValue) {
    return invalidToken(`The bearer token was not issued for this platform: ${error.message}`, error);
  }
  return invalidToken('The bearer token is invalid', error);
}

/**
 * The principal of a verified payload. A token signed with a service's own key (`kid`
 * `service:<name>`) speaks only for that service: its subject must be the name, its only role `service`.
 */
function principalOf(payload: unknown, keyId: string | undefined, policy: TokenPolicy): Principal {
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw invalidToken(
      `The bearer token must carry a subject, an issue time and roles drawn from ${ROLES.join(', ')}`,
    );
  }
  const { sub, roles, exp, iat } = claims.data;
  if (exp - iat > policy.maxLifetimeSeconds) {
    throw invalidToken(`The bearer token's lifetime exceeds ${policy.maxLifetimeSeconds} seconds`);
  }
  if (keyId?.startsWith(SERVICE_KEY_ID_PREFIX)) {
    const service = keyId.slice(SERVICE_KEY_ID_PREFIX.length);
    if (sub !== service || roles.length !== 1 || roles[0] !== 'service') {
      throw invalidToken(`A key of the service ${service} signs only that service's own tokens`);
    }
  }
  return { sub, roles, exp };
}

function verifierOptions(policy: TokenPolicy) {
  return {
    allowedIss: policy.issuer,
    allowedAud: policy.audience,
    requiredClaims: ['sub', 'exp', 'iat', 'iss', 'aud'],
    cache: true,
    ...(policy.clockTimestamp === undefined ? {} : { clockTimestamp: policy.clockTimestamp }),
  };
}

export type TokenVerifier = (token: string) => Principal;

/**
 * Verifies HS256 tokens signed with `secret` and returns their principal.
 *
 * @throws {AppError} AUTHENTICATION_REQUIRED when the token is malformed, badly signed, expired,
 * issued by someone else or for another audience, lives longer than allowed, or lacks valid claims.
 */
export function createTokenVerifier(secret: string, options: Partial<TokenPolicy> = {}): TokenVerifier {
  const policy = policyOf(options);
  const verify = createVerifier({ key: secret, algorithms: ['HS256'], ...verifierOptions(policy) });
  return (token) => {
    let payload: unknown;
    try {
      payload = verify(token);
    } catch (error) {
      throw verificationFailure(error);
    }
    return principalOf(payload, undefined, policy);
  };
}

export type JwksKeyResolver = (keyId: string | undefined) => Promise<string>;

const jwksSchema = z.object({
  keys: z.array(z.object({ kid: z.string().optional(), kty: z.string() }).passthrough()),
});

/**
 * Public keys from a JWKS URL, by key id, as PEM. The set is cached for `cacheMs` and fetched again
 * when an unknown key id arrives (at most once per `refetchMs`), so a rotated key is picked up.
 */
export function createJwksKeyResolver(
  url: string,
  options: { cacheMs?: number; refetchMs?: number; fetch?: typeof fetch } = {},
): JwksKeyResolver {
  const cacheMs = options.cacheMs ?? 10 * 60_000;
  const refetchMs = options.refetchMs ?? 30_000;
  const get = options.fetch ?? fetch;
  let keys = new Map<string, string>();
  let fetchedAt = 0;
  let pending: Promise<void> | null = null;

  const load = async (): Promise<void> => {
    const response = await get(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`the JWKS at ${url} answered ${response.status}`);
    const set = jwksSchema.parse(await response.json());
    const next = new Map<string, string>();
    for (const jwk of set.keys) {
      const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      });
      next.set(jwk.kid ?? '', String(pem));
    }
    keys = next;
    fetchedAt = Date.now();
  };
  const refresh = async (): Promise<void> => {
    pending ??= load().finally(() => {
      pending = null;
    });
    await pending;
  };

  return async (keyId) => {
    const age = Date.now() - fetchedAt;
    if (age > cacheMs || (!keys.has(keyId ?? '') && age > refetchMs)) {
      await refresh().catch((error: unknown) => {
        throw invalidToken('The token signing keys could not be fetched', error);
      });
    }
    const pem = keys.get(keyId ?? '');
    if (pem === undefined) throw invalidToken(`The bearer token names an unknown key (${keyId ?? 'none'})`);
    return pem;
  };
}

export interface AuthenticatorOptions extends Partial<TokenPolicy> {
  /** HS256 secret; HS256 tokens are refused without one. */
  secret?: string | undefined;
  /** Where RS256/ES256 public keys are published; such tokens are refused without one. */
  jwksUrl?: string | undefined;
  /** A resolver to use instead of fetching `jwksUrl` (tests). */
  jwks?: JwksKeyResolver;
}

export type Authenticator = (token: string) => Promise<Principal>;

const decodeHeader = createDecoder({ complete: true });

/**
 * Verifies a bearer token by its algorithm: HS256 with the shared secret, RS256/ES256 with the JWKS.
 * Anything else (`none` included) is refused.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const policy = policyOf(options);
  const hs256 = options.secret === undefined ? null : createTokenVerifier(options.secret, policy);
  const resolver = options.jwks ?? (options.jwksUrl ? createJwksKeyResolver(options.jwksUrl) : null);
  const asymmetric = resolver
    ? createVerifier({
        key: async (decoded: { header: { kid?: string } }) => resolver(decoded.header.kid),
        algorithms: ['RS256', 'ES256'],
        ...verifierOptions(policy),
      })
    : null;

  return async (token) => {
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = (decodeHeader(token) as { header: { alg?: unknown; kid?: unknown } }).header;
    } catch (error) {
      throw invalidToken('The bearer token is invalid', error);
    }
    if (header.alg === 'HS256' && hs256) return hs256(token);
    if ((header.alg === 'RS256' || header.alg === 'ES256') && asymmetric) {
      let payload: unknown;
      try {
        payload = await asymmetric(token);
      } catch (error) {
        throw verificationFailure(error);
      }
      return principalOf(payload, typeof header.kid === 'string' ? header.kid : undefined, policy);
    }
    throw invalidToken(`Tokens signed with ${JSON.stringify(header.alg)} are not accepted here`);
  };
}
