/** Parsers for numeric options: a typo such as `--rounds 3x` is refused up front instead of becoming NaN. */
import { InvalidArgumentError } from 'commander';

/** A number greater than zero (`--cpu-hours 0.5`, `--heartbeat 30`). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number greater than 0.');
  }
  return n;
}

/** A whole number greater than zero (`--rounds 3`, `--qm-concurrency 4`). */
export function positiveInt(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number greater than 0.');
  return n;
}
