/**
 * Pieces the output parsers of the code templates share: number patterns, last-match lookups over a
 * whole output, and the failure record.
 */
import type { CalcFailure } from '../template.js';

/** A decimal number with an optional E exponent, as a RegExp source fragment. */
export const NUM = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
/** A number as Fortran codes print it: D exponents allowed as well as E. */
export const FORTRAN_NUM = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eEdD][-+]?\\d+)?';

/** A number as Fortran codes print it ("1.5D-03" included); NaN when it is none. */
export function fortranNumber(text: string): number {
  return Number(text.replace(/[dD]/, 'e'));
}

/** The last match of `re` in `text` (its flags kept, matched globally). */
export function lastMatch(text: string, re: RegExp): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(new RegExp(re.source, `${re.flags.replace('g', '')}g`)))
    last = m as RegExpExecArray;
  return last;
}

/** The first capture group of the last match of `re`, converted; undefined when there is none. */
export function lastNumber(
  text: string,
  re: RegExp,
  convert: (s: string) => number | undefined = Number,
): number | undefined {
  const m = lastMatch(text, re);
  return m?.[1] === undefined ? undefined : convert(m[1]);
}

export function failure(kind: CalcFailure['kind'], message: string, retryable: boolean): CalcFailure {
  return { kind, message, retryable };
}
