import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config.js';

describe('settings from the environment', () => {
  it('takes the abuse limits and the metrics cache the README lists, and leaves the rest to the defaults', () => {
    const config = loadConfig({ IRFLOW_RATE_LIMIT: '120', IRFLOW_INGEST_RATE_LIMIT: '9000', IRFLOW_RATE_LIMIT_WINDOW_MS: '30000', IRFLOW_MAX_IN_FLIGHT: '8', IRFLOW_METRICS_CACHE_MS: '0' });
    expect(config.limits).toEqual({ perWindow: 120, ingestPerWindow: 9000, windowMs: 30000, inFlightPerToken: 8 });
    expect(config.metricsCacheMs).toBe(0);
    expect(loadConfig({ IRFLOW_RATE_LIMIT: '50' }).limits).toEqual({ perWindow: 50 });
    expect(loadConfig({}).limits).toEqual({});
  });

  it('refuses a limit that is not a number, or zero', () => {
    for (const env of [{ IRFLOW_RATE_LIMIT: 'lots' }, { IRFLOW_MAX_IN_FLIGHT: '0' }, { IRFLOW_RATE_LIMIT_WINDOW_MS: '10' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });

  it('keeps evidence in an S3-compatible store when a bucket is named, in the folder otherwise', () => {
    expect(loadConfig({}).evidenceS3).toBeUndefined();
    expect(loadConfig({ IRFLOW_EVIDENCE_S3_BUCKET: 'soc-evidence', AWS_REGION: 'eu-west-1' }).evidenceS3).toEqual({ bucket: 'soc-evidence', region: 'eu-west-1' });
    const own = loadConfig({ IRFLOW_EVIDENCE_S3_BUCKET: 'ev', IRFLOW_EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:7070', IRFLOW_EVIDENCE_S3_PREFIX: 'irflow/', IRFLOW_EVIDENCE_S3_PATH_STYLE: 'false' });
    expect(own.evidenceS3).toEqual({ bucket: 'ev', endpoint: 'http://127.0.0.1:7070', prefix: 'irflow/', forcePathStyle: false });
    expect(() => loadConfig({ IRFLOW_EVIDENCE_S3_BUCKET: 'ev', IRFLOW_EVIDENCE_S3_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ IRFLOW_EVIDENCE_S3_BUCKET: 'ev', IRFLOW_EVIDENCE_S3_PATH_STYLE: 'maybe' })).toThrow(ConfigError);
  });
});
