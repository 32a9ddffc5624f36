/**
 * A real OpenID provider for tests (`oidc-provider`, the certified Node implementation), on
 * loopback. Each person is a client that gets access tokens with the client-credentials grant:
 * the token's subject is the client id, and its `groups` and `name` claims are the person's.
 * Access tokens are JWTs (RFC 9068) for the resource indicator asked for.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface Person {
  groups: string[];
  name?: string;
  /** Seconds the person's tokens live (default 600). */
  ttlSeconds?: number;
}

export interface TestProvider {
  /** Where it listens. */
  url: string;
  /** The `iss` its tokens carry (its own URL unless the test gave another). */
  issuer: string;
  /** An access token for the person, for `resource` (default: the provider's audience). */
  token(person: string, resource?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestProviderOptions {
  people: Record<string, Person>;
  audience: string;
  /** Signing keys, private JWKs with a kid; the first signs (default: one new RSA key). */
  keys?: JWK[];
  /** Say this issuer instead of the provider's own URL (a provider impersonating another). */
  issuer?: string;
  /** Listen on this port (a restarted provider, same address). */
  port?: number;
}

const SECRET = 'test-client-secret-test-client-secret';

/** A new private signing key for a provider. */
export async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  const issuer = options.issuer ?? url;
  const people = options.people;
  const provider = new Provider(issuer, {
    clients: Object.keys(people).map((id) => ({ client_id: id, client_secret: SECRET, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] })),
    jwks: { keys: options.keys ?? [await signingKey('test-key')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        getResourceServerInfo: (_ctx, indicator, client) => ({
          scope: '',
          audience: indicator,
          accessTokenFormat: 'jwt',
          accessTokenTTL: people[client.clientId]?.ttlSeconds ?? 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: (_ctx, _token, client) => people[client.clientId]?.ttlSeconds ?? 600 },
    extraTokenClaims: (_ctx, token) => {
      const person = people[(token as { clientId?: string }).clientId ?? ''];
      return person ? { groups: person.groups, ...(person.name ? { name: person.name } : {}) } : undefined;
    },
  });
  server.on('request', provider.callback());
  return {
    url,
    issuer,
    async token(person, resource = options.audience) {
      const response = await fetch(`${url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${person}:${SECRET}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`the provider gave no token for ${person}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}
