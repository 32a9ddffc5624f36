/**
 * Alerts that reach an incident after it closed: set aside for a new incident, which the
 * workflow opens (or finds) and signals; each move is recorded in the closed incident's log.
 * Plain and deterministic.
 */
import type { AlertReceived } from '../machines/alert.js';
import type { StepDraft } from './incident.knowledge.js';
import { Waiting } from './incident.waiting.js';

export class ClosedIncidentAlerts extends Waiting<AlertReceived> {
  setAside(alert: AlertReceived): void {
    if (!this.waiting.some((a) => a.alertId === alert.alertId)) this.waiting.push(alert);
  }

  /** The log entries of a move to the incident `to` (null, with the reason, when it failed). */
  forwarded(alerts: AlertReceived[], to: string | null, reason?: string): StepDraft[] {
    return alerts.map(({ alertId, source, sourceId }) => ({
      type: 'alert_rerouted',
      actor: 'system',
      data: { alertId, source, sourceId, to, ...(reason ? { reason } : {}) },
    }));
  }

  carry(): AlertReceived[] | undefined {
    return this.waiting.length > 0 ? [...this.waiting] : undefined;
  }
}
