/** Finds a campaign's workflow and reads its progress, whether it is running or closed. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Progress } from '../lib/campaign/progress.js';
import { campaignWorkflowId } from '../lib/temporal/queues.js';
import { progressQuery } from '../workflows/messages.js';
import { CliError } from './client.js';

export interface CampaignView {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, CANCELLED, TIMED_OUT, CONTINUED_AS_NEW. */
  execution: string;
  progress?: Progress;
  failure?: string;
}

export async function campaignHandle(client: Client, name: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(campaignWorkflowId(name));
  try {
    await handle.describe();
  } catch (e) {
    if ((e as Error).name === 'WorkflowNotFoundError') {
      throw new CliError(`no campaign named "${name}" (launch it with: cascade launch FILE)`);
    }
    throw e;
  }
  return handle;
}

export async function viewCampaign(client: Client, name: string): Promise<CampaignView> {
  const handle = await campaignHandle(client, name);
  const d = await handle.describe();
  const view: CampaignView = { workflowId: d.workflowId, runId: d.runId, execution: d.status.name };
  if (d.status.name === 'RUNNING') {
    try {
      view.progress = await handle.query(progressQuery);
    } catch (e) {
      view.failure = `progress not available yet (is a worker running? "cascade worker"): ${(e as Error).message}`;
    }
  } else if (d.status.name === 'COMPLETED') {
    view.progress = (await handle.result()) as Progress;
  } else {
    try {
      await handle.result();
    } catch (e) {
      view.failure = causeMessage(e);
    }
  }
  return view;
}

function causeMessage(e: unknown): string {
  let err = e as { message?: string; cause?: unknown } | undefined;
  let msg = err?.message ?? String(e);
  while (err?.cause) {
    err = err.cause as { message?: string; cause?: unknown };
    if (err.message) msg = err.message;
  }
  return msg;
}
