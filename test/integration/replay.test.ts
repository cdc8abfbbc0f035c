/**
 * Workflow determinism: a recorded campaign history (test/fixtures/histories, re-record with
 * `npm run history:record` after an intended change to the workflow) must replay against today's code.
 * A change that would break running campaigns fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../lib/campaign/progress.js';
import { workflowsPath } from '../../workers/main.js';
import type { CampaignWorkflowInput } from '../../workflows/campaign.js';
import { CampaignRounds } from '../../workflows/campaign-rounds.js';

const histories = path.resolve(import.meta.dirname, '../fixtures/histories');
const fixture = path.join(histories, 'tiny-campaign.json');
/** Recorded before tiers went out in batches (one evaluateCandidate per candidate): campaigns still running then. */
const perCandidate = path.join(histories, 'tiny-campaign-per-candidate.json');
/**
 * protobufjs's own JSON form. (@temporalio/common's historyFromJSON fails here: npm gives common and proto
 * separate protobufjs copies, and its instanceof check rejects the other copy's types.)
 */
const historyFromJSON = (json: unknown) =>
  temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);

const activityTypes = (history: ReturnType<typeof historyFromJSON>) =>
  new Set(history.events?.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name));

describe('CampaignWorkflow replay', () => {
  it('replays a recorded two-round campaign history', { timeout: 120_000 }, async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(fixture, 'utf8')));
    expect(history.events?.length).toBeGreaterThan(20);
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, 'recorded-tiny-campaign');
    const types = activityTypes(history);
    expect(types).toContain('evaluateBatch');
    expect(types).not.toContain('evaluateCandidate');
  });

  it('replays a history recorded before batches, one activity per candidate', {
    timeout: 120_000,
  }, async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(perCandidate, 'utf8')));
    expect(activityTypes(history)).toContain('evaluateCandidate');
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history, 'per-candidate');
  });

  it('detects a history that does not match the code', { timeout: 120_000 }, async () => {
    const json = JSON.parse(readFileSync(fixture, 'utf8'));
    // make the recorded history claim a different first activity than the workflow schedules
    const scheduled = json.events.find(
      (e: { eventType: string }) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    );
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'somethingElse';
    await expect(
      Worker.runReplayHistory({ workflowsPath: workflowsPath() }, historyFromJSON(json), 'tampered'),
    ).rejects.toThrow(/[Nn]ondeterminism/);
  });
});

/**
 * The same histories through CampaignRounds without a server: each activity answers what the history recorded
 * (summaries from before `values`/`usage`/`identity`), and the rounds must schedule the recorded activities in
 * the recorded order, publish the recorded search attributes and end with the recorded result.
 */
describe('CampaignRounds on recorded activity results', () => {
  type Payload = { data?: string; metadata?: Record<string, string> };
  type Event = Record<string, Record<string, unknown> | string | undefined> & { eventType: string };
  const decode = (p: Payload | undefined): unknown =>
    p?.data === undefined ? undefined : JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'));
  const first = (x: unknown) => (x as { payloads?: Payload[] } | undefined)?.payloads?.[0];

  function recorded(file: string) {
    const events = (JSON.parse(readFileSync(file, 'utf8')) as { events: Event[] }).events;
    const attrsOf = (e: Event) =>
      Object.entries(e).find(([k]) => k.endsWith('EventAttributes'))?.[1] as Record<string, unknown>;
    const input = decode(first(attrsOf(events[0] as Event).input)) as CampaignWorkflowInput;
    const scheduled: { type: string; args: Record<string, unknown>; id: string }[] = [];
    const results = new Map<string, unknown>();
    const published: Record<string, unknown>[] = [];
    let patched = false;
    for (const e of events) {
      const a = attrsOf(e);
      if (e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') {
        scheduled.push({
          type: (a.activityType as { name: string }).name,
          args: decode(first(a.input)) as Record<string, unknown>,
          id: String(e.eventId),
        });
      } else if (e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED') {
        results.set(String(a.scheduledEventId), decode(first(a.result)));
      } else if (e.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES') {
        const fields = (a.searchAttributes as { indexedFields: Record<string, Payload> }).indexedFields;
        // the SDK's own upsert for a patch (TemporalChangeVersion) is not the campaign's
        const ours = Object.entries(fields).filter(([k]) => k !== 'TemporalChangeVersion');
        if (ours.length > 0) published.push(Object.fromEntries(ours.map(([k, p]) => [k, decode(p)])));
      } else if (e.eventType === 'EVENT_TYPE_MARKER_RECORDED') {
        patched = true;
      }
    }
    const last = events[events.length - 1] as Event;
    const result = decode(first(attrsOf(last).result)) as Progress;
    return { input, scheduled, results, published, patched, result };
  }

  async function rerun(file: string) {
    const h = recorded(file);
    const answers = new Map<string, unknown[]>();
    for (const s of h.scheduled) answers.set(s.type, [...(answers.get(s.type) ?? []), h.results.get(s.id)]);
    const called: { type: string; args: Record<string, unknown> }[] = [];
    const answer =
      (type: string) =>
      async (args: object): Promise<never> => {
        called.push({ type, args: args as Record<string, unknown> });
        return answers.get(type)?.shift() as never;
      };
    const published: Record<string, unknown>[] = [];
    const rounds = new CampaignRounds(
      h.input,
      {
        restoreCampaign: answer('restoreCampaign'),
        preparePool: answer('preparePool'),
        trainSurrogate: answer('trainSurrogate'),
        acquireBatch: answer('acquireBatch'),
        evaluateBatch: answer('evaluateBatch'),
        evaluateCandidate: answer('evaluateCandidate'),
      },
      {
        qmBatches: () => h.patched,
        publish: (pairs) => {
          published.push(Object.fromEntries(pairs.map((p) => [p.key.name, p.value])));
        },
        condition: async () => undefined,
        continueAsNewSuggested: () => false,
      },
    );
    expect(await rounds.run()).toBe('finished');
    return { h, called, published, progress: rounds.progress() };
  }

  for (const [what, file] of [
    ['batched', fixture],
    ['per-candidate', perCandidate],
  ] as const) {
    it(`schedules, publishes and returns what the ${what} history recorded`, async () => {
      const { h, called, published, progress } = await rerun(file);
      // activities now also carry what they need of the config (acquireBatch its acquisition and objective,
      // trainSurrogate its surrogate and tiers, evaluations their tier, restore the config), and nothing else
      const carried: Record<string, string[]> = {
        acquireBatch: ['acquisition', 'objective'],
        trainSurrogate: ['config'],
        evaluateBatch: ['ladder'],
        evaluateCandidate: ['ladder'],
        restoreCampaign: ['config'],
      };
      const without = (type: string, args: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(args).filter(([k]) => !carried[type]?.includes(k)));
      expect(called.map((c) => [c.type, without(c.type, c.args)])).toEqual(
        h.scheduled.map((s) => [s.type, s.args]),
      );
      const { config } = h.input;
      for (const c of called.filter((c) => c.type === 'evaluateBatch' || c.type === 'evaluateCandidate')) {
        expect(c.args.ladder).toEqual({
          tier: config.tiers[c.args.tier as number],
          property: config.objective.property,
        });
      }
      expect(published).toEqual(h.published);
      const { best, ...rest } = h.result;
      const old = best as unknown as { idx: number; label: string; smiles: string; value: number };
      expect(progress).toEqual({
        ...rest,
        best: { idx: old.idx, label: old.label, identity: old.smiles, value: old.value },
      });
    });
  }
});
