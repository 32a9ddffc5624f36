/**
 * A real S3-compatible server for tests: the Versity S3 Gateway over a temporary folder, on a
 * loopback port, with a bucket made for the test and credentials of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { locateS3Gateway } from '../../scripts/s3-gateway.js';

export interface S3Gateway {
  endpoint: string;
  bucket: string;
  /** A client with the gateway's credentials (tests read and alter objects with it). */
  client: S3Client;
  /** The folder the gateway keeps buckets in. */
  folder: string;
  close(): Promise<void>;
}

let gatewayPath: Promise<string | undefined> | undefined;
/** The gateway's binary (built once per machine when Go is there), or undefined. */
export const s3GatewayBinary = () => (gatewayPath ??= locateS3Gateway());

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function ready(client: S3Client, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the S3 gateway exited with ${child.exitCode}: ${output()}`);
    try {
      await client.send(new ListBucketsCommand({}));
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the S3 gateway did not answer within 20 s: ${output()}`);
}

export async function startS3Gateway(): Promise<S3Gateway> {
  const binary = await s3GatewayBinary();
  if (!binary) throw new Error('no S3 gateway: set IRFLOW_S3_GATEWAY or install Go (npm run s3:install)');
  const folder = mkdtempSync(join(tmpdir(), 'irflow-s3-'));
  const port = await freePort();
  const credentials = { accessKeyId: `irflow${randomBytes(4).toString('hex')}`, secretAccessKey: randomBytes(20).toString('hex') };
  const child = spawn(binary, ['--access', credentials.accessKeyId, '--secret', credentials.secretAccessKey, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', folder], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const close = async () => {
    client.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await ready(client, child, () => output);
    const bucket = 'irflow-evidence';
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { endpoint, bucket, client, folder, close };
  } catch (error) {
    await close();
    throw error;
  }
}
