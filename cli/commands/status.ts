import type { Command } from 'commander';
import { objectivesOf } from '../../lib/campaign/objectives.js';
import { co2eGrams } from '../../lib/energy/carbon.js';
import { SUCCESS_PROPERTY } from '../../lib/surrogate/kinds.js';
import { openStore } from '../../store/open.js';
import type { EvaluationRecord, PoolSummary, Store } from '../../store/store.js';
import { type CampaignView, viewCampaign } from '../campaign-handle.js';
import { formatCampaignList, listCampaigns } from '../campaign-list.js';
import { CliError, connectClient } from '../client.js';
import {
  type FailureCount,
  formatClassHits,
  formatClassifier,
  formatCounterfactual,
  formatFailures,
  formatLadder,
  formatPool,
  formatProgress,
  formatResources,
  formatTop,
} from '../format.js';
import { positiveNumber } from '../options.js';
import { storeView, webUiUrl } from '../report-data.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'rounds, budget spent, best so far; --watch redraws until the campaign ends; no name: list every campaign',
    )
    .argument('[campaign]', 'campaign name (omit to list all campaigns)')
    .option('--json', 'print one JSON object')
    .option('--watch', 'follow progress live until the campaign ends')
    .option('--interval <seconds>', 'refresh interval for --watch', positiveNumber, 2)
    .action(async (name: string | undefined, o: { json?: boolean; watch?: boolean; interval: number }) => {
      const client = await connectClient();
      if (name === undefined) {
        const rows = await listCampaigns(client);
        console.log(o.json ? JSON.stringify(rows) : formatCampaignList(rows));
        return;
      }
      await watchCampaign(client, name, {
        json: o.json,
        watch: o.watch,
        intervalMs: o.interval * 1000,
      });
    });
}

export async function watchCampaign(
  client: Awaited<ReturnType<typeof connectClient>>,
  name: string,
  o: { json?: boolean; watch?: boolean; intervalMs?: number; top?: number },
): Promise<void> {
  const tty = process.stdout.isTTY && !o.json;
  let drawn = 0;
  let lastText = '';
  for (;;) {
    const db = openStore();
    const store = await storeView(db, name, o.top ?? 10);
    const problems = await problemsView(db, name);
    const view: CampaignView = await viewCampaign(client, name).catch((e: unknown) => {
      // the workflow's history may be gone (retention, another server) while the store still has the results
      if (e instanceof CliError && (store.top.length > 0 || store.resources.length > 0)) {
        return {
          workflowId: '',
          runId: '',
          execution: 'NOT IN TEMPORAL',
          failure: `${e.message}; showing the store`,
        };
      }
      throw e;
    });
    const running = view.execution === 'RUNNING';
    const classifier = await db.latestModel(name, SUCCESS_PROPERTY);
    // a class objective's own model is the campaign's model: the classifier of hits
    const classModel = store.hits ? await db.latestModel(name) : undefined;
    if (o.json) {
      console.log(
        JSON.stringify({
          ...view,
          top: store.top,
          resources: store.resources,
          basisLadder: store.basisLadder,
          counterfactual: store.counterfactual,
          carbon: store.carbon && {
            ...store.carbon,
            ...(view.progress
              ? { co2eGrams: co2eGrams(view.progress.energyJoules, store.carbon.gramsPerKWh) }
              : {}),
          },
          ...(classifier
            ? { failureClassifier: { id: classifier.id, round: classifier.round, ...classifier.metrics } }
            : {}),
          ...(store.hits
            ? {
                hits: store.hits.count,
                class: store.hits.of,
                ...(classModel
                  ? {
                      classModel: {
                        id: classModel.id,
                        round: classModel.round,
                        trainedOn: classModel.description.trainedOn,
                        labelTier: classModel.description.labelTier,
                        ...classModel.metrics,
                      },
                    }
                  : {}),
              }
            : {}),
          pool: problems.pool,
          failures: problems.failures,
          webUi: webUiUrl(name),
        }),
      );
    } else {
      const unit = store.unit;
      const text = [
        view.progress
          ? formatProgress(view.progress, {
              execution: view.execution,
              uiUrl: webUiUrl(name),
              unit,
              ...(store.carbon ? { carbon: store.carbon } : {}),
              objectives: await objectiveNames(db, name),
            })
          : `campaign  ${name}   ${view.execution.toLowerCase()}`,
        view.failure ? `problem   ${view.failure}` : '',
        formatPool(problems.pool),
        formatFailures(problems.failures),
        formatClassHits(
          store.hits,
          classModel && {
            ...classModel,
            trainedOn: classModel.description.trainedOn,
            ...(classModel.description.labelTier ? { labelTier: classModel.description.labelTier } : {}),
          },
        ),
        formatClassifier(classifier && { ...classifier, trainedOn: classifier.description.trainedOn }),
        running ? '' : formatTop(store.top, unit),
        running ? '' : formatResources(store.resources, store.carbon),
        running ? '' : formatCounterfactual(store.counterfactual, unit),
        running ? '' : formatLadder(store.basisLadder),
      ]
        .filter(Boolean)
        .join('\n');
      if (tty && drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
      // into a file or pipe, a block is written only when something changed
      if (tty || text !== lastText) {
        process.stdout.write(`${text}\n`);
        if (!tty && o.watch && running) process.stdout.write('\n');
      }
      lastText = text;
      drawn = tty && running ? text.split('\n').length : 0;
    }
    if (!o.watch || !running) {
      if (view.execution === 'FAILED' || view.execution === 'TERMINATED' || view.execution === 'TIMED_OUT')
        process.exitCode = 1;
      return;
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 2000));
  }
}

/** What went wrong in a campaign, from the store: the pool's rejections, and failed evaluations by class. */
export async function problemsView(
  store: Store,
  name: string,
): Promise<{ pool?: PoolSummary; failures: FailureCount[] }> {
  const campaign = await store.getCampaign(name);
  if (!campaign) return { failures: [] };
  const counts = new Map<string, FailureCount>();
  for (const e of await store.listEvaluations(name)) {
    if (e.status === 'ok' && e.value !== undefined) continue;
    const kind = await failureClass(store, e);
    const key = `${e.tier}\u0000${kind}`;
    const c = counts.get(key) ?? { tier: e.tier, kind, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return { ...(campaign.pool ? { pool: campaign.pool } : {}), failures: [...counts.values()] };
}

/** The class of a failed evaluation: its calculation's failure kind, or what failed before or after it ran. */
async function failureClass(store: Store, e: EvaluationRecord): Promise<string> {
  if (e.resultKey !== undefined) {
    const r = await store.getQmResult(e.resultKey);
    if (r?.failure) return r.failure.kind;
    if (r?.status === 'ok') return 'no value'; // the code ran, and did not report the objective
  }
  if (e.message?.startsWith('3D embedding failed')) return 'embedding';
  return 'unknown';
}

/** The campaign's objectives' property names, for the front's columns (none for a campaign the store lacks). */
async function objectiveNames(store: Store, name: string): Promise<string[]> {
  const c = await store.getCampaign(name);
  return c ? objectivesOf(c.config).map((o) => o.property) : [];
}
