/**
 * The file of a Delta-learning model: the base's and the delta's model files in one (fit.ts fits the pair; each
 * part loads with its kind's `load`).
 */
import { packModel, unpackModel } from './model-file.js';

const MAGIC = 'CASCDLT1';

export function packDeltaModel(base: Uint8Array, delta: Uint8Array): Uint8Array {
  return packModel(MAGIC, { base: base.length, delta: delta.length }, [base, delta], 8);
}

/** The two model files inside a Delta-learning model. */
export function readDeltaModel(bytes: Uint8Array): { base: Uint8Array; delta: Uint8Array } {
  const { header, data } = unpackModel(MAGIC, bytes, 8);
  const { base, delta } = header as { base: number; delta: number };
  if (data.length < base + delta) throw new Error('truncated Delta-learning model file');
  // copies (even of a Buffer, whose slice() does not copy): each part starts its own, aligned buffer
  return {
    base: new Uint8Array(data.subarray(0, base)),
    delta: new Uint8Array(data.subarray(base, base + delta)),
  };
}
