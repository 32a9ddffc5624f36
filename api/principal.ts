/** Who is calling: an API key's holder or a person signed in through the identity provider. */
import type { Role } from '../db/api-keys.repo.js';

export interface Principal {
  /** The key's id, or `oidc:<subject>`. */
  id: string;
  /**
   * The actor in the ledger and for the two-person rule: the key's name, or `oidc:<subject>` (the
   * subject, not the display name, which the provider lets people change).
   */
  name: string;
  roles: Role[];
  via: 'api-key' | 'oidc';
  /** The alert sources an ingest key may post to; absent: any. */
  sources?: string[];
  /** The `IRFLOW_SECRET_*` variable holding the key's HMAC secret: its alert requests must be signed. */
  signatureSecretEnv?: string;
  /** The person's name as the provider gives it (name, preferred_username or email). */
  displayName?: string;
}
