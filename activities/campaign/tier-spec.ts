/** The calculation a campaign tier asks for, on one molecule. */
import type { TierConfig } from '../../lib/campaign/schema.js';
import type { CalcSpec, Geometry } from '../qm/template.js';

export function tierSpec(tier: TierConfig, geom: Pick<Geometry, 'charge' | 'multiplicity'>): CalcSpec {
  return {
    code: tier.code,
    method: tier.method,
    task: tier.optimize ? 'optimize' : 'energy',
    ...('basis' in tier && { basis: tier.basis }),
    ...('solvent' in tier && tier.solvent !== undefined && { solvent: tier.solvent }),
    charge: geom.charge,
    multiplicity: geom.multiplicity,
    settings: { ...tier.settings },
  };
}
