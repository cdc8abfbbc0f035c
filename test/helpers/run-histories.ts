/** Who ran a workflow: every run of a continue-as-new chain, read from its histories. */
import type { Client } from '@temporalio/client';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** The histories of every run from `firstRunId` on, following continue-as-new. */
export async function runHistories(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<History[]> {
  const runs: History[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(history);
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The build id of the worker version that completed each workflow task, in order ('' for an unversioned one). */
export const workflowTaskBuilds = (history: History): string[] =>
  (history.events ?? []).flatMap((e) => {
    const done = e.workflowTaskCompletedEventAttributes;
    return done ? [done.deploymentVersion?.buildId ?? ''] : [];
  });

/** The identities of the workers that started each activity task (`pid@host` unless a worker names itself). */
export const activityWorkers = (history: History): string[] =>
  (history.events ?? []).flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started ? [started.identity ?? ''] : [];
  });
