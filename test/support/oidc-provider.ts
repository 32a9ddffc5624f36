/**
 * A real OpenID provider for tests (`oidc-provider`, the certified Node implementation), on
 * loopback. Each person is a client that gets access tokens with the client-credentials grant:
 * the token's subject is the client id, and its `groups` and `name` claims are the person's.
 * Access tokens are JWTs (RFC 9068) for the resource indicator asked for.
 */
import { createServer, request, type Server } from 'node:http';
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

/** A form POST on a connection of its own (providers in these tests stop and start on one port). */
function postForm(url: string, basic: string, form: Record<string, string>): Promise<unknown> {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload), authorization: `Basic ${Buffer.from(basic).toString('base64')}` };
    const req = request(url, { method: 'POST', agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject).end(payload);
  });
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
      const body = (await postForm(`${url}/token`, `${person}:${SECRET}`, { grant_type: 'client_credentials', resource })) as { access_token?: string };
      if (!body.access_token) throw new Error(`the provider gave no token for ${person}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Kept-alive connections go too, so clients do not send their next request into a closing socket.
      server.closeAllConnections();
      await closed;
    },
  };
}
