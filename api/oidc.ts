/**
 * Single sign-on: OIDC access tokens (JWTs) validated with `jose` against the issuer's published
 * keys. The keys' address comes from the issuer's discovery document; jose keeps the key set,
 * fetches it again when a token names a key id it does not hold (rotation, at most once per
 * cooldown) and after `cacheMaxAge`. Issuer, audience, expiry and not-before are checked, and only
 * asymmetric algorithms are taken (no `none`, no HMAC with a public key). Roles come from one
 * claim (a dotted path, e.g. `realm_access.roles`), mapped to irflow's roles.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { ROLES, type Role } from '../db/api-keys.repo.js';
import type { Principal } from './principal.js';
import { problems } from './problem.js';

export interface OidcSettings {
  /** IRFLOW_OIDC_ISSUER: the `iss` tokens must carry; its discovery document names the keys. */
  issuer: string;
  /** IRFLOW_OIDC_AUDIENCE: the `aud` tokens must carry (irflow's API identifier at the provider). */
  audience: string;
  /** IRFLOW_OIDC_ROLES_CLAIM: where the provider puts groups or roles (default `roles`). */
  rolesClaim: string;
  /** IRFLOW_OIDC_ROLE_MAP: provider group → irflow roles; without it, values that are irflow role names count as themselves. */
  roleMap?: Readonly<Record<string, readonly Role[]>>;
  /** How soon after a fetch an unknown key id may fetch the keys again (jose's default, 30 s). */
  jwksCooldownMs?: number;
  /** Leeway for clocks that disagree, in seconds (default 30). */
  clockToleranceSeconds?: number;
}

export class OidcSettingsError extends Error {
  override name = 'OidcSettingsError';
}

/** Asymmetric signatures only: a public key never verifies an HMAC, and `none` is never taken. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Reads `IRFLOW_OIDC_ROLE_MAP`: JSON, each provider group to an irflow role or a list of them. */
export function parseRoleMap(raw: string): Record<string, Role[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new OidcSettingsError('IRFLOW_OIDC_ROLE_MAP is not JSON: give {"<group>": "<role>" or ["<role>", ...]}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OidcSettingsError('IRFLOW_OIDC_ROLE_MAP must be a JSON object');
  const map: Record<string, Role[]> = {};
  for (const [group, value] of Object.entries(parsed)) {
    const roles = Array.isArray(value) ? value : [value];
    const unknown = roles.filter((role) => !(ROLES as readonly unknown[]).includes(role));
    if (unknown.length > 0) throw new OidcSettingsError(`IRFLOW_OIDC_ROLE_MAP maps ${group} to ${unknown.join(', ')}, not irflow roles (${ROLES.join(', ')})`);
    map[group] = roles as Role[];
  }
  return map;
}

/** The settings from the environment; none when `IRFLOW_OIDC_ISSUER` is unset. */
export function oidcSettingsFromEnv(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.IRFLOW_OIDC_ISSUER;
  if (!issuer) return undefined;
  if (!URL.canParse(issuer)) throw new OidcSettingsError(`IRFLOW_OIDC_ISSUER=${issuer} is not a URL`);
  const audience = env.IRFLOW_OIDC_AUDIENCE;
  if (!audience) throw new OidcSettingsError('IRFLOW_OIDC_AUDIENCE must be set with IRFLOW_OIDC_ISSUER: tokens for other APIs must not be taken');
  return {
    issuer,
    audience,
    rolesClaim: env.IRFLOW_OIDC_ROLES_CLAIM || 'roles',
    ...(env.IRFLOW_OIDC_ROLE_MAP ? { roleMap: parseRoleMap(env.IRFLOW_OIDC_ROLE_MAP) } : {}),
  };
}

/** A JWT has three base64url parts; irflow's own API keys (`irf_…`) never look like one. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), payload);
}

/** The irflow roles a token's claim grants. */
export function rolesOf(payload: JWTPayload, settings: Pick<OidcSettings, 'rolesClaim' | 'roleMap'>): Role[] {
  const claim = claimAt(payload, settings.rolesClaim);
  const values = Array.isArray(claim) ? claim.filter((v): v is string => typeof v === 'string') : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const granted = values.flatMap((value) => (settings.roleMap ? (settings.roleMap[value] ?? []) : (ROLES as readonly string[]).includes(value) ? [value as Role] : []));
  return [...new Set(granted)];
}

function nameOf(payload: JWTPayload): string | undefined {
  for (const claim of ['name', 'preferred_username', 'email']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 200);
  }
  return undefined;
}

/** Why a token is refused, in words a caller can act on; never the token. */
function refusal(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return problems.unauthorized('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return problems.unauthorized(`the token's ${error.claim} claim is not accepted (${error.reason})`);
  if (error instanceof errors.JWKSNoMatchingKey) return problems.unauthorized('the token is signed with a key the issuer does not publish');
  if (error instanceof errors.JWSSignatureVerificationFailed) return problems.unauthorized('the token signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed) return problems.unauthorized('the token is signed with an algorithm irflow does not take');
  if (error instanceof errors.JWKSTimeout) return problems.unavailable('the identity provider did not answer in time');
  if (error instanceof errors.JOSEError) return problems.unauthorized('the token is not a valid JWT');
  return problems.unavailable('the identity provider could not be reached');
}

export interface OidcVerifier {
  /** The principal a valid token stands for; a problem (401, or 503 when the provider is down) otherwise. */
  verify(token: string): Promise<Principal>;
}

interface Discovery {
  issuer?: unknown;
  jwks_uri?: unknown;
}

async function discoverJwksUri(issuer: string): Promise<URL> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const document = (await response.json()) as Discovery;
  if (document.issuer !== issuer) throw new Error(`discovery names the issuer ${String(document.issuer)}, not ${issuer}`);
  if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri)) throw new Error('discovery names no jwks_uri');
  return new URL(document.jwks_uri);
}

export function createOidcVerifier(settings: OidcSettings): OidcVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    if (!keys) {
      keys = discoverJwksUri(settings.issuer).then((uri) => createRemoteJWKSet(uri, { cooldownDuration: settings.jwksCooldownMs ?? 30_000, timeoutDuration: 5000 }));
      // A provider that was down is asked again by the next request.
      keys.catch(() => (keys = undefined));
    }
    return keys;
  };
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        const verified = await jwtVerify(token, await keySet(), {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: ALGORITHMS,
          clockTolerance: settings.clockToleranceSeconds ?? 30,
          requiredClaims: ['sub', 'exp'],
        });
        payload = verified.payload;
      } catch (error) {
        throw refusal(error);
      }
      const name = nameOf(payload);
      return { id: `oidc:${payload.sub!}`, name: `oidc:${payload.sub!}`, roles: rolesOf(payload, settings), via: 'oidc', ...(name ? { displayName: name } : {}) };
    },
  };
}
