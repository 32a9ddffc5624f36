/**
 * An S3-compatible server for the tests of the S3 evidence store: the Versity S3 Gateway
 * (Apache 2.0) over a folder (its posix backend). Located as the Temporal CLI is:
 * `IRFLOW_S3_GATEWAY` (a path), `versitygw` on PATH, the per-user cache (`~/.cache/irflow/bin`),
 * else `go install …@v1.8.0` into that cache. Run directly (`npm run s3:install`) it prints the path.
 */
import { pathToFileURL } from 'node:url';
import { locateGoTool, printLocated, type LocateOptions } from './temporal-cli.js';

export const S3_GATEWAY_MODULE = 'github.com/versity/versitygw/cmd/versitygw@v1.8.0';

/** The gateway's path, or undefined when none is found and none could be built. */
export function locateS3Gateway(options: LocateOptions = {}): Promise<string | undefined> {
  return locateGoTool({ envVar: 'IRFLOW_S3_GATEWAY', binary: 'versitygw', module: S3_GATEWAY_MODULE, what: 'the Versity S3 Gateway' }, options);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printLocated(() => locateS3Gateway());
