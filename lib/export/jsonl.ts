/**
 * JSON Lines: the first line is the metadata record (`"type": "metadata"`: licence, cascade version, units,
 * tiers), then one line per candidate (`"type": "candidate"`) with its evaluations, lowest tier first, each with
 * its properties under `values` (units in the metadata) and its provenance.
 */
import type { ExportedCandidate, ExportMeta } from './record.js';

export function toJsonl(candidates: readonly ExportedCandidate[], meta: ExportMeta): string {
  const lines = [
    { type: 'metadata', ...meta },
    ...candidates.map((c) => ({
      type: 'candidate',
      idx: c.idx,
      label: c.label,
      kind: c.kind,
      identity: c.identity,
      evaluations: c.evaluations,
    })),
  ];
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}
