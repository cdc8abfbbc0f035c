/**
 * Code-specific settings of a spec (`spec.settings`): checks for their values, with errors that name the
 * code and the setting, and the spec with some of them replaced (what restart handlers return).
 */
import { type CalcSpec, InvalidInputError } from '../template.js';

/** Value checks whose errors read "<code> setting <name> must be ...". */
export function settingChecks(code: string) {
  const bad = (name: string, what: string) =>
    new InvalidInputError(`${code} setting ${name} must be ${what}`);
  return {
    bad,
    positiveInt(name: string, v: unknown): number {
      if (!Number.isInteger(v) || (v as number) < 1) throw bad(name, 'a positive integer');
      return v as number;
    },
    positiveNumber(name: string, v: unknown): number {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad(name, 'a positive number');
      return v;
    },
    /** The value, when the spec is an optimisation: the setting means nothing to a single point. */
    optimizeOnly(name: string, v: unknown, spec: CalcSpec): unknown {
      if (spec.task !== 'optimize')
        throw new InvalidInputError(`${code} setting ${name} needs task "optimize"`);
      return v;
    },
  };
}

/** The spec with `settings` merged over its own. */
export const withSettings = (spec: CalcSpec, settings: Record<string, unknown>): CalcSpec => ({
  ...spec,
  settings: { ...spec.settings, ...settings },
});
