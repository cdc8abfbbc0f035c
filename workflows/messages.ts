/**
 * The messages a campaign workflow answers: its progress (a query) and pause / resume / stop, as updates with
 * validators (a clear answer, or a clear refusal such as "already paused") and, for clients and campaigns from
 * before updates, as signals. Definitions only: clients import them without the workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Progress } from '../lib/campaign/progress.js';

export const progressQuery = defineQuery<Progress>('progress');

/** Each answers a sentence saying what will happen; a validator refuses with the reason. */
export const pauseUpdate = defineUpdate<string>('pause');
export const resumeUpdate = defineUpdate<string>('resume');
/** The argument is the stop reason, recorded as the campaign's; without one, "stopped by user". */
export const stopUpdate = defineUpdate<string, [reason: string]>('stop');

/** The same three as signals: no answer, no refusal. Kept for older clients (and tests that signal). */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal<[string?]>('stop');

/** Why a pause, resume or stop is refused. */
export const REFUSALS = {
  finished: 'campaign finished',
  paused: 'already paused',
  notPaused: 'not paused',
  stopping: 'already stopping',
} as const;
