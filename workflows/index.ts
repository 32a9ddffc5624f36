/** The workflow bundle's entry: every workflow type the worker registers. */
export { incidentWorkflow } from './incident.workflow.js';
export { riskExceptionWorkflow } from './risk-exception.workflow.js';
export { businessUnitDigestsWorkflow } from './digest.workflow.js';
