/**
 * The web console: the built single-page app (console/dist, `npm run console:build`; `npm start`
 * and `npm run api` build it first) served at `/`, beside the API under `/v1`. It talks to the
 * public API only. Pages get a content security policy of their own: scripts from this origin
 * only; inline styles (the diagrams' SVG carries them).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { principalOf } from './auth.js';
import { authProblems } from './schemas.js';

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist', import.meta.url));

const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function installConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['keys'],
        summary: 'Who the token belongs to: its name and roles (the console shows and hides actions by them; the API still decides)',
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, displayName: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, via: { type: 'string' } } }, ...authProblems },
      },
    },
    async (request) => {
      const { name, roles, via, displayName } = principalOf(request);
      return { name, roles, via, ...(displayName ? { displayName } : {}) };
    },
  );
  if (!existsSync(dist)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/plain').send('The console is not built: run npm run console:build (npm start does it). The API is at /v1, its documentation at /docs.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: ['index.html'], setHeaders: (reply) => void reply.header('content-security-policy', CONSOLE_CSP) });
  // The console's own paths (#-routing keeps them few): the app itself.
  app.get('/console/*', { schema: { hide: true } }, async (_request, reply) => reply.header('content-security-policy', CONSOLE_CSP).sendFile('index.html'));
}
