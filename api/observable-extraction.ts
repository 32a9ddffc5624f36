/**
 * Observables named in free text (a note): IP addresses, domains, URLs, hashes and e-mail
 * addresses, defanged ones (`hxxp`, `[.]`) refanged. ioc-extractor does the finding: its
 * patterns, top-level-domain list and refanging are maintained for exactly this.
 */
import { extractIOC } from 'ioc-extractor';
import type { Observable } from '../machines/context.types.js';

/** At most this many observables are taken from one text. */
export const MAX_EXTRACTED = 100;

export function observablesIn(text: string): Observable[] {
  const found = extractIOC(text, { refang: true });
  const typed: Observable[] = [
    ...[...found.ipv4s, ...found.ipv6s].map((value) => ({ type: 'ip' as const, value })),
    ...found.urls.map((value) => ({ type: 'url' as const, value })),
    ...found.domains.map((value) => ({ type: 'domain' as const, value: value.toLowerCase() })),
    ...[...found.sha256s, ...found.sha1s, ...found.md5s, ...found.sha512s].map((value) => ({ type: 'hash' as const, value: value.toLowerCase() })),
    ...found.emails.map((value) => ({ type: 'email' as const, value: value.toLowerCase() })),
  ];
  const seen = new Set<string>();
  return typed.filter((o) => o.value.length <= 2048 && !seen.has(`${o.type}:${o.value}`) && seen.add(`${o.type}:${o.value}`)).slice(0, MAX_EXTRACTED);
}
