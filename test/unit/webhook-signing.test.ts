import { describe, expect, it } from 'vitest';
import { redactedUrl } from '../../activities/egress.js';
import { webhookHeaders, webhookSigner } from '../../activities/notify.activities.js';

const body = JSON.stringify({ incidentId: 'INC-1', level: 2 });

describe('webhook deliveries', () => {
  it('are signed the Standard Webhooks way, and a receiver accepts them as sent', () => {
    const headers = webhookHeaders('a raw secret', 'delivery-1', new Date(), body);
    expect(headers['webhook-id']).toBe('delivery-1');
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(webhookSigner('a raw secret').verify(body, headers)).toEqual({ incidentId: 'INC-1', level: 2 });
    const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    expect(webhookSigner(whsec).verify(body, webhookHeaders(whsec, 'delivery-2', new Date(), body))).toBeTruthy();
  });

  it('are rejected replayed later, altered, or re-dated', () => {
    const old = webhookHeaders('a raw secret', 'delivery-1', new Date(Date.now() - 10 * 60_000), body);
    expect(() => webhookSigner('a raw secret').verify(body, old)).toThrow(/too old/i);
    const fresh = webhookHeaders('a raw secret', 'delivery-1', new Date(), body);
    expect(() => webhookSigner('a raw secret').verify(body.replace('2', '3'), fresh)).toThrow();
    expect(() => webhookSigner('a raw secret').verify(body, { ...old, 'webhook-timestamp': fresh['webhook-timestamp']! })).toThrow();
    expect(() => webhookSigner('another secret').verify(body, fresh)).toThrow();
  });

  it('failures name the scheme and host of a URL, never its path or query', () => {
    expect(redactedUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET?x=1')).toBe('https://hooks.slack.com');
    expect(redactedUrl('http://10.0.0.5:8080/hook/secret')).toBe('http://10.0.0.5:8080');
    expect(redactedUrl('not a url')).toBe('(an invalid URL)');
  });
});
