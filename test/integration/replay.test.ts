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
import { workflowsPath } from '../../workers/main.js';

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
