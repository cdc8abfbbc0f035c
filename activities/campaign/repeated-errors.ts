/**
 * Errors by failure class, over an activity's attempts. A worker that died (a heartbeat timeout) or shut down
 * (CalculationKilled) says nothing about the work, and Temporal retries it without limit (workflows/campaign.ts);
 * an error the activity throws may repeat itself, so it is retried MAX_ERRORS - 1 times and then fails as
 * RepeatedError, which the retry policy does not retry. The count travels in the heartbeat details: a failed
 * attempt reports its last heartbeat, and the next attempt reads it.
 */
import { ApplicationFailure } from '@temporalio/activity';

export const MAX_ERRORS = 3;

/** Errors counted by earlier attempts, from the last heartbeat's details. */
export function errorsSoFar(details: unknown): number {
  const errors = (details as { errors?: unknown } | undefined)?.errors;
  return typeof errors === 'number' && Number.isInteger(errors) && errors >= 0 ? errors : 0;
}

/**
 * Rethrows what an attempt threw: counted (and the count heartbeated with `beat`) when it is an error a retry
 * may cure, final once it was the MAX_ERRORS-th.
 */
export function rethrowCounted(e: unknown, errors: number, beat: (errors: number) => void): never {
  if (e instanceof ApplicationFailure && (e.nonRetryable || e.type === 'CalculationKilled')) throw e;
  const count = errors + 1;
  beat(count);
  if (count < MAX_ERRORS) throw e;
  throw ApplicationFailure.create({
    message: `${(e as Error)?.message ?? String(e)} (failed this way ${count} times; worker deaths are not counted)`,
    type: 'RepeatedError',
    nonRetryable: true,
    ...(e instanceof Error && { cause: e }),
  });
}
