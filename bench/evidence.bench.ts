/**
 * Evidence upload throughput: a file posted to `POST /v1/incidents/:id/evidence` over loopback
 * HTTP (multipart, streamed, hashed while stored, the custody event recorded through the
 * incident's workflow) against a plain file copy of the same file on the same disk (a stream
 * copy, what `cp` does), in the same run; and how much the process grew while it uploaded.
 *
 *   npm run bench:evidence             BENCH_EVIDENCE_MB=500 for a larger file
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileEvidenceStore } from '../runtime/evidence-store.js';
import { bigFile, MB, uploadEvidence } from '../test/support/evidence-files.js';
import { median } from './bench-database.js';
import { startBenchStack } from './bench-stack.js';
import { reportFigure, times } from './report.js';

const SIZE_MB = Number(process.env.BENCH_EVIDENCE_MB ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'irflow-bench-evidence-'));
  const stack = await startBenchStack({ name: 'evidence', bareWorkflows: new URL('./bare/bare-case.workflow.ts', import.meta.url), evidence: fileEvidenceStore(join(folder, 'store')) });
  try {
    const opened = await fetch(`${stack.api}/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'evidence bench', severity: 'low' }),
    });
    const { id } = (await opened.json()) as { id: string };
    const uploads: number[] = [];
    const copies: number[] = [];
    let growth = 0;
    for (let run = 0; run < RUNS; run += 1) {
      // A new file each run: the store keeps one copy per hash, and a repeat would only rename.
      const file = await bigFile(folder, SIZE_MB * MB);
      const started = performance.now();
      await pipeline(createReadStream(file.path), createWriteStream(join(folder, `copy-${run}`)));
      copies.push(performance.now() - started);
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const uploadStarted = performance.now();
      const answer = await uploadEvidence({ url: `${stack.api}/v1/incidents/${id}/evidence`, token: stack.token, path: file.path, name: `run-${run}.bin` });
      uploads.push(performance.now() - uploadStarted);
      clearInterval(sampler);
      if (answer.status !== 201 || answer.body.sha256 !== file.sha256) throw new Error(`upload answered ${answer.status} ${JSON.stringify(answer.body)}`);
      growth = Math.max(growth, peak - before);
      await rm(file.path);
    }
    const upload = SIZE_MB / (median(uploads) / 1000);
    const copy = SIZE_MB / (median(copies) / 1000);
    console.log(`evidence: ${SIZE_MB} MB uploads ${uploads.map((t) => (t / 1000).toFixed(2)).join(', ')} s; plain copies ${copies.map((t) => (t / 1000).toFixed(2)).join(', ')} s; RSS growth at most ${(growth / MB).toFixed(1)} MB`);
    reportFigure({ figure: `evidence upload, ${SIZE_MB} MB`, irflow: `${upload.toFixed(0)} MB/s, RSS +${(growth / MB).toFixed(0)} MB`, baseline: `plain file copy ${copy.toFixed(0)} MB/s`, ratio: `${times(upload / copy)} the throughput`, goal: 'measured; RSS growth < 50 MB', met: growth < 50 * MB });
  } finally {
    await stack.close();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
