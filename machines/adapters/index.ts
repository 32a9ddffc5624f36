/** The SIEM adapters, by source: each turns what its source sends into irflow's alerts. */
import type { AlertSource } from '../alert.js';
import type { SourceAdapter } from './adapter.js';
import { elasticAdapter } from './elastic.adapter.js';
import { ocsfAdapter } from './ocsf.adapter.js';
import { sentinelAdapter } from './sentinel.adapter.js';
import { splunkAdapter } from './splunk.adapter.js';
import { wazuhAdapter } from './wazuh.adapter.js';

export type SiemSource = Exclude<AlertSource, 'generic'>;

export const SOURCE_ADAPTERS: Record<SiemSource, SourceAdapter> = {
  wazuh: wazuhAdapter,
  elastic: elasticAdapter,
  splunk: splunkAdapter,
  ocsf: ocsfAdapter,
  sentinel: sentinelAdapter,
};

export { adaptBody, parsePayload, type AdapterProblem } from './adapter.js';
