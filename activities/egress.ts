/**
 * Where irflow's own requests may go (webhooks, HTTP context connectors): not to loopback,
 * link-local (cloud metadata at 169.254.169.254 included), private, unique-local, carrier-grade
 * NAT or other reserved addresses, unless IRFLOW_EGRESS_ALLOW lists them (hosts, addresses or
 * CIDR ranges, comma-separated). A configured URL with such a literal address is refused when it
 * is configured; every request checks again where the name resolves, at connect time (the
 * address checked is the address connected to: a name that resolves elsewhere the second time
 * gains nothing). Redirects are not followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';

export class EgressRefusedError extends Error {
  override name = 'EgressRefusedError';
}

export interface EgressPolicy {
  hosts: Set<string>;
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

/** The ranges an address may be in for a request to go there unasked. */
const PUBLIC_RANGES = new Set(['unicast']);

export function egressPolicy(env: NodeJS.ProcessEnv = process.env): EgressPolicy {
  const policy: EgressPolicy = { hosts: new Set(), ranges: [] };
  for (const entry of (env.IRFLOW_EGRESS_ALLOW ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    if (entry.includes('/')) policy.ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      policy.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    }
    else policy.hosts.add(entry);
  }
  return policy;
}

/** Why a request may not go to this address; undefined when it may. */
export function refusedAddress(address: string, policy: EgressPolicy): string | undefined {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (policy.ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return undefined;
  const range = parsed.range();
  return PUBLIC_RANGES.has(range) ? undefined : `${address} is a ${range} address (allow it in IRFLOW_EGRESS_ALLOW)`;
}

/** Why a URL may not be configured: its host is an address (or `localhost`) requests may not go to. */
export function refusedUrl(url: string, policy: EgressPolicy): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'not a valid URL';
  }
  if (!host) return 'a URL without a host';
  if (policy.hosts.has(host)) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return refusedAddress('127.0.0.1', policy) && `${host} is loopback (allow it in IRFLOW_EGRESS_ALLOW)`;
  return isIP(host) ? refusedAddress(host, policy) : undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A fetch whose connections go only where the policy lets them: names are checked as resolved. */
export function guardedFetch(policy: EgressPolicy): (url: string, init: RequestInit) => Promise<Response> {
  const guardedLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowedHost = policy.hosts.has(hostname.toLowerCase());
      const refusal = allowedHost ? undefined : addresses.map((a) => refusedAddress(a.address, policy)).find(Boolean);
      if (refusal) return callback(new EgressRefusedError(`${hostname}: ${refusal}`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const dispatcher = new Agent({ connect: { lookup: guardedLookup as never } });
  return async (url, init) => {
    // An address in the URL is connected to without a lookup: checked here.
    const refusal = refusedUrl(url, policy);
    if (refusal) throw new EgressRefusedError(refusal);
    return undiciFetch(url, { ...init, dispatcher, redirect: 'manual' });
  };
}

/** What a failure may say of a URL: its scheme and host (a webhook URL's path is often its secret). */
export function redactedUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** The refusal's message, wherever it is in the cause chain. */
export function egressRefusalMessage(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof EgressRefusedError) return current.message;
  }
  return undefined;
}
