/** The export's metadata: the licence (user-set, CC-BY-4.0 by default) and the cascade version that wrote it. */
import type { ExportMeta } from '../../lib/export/record.js';
import { UNITS } from '../format.js';
import { cascadeVersion } from '../paths.js';

/** Open data by default: anyone may reuse it, crediting the source. */
export const DEFAULT_LICENCE = 'CC-BY-4.0';

export function exportMeta(
  campaign: string,
  tiers: string[],
  properties: string[],
  licence = DEFAULT_LICENCE,
): ExportMeta {
  return {
    campaign,
    licence,
    cascadeVersion: cascadeVersion(),
    exportedAt: new Date().toISOString(),
    tiers,
    properties,
    units: Object.fromEntries(properties.flatMap((p) => (UNITS[p] ? [[p, UNITS[p]]] : []))),
  };
}
