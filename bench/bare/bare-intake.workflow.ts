/**
 * The baseline of the ingest benchmark: a workflow that holds the alerts it is signalled and does
 * nothing else, the least any intake on Temporal starts or signals per incident.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const bareAlertsSignal = defineSignal<[Array<{ alertId: string }>]>('alertsReceived');

export async function bareIntake(): Promise<void> {
  const held = new Set<string>();
  setHandler(bareAlertsSignal, (alerts) => alerts.forEach((a) => held.add(a.alertId)));
  await condition(() => false);
}
