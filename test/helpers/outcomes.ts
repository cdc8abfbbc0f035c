import { type CalcFailure, type CalcOutputs, isCalcFailure } from '../../qm/template.js';

/** The outputs of a calculation that must have succeeded. */
export function ok(out: CalcOutputs | CalcFailure): CalcOutputs {
  if (isCalcFailure(out)) throw new Error(`expected outputs, got ${out.kind}: ${out.message}`);
  return out;
}

/** The failure of a calculation that must have failed. */
export function failed(out: CalcOutputs | CalcFailure): CalcFailure {
  if (!isCalcFailure(out)) throw new Error(`expected a failure, got ${JSON.stringify(out)}`);
  return out;
}
