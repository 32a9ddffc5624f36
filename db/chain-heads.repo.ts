/** Chain heads and their signatures, as the projection keeps them. */
import { and, asc, gt, isNull, sql } from 'drizzle-orm';
import { signHead, type SigningKey } from './chain-signing.js';
import type { Database } from './client.js';
import { incidents } from './schema.js';

/**
 * Signs the heads that carry no signature: those recorded before irflow signed heads. Called once,
 * when the signing key is made, never later: a head found unsigned afterwards is a finding, not
 * something to sign. Returns how many were signed.
 */
export async function signUnsignedHeads(db: Database, signer: SigningKey, batch = 1000): Promise<number> {
  let signed = 0;
  let after = '';
  for (;;) {
    const rows = await db
      .select({ id: incidents.id, lastSeq: incidents.lastSeq, lastHash: incidents.lastHash })
      .from(incidents)
      .where(and(isNull(incidents.headSignature), gt(incidents.id, after)))
      .orderBy(asc(incidents.id))
      .limit(batch);
    if (rows.length > 0) {
      const values = rows.map((row) => {
        const { keyId, signature } = signHead(signer, { incidentId: row.id, lastSeq: row.lastSeq, lastHash: row.lastHash });
        return sql`(${row.id}, ${row.lastSeq}::int, ${keyId}, ${signature})`;
      });
      // One statement a batch; only the head that was read: one that moved since carries the recorder's own signature.
      await db.execute(sql`update incidents set head_key_id = v.key_id, head_signature = v.signature
        from (values ${sql.join(values, sql`, `)}) as v(id, last_seq, key_id, signature)
        where incidents.id = v.id and incidents.last_seq = v.last_seq and incidents.head_signature is null`);
    }
    signed += rows.length;
    if (rows.length < batch) return signed;
    after = rows.at(-1)!.id;
  }
}
