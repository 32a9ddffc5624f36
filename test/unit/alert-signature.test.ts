import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAlertBody, verifyAlertSignature } from '../../api/alert-signature.js';
import { ProblemError } from '../../api/problem.js';

const SECRET = 'k';
const body = Buffer.from('{"id":"1"}');

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(401);
    return (error as ProblemError).detail ?? '';
  }
  throw new Error('the signature was taken');
}

describe('alert signatures', () => {
  it('are HMAC-SHA256 of "<t>.<body>", as a sender with openssl computes them', () => {
    expect(signAlertBody(SECRET, 1700000000, body)).toBe(createHmac('sha256', SECRET).update('1700000000.{"id":"1"}').digest('hex'));
  });

  it('hold within five minutes of the clock either way, and not after', () => {
    const t = 1700000000;
    const header = `t=${t},v1=${signAlertBody(SECRET, t, body)}`;
    expect(() => verifyAlertSignature(header, SECRET, body, t + 300)).not.toThrow();
    expect(() => verifyAlertSignature(header, SECRET, body, t - 300)).not.toThrow();
    expect(refusal(() => verifyAlertSignature(header, SECRET, body, t + 301))).toContain('more than 300 s');
  });

  it('refuse another secret, another body, and headers of another form', () => {
    const t = 1700000000;
    const header = `t=${t},v1=${signAlertBody(SECRET, t, body)}`;
    expect(refusal(() => verifyAlertSignature(header, 'other', body, t))).toBe('the signature does not match the body');
    expect(refusal(() => verifyAlertSignature(header, SECRET, Buffer.from('{"id":"2"}'), t))).toBe('the signature does not match the body');
    for (const bad of ['', `v1=${signAlertBody(SECRET, t, body)}`, `t=${t}`, `t=${t},v1=zz`, `t=abc,v1=${signAlertBody(SECRET, t, body)}`]) {
      expect(refusal(() => verifyAlertSignature(bad, SECRET, body, t))).toContain('must read');
    }
  });
});
