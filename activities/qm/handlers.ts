/**
 * Restart handling around the runner, in the spirit of AiiDA's BaseRestartWorkChain: a failed attempt is data
 * (a classified CalcFailure), and what to do about it is a short list of named handlers that can be read at a
 * glance. The loop:
 *
 *   run the attempt
 *   ok                                  -> done
 *   the caller's signal aborted         -> done (cancelled; nothing more is started)
 *   'missing-binary' / 'invalid-input'  -> done (no restart can fix them)
 *   'timeout'                           -> done, unless opts.restartOnTimeout
 *   maxAttempts reached                 -> done
 *   otherwise: the highest-priority handler (the template's, plus the built-ins below) that handles this kind,
 *   has restarts left and returns a spec -> next attempt with that spec; an optimisation that left its last
 *   geometry on the failure restarts from it. No such handler -> done (unhandled, returned as is).
 *
 * The decision is made on the failure's kind; `CalcFailure.retryable` is the template's hint for callers and
 * is not consulted here.
 */

import {
  type CalcFailure,
  type CalcFailureKind,
  type CalcOutputs,
  type CalcSpec,
  isCalcFailure,
  isCrystal,
  type Profile,
  type QmSystem,
  type QmTemplate,
  type RestartHandler,
} from '../../qm/template.js';
import { type Provenance, type RunOptions, runCalculation } from './runner.js';

/** One attempt, as it went. */
export interface AttemptRecord {
  /** 1 for the first attempt. */
  attempt: number;
  spec: CalcSpec;
  /** The handler that produced this attempt's spec; absent for the first attempt. */
  handler?: string;
  /** Whether this attempt started from the previous attempt's last geometry instead of the one before it. */
  fromLastGeometry: boolean;
  result: 'ok' | { kind: CalcFailureKind; message: string };
  wallSeconds: number;
  cpuSeconds: number;
  inputHash: string;
  workDir: string;
}

/** Why the loop stopped. */
export type HandlerStop = 'ok' | 'cancelled' | 'non-retryable' | 'timeout' | 'unhandled' | 'max-attempts';

export interface HandledResult<S extends QmSystem = QmSystem> {
  /** The last attempt's outcome: outputs, or the failure that ended the loop, unchanged. */
  outcome: CalcOutputs | CalcFailure;
  /** The last attempt's provenance. */
  provenance: Provenance;
  attempts: AttemptRecord[];
  /** Handlers that caused a restart, in order (a handler that fired twice appears twice). */
  handlersFired: string[];
  /** The spec that produced `outcome`. */
  spec: CalcSpec;
  /** The system the last attempt ran on (the last geometry of a restarted optimisation). */
  system: S;
  ended: HandlerStop;
  /** Summed over attempts. */
  wallSeconds: number;
  cpuSeconds: number;
}

/** Runs one attempt; `runCalculation` unless a test supplies a scripted one. */
export type RunAttempt = typeof runCalculation;

export interface HandlerOptions extends RunOptions {
  /** Attempts in all, the first included (default 5). */
  maxAttempts?: number;
  /** Called after each attempt. Errors it throws are ignored. */
  onAttempt?: (a: AttemptRecord) => void;
  /** Let timeouts be restarted (by 'retry-after-timeout' or a template handler for 'timeout'); default false. */
  restartOnTimeout?: boolean;
  /** How one attempt is run (default `runCalculation`). */
  runAttempt?: RunAttempt;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** No restart can fix these: the binary is not there, or the code (or the template) refused the input. */
const NEVER_RESTARTED: ReadonlySet<CalcFailureKind> = new Set(['missing-binary', 'invalid-input']);

/**
 * Built in: a run killed by a signal that was not the caller's cancellation (the OOM killer, an operator, a node
 * being drained) says nothing about the inputs, so the same spec is run once more. Priority 0: a code's own
 * handler for 'killed' goes first.
 */
export const retryAfterSignal: RestartHandler = {
  name: 'retry-after-signal',
  handles: ['killed'],
  priority: 0,
  maxRestarts: 1,
  apply: (spec) => spec,
};

/**
 * Built in, only with `restartOnTimeout`: a timeout under a busy machine may pass on a second try. Off by
 * default, since a time limit is usually meant to be final.
 */
export const retryAfterTimeout: RestartHandler = {
  name: 'retry-after-timeout',
  handles: ['timeout'],
  priority: 0,
  maxRestarts: 1,
  apply: (spec) => spec,
};

/** The first handler, highest priority first (ties in list order), that takes this failure and offers a spec. */
function nextSpec(
  handlers: readonly RestartHandler[],
  spec: CalcSpec,
  failure: CalcFailure,
  restarts: ReadonlyMap<string, number>,
): { handler: string; spec: CalcSpec } | undefined {
  for (const h of handlers) {
    if (!h.handles.includes(failure.kind)) continue;
    const used = restarts.get(h.name) ?? 0;
    if (used >= h.maxRestarts) continue;
    const next = h.apply(structuredClone(spec), failure, used);
    if (next) return { handler: h.name, spec: next };
  }
  return undefined;
}

/** The system for the next attempt: a failed optimisation's last geometry when it left one, else the same. */
function restartSystem<S extends QmSystem>(
  system: S,
  spec: CalcSpec,
  failure: CalcFailure,
): { system: S; fromLastGeometry: boolean } {
  const last = failure.lastGeometry;
  if (spec.task !== 'optimize' || !last || isCrystal(system)) return { system, fromLastGeometry: false };
  // the same atoms in the same order, or it is not a continuation of this optimisation
  if (last.symbols.length !== system.symbols.length || last.symbols.some((s, i) => s !== system.symbols[i])) {
    return { system, fromLastGeometry: false };
  }
  const next = {
    ...system,
    coords: last.coords.map((c) => [...c]),
  } as S;
  return { system: next, fromLastGeometry: true };
}

export async function runWithHandlers<S extends QmSystem>(
  template: QmTemplate<S>,
  profile: Profile,
  spec: CalcSpec,
  system: S,
  opts: HandlerOptions,
): Promise<HandledResult<S>> {
  const { maxAttempts = DEFAULT_MAX_ATTEMPTS, onAttempt, restartOnTimeout = false, runAttempt } = opts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const run = runAttempt ?? runCalculation;
  const runOpts: RunOptions = {
    workRoot: opts.workRoot,
    timeoutMs: opts.timeoutMs,
    ...(opts.signal && { signal: opts.signal }),
    ...(opts.onProgress && { onProgress: opts.onProgress }),
    // the version the caller probed (a code without --version has its own probe): not probed again per attempt
    ...(opts.codeVersion && { codeVersion: opts.codeVersion }),
  };
  const handlers = [
    ...(template.handlers ?? []),
    retryAfterSignal,
    ...(restartOnTimeout ? [retryAfterTimeout] : []),
  ].sort((a, b) => b.priority - a.priority); // stable: equal priorities keep list order

  const attempts: AttemptRecord[] = [];
  const handlersFired: string[] = [];
  const restarts = new Map<string, number>();
  let current = { spec, system, handler: undefined as string | undefined, fromLastGeometry: false };
  let wallSeconds = 0;
  let cpuSeconds = 0;

  for (;;) {
    const { outcome, provenance } = await run(template, profile, current.spec, current.system, runOpts);
    wallSeconds += provenance.wallSeconds;
    cpuSeconds += provenance.cpuSeconds;
    const record: AttemptRecord = {
      attempt: attempts.length + 1,
      spec: structuredClone(current.spec),
      ...(current.handler !== undefined && { handler: current.handler }),
      fromLastGeometry: current.fromLastGeometry,
      result: isCalcFailure(outcome) ? { kind: outcome.kind, message: outcome.message } : 'ok',
      wallSeconds: provenance.wallSeconds,
      cpuSeconds: provenance.cpuSeconds,
      inputHash: provenance.inputHash,
      workDir: provenance.workDir,
    };
    attempts.push(record);
    try {
      onAttempt?.(record);
    } catch {
      // a failing sink must not decide the calculation
    }

    const finish = (ended: HandlerStop): HandledResult<S> => ({
      outcome,
      provenance,
      attempts,
      handlersFired,
      spec: current.spec,
      system: current.system,
      ended,
      wallSeconds,
      cpuSeconds,
    });
    if (!isCalcFailure(outcome)) return finish('ok');
    if (opts.signal?.aborted) return finish('cancelled');
    if (NEVER_RESTARTED.has(outcome.kind)) return finish('non-retryable');
    if (outcome.kind === 'timeout' && !restartOnTimeout) return finish('timeout');
    if (attempts.length >= maxAttempts) return finish('max-attempts');
    const next = nextSpec(handlers, current.spec, outcome, restarts);
    if (!next) return finish('unhandled');

    restarts.set(next.handler, (restarts.get(next.handler) ?? 0) + 1);
    handlersFired.push(next.handler);
    current = {
      spec: next.spec,
      handler: next.handler,
      ...restartSystem(current.system, current.spec, outcome),
    };
  }
}
