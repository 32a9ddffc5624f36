/**
 * Signed alert requests, for senders that can sign: `X-Irflow-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 is HMAC-SHA256 of `<t>.<body as sent>` under the secret in the key's `IRFLOW_SECRET_*`
 * variable (the scheme GitHub's and Stripe's webhooks use; several v1 values may be given while a
 * secret is rotated). A key made with `signatureSecretEnv` must sign every alert request; a
 * signature on a request of a key without one cannot be checked and is refused too. A signature
 * older or newer than five minutes is refused, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from './auth.js';
import { problems } from './problem.js';

export const SIGNATURE_HEADER = 'x-irflow-signature';
/** The header as the alert routes document it. */
export const signatureHeaders = {
  type: 'object',
  properties: {
    [SIGNATURE_HEADER]: {
      type: 'string',
      maxLength: 1024,
      description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> under the key\'s IRFLOW_SECRET_* secret; required for keys made with signatureSecretEnv',
    },
  },
} as const;

/** How far a signature's timestamp may be from this server's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

interface ParsedSignature {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedSignature {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2) as [string, string?];
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) throw problems.unauthorized(`${SIGNATURE_HEADER} must read t=<unix seconds>,v1=<hex HMAC-SHA256>`);
  return { timestamp, signatures };
}

/** The signature of a request's body at `timestamp`, as a sender computes it. */
export function signAlertBody(secret: string, timestamp: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** Checks a signature header against the body; throws a 401 that says why it does not hold. */
export function verifyAlertSignature(header: string, secret: string, body: Buffer, nowSeconds: number): void {
  const { timestamp, signatures } = parseHeader(header);
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    throw problems.unauthorized(`the signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s from this server's clock (a replay, or a sender's clock that is off)`);
  }
  const expected = Buffer.from(signAlertBody(secret, timestamp, body), 'hex');
  if (!signatures.some((given) => timingSafeEqual(given, expected))) throw problems.unauthorized('the signature does not match the body');
}

async function bodyBytes(payload: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += bytes.length;
    if (size > limit) throw problems.payloadTooLarge(`a signed request's body may be at most ${limit} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * A route's `preParsing` hook: where the caller's key must sign, or a signature was sent, the body
 * is read whole, checked, and handed on to the parser unchanged.
 */
export function alertSignatureCheck(secrets: NodeJS.ProcessEnv, now: () => number = Date.now) {
  return async (request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> => {
    const principal = principalOf(request);
    const header = request.headers[SIGNATURE_HEADER];
    if (!principal.signatureSecretEnv && header === undefined) return payload;
    if (typeof header !== 'string') throw problems.unauthorized(`this key signs its alerts: send ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`);
    if (!principal.signatureSecretEnv) throw problems.unauthorized(`the key ${principal.name} has no signing secret, so ${SIGNATURE_HEADER} cannot be checked`);
    const secret = secrets[principal.signatureSecretEnv];
    if (!secret) throw problems.unavailable(`the signing secret of ${principal.name} is not set in this API process`);
    const body = await bodyBytes(payload, request.routeOptions.bodyLimit ?? Number.MAX_SAFE_INTEGER);
    verifyAlertSignature(header, secret, body, Math.floor(now() / 1000));
    return Readable.from([body]);
  };
}
