/**
 * `npm start`: the whole service on one machine with embedded defaults. Prints where the API and
 * the Temporal UI are and how to authenticate; stops cleanly on SIGINT or SIGTERM.
 */
import { loadConfig } from './config.js';
import { startService } from './service.js';

const log = (line: string) => console.error(line);

/** The admin token is printed once, when it is made; later starts say where it is kept. */
function adminTokenLine(token: Awaited<ReturnType<typeof startService>>['adminToken'], dataDir: string): string {
  if (token.bootstrap === 'revoked') return 'the bootstrap admin key is revoked (use another admin key)';
  if (token.source === 'env') return 'the one in IRFLOW_ADMIN_TOKEN';
  if (token.source === 'new' && token.bootstrap === 'seeded') return `${token.token}   (new: shown once, kept in ${dataDir}/admin-token)`;
  if (token.source === 'new') return `an admin key exists already: the token just written to ${dataDir}/admin-token is not one (use your admin key)`;
  return `kept in ${dataDir}/admin-token (shown when it was made)`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  const service = await startService(config, log);
  const token = service.adminToken;
  console.log(
    [
      '',
      `irflow is ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  API:          ${service.apiUrl}   (OpenAPI: ${service.apiUrl}/openapi.json, docs: ${service.apiUrl}/docs)`,
      `  Temporal:     ${service.temporalAddress}${service.temporalUiUrl ? `   UI: ${service.temporalUiUrl}` : ''}`,
      `  Database:     ${service.database === 'pglite' ? `embedded PGlite in ${config.dataDir}/pglite` : 'Postgres (DATABASE_URL)'}`,
      `  Admin token:  ${adminTokenLine(token, config.dataDir)}`,
      `  Sign-in:      API keys${config.oidc ? `, and OIDC access tokens from ${config.oidc.issuer} for audience ${config.oidc.audience} (roles from the ${config.oidc.rolesClaim} claim)` : ' (single sign-on: set IRFLOW_OIDC_ISSUER and IRFLOW_OIDC_AUDIENCE)'}`,
      `  Try:          curl -H "Authorization: Bearer <admin token>" ${service.apiUrl}/v1/incidents`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping (API, worker drain, Temporal dev server)`);
    await service.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  service.workerDone.catch(async (error: unknown) => {
    if (stopping) return;
    log(`the worker stopped: ${String(error)}`);
    await service.stop();
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  log(`irflow could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
