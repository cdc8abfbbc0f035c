import { CampaignConfig, type CampaignInput, type SurrogateConfig } from '../../lib/campaign/schema.js';

/** The surrogate section as a campaign YAML with these settings would give it, defaults filled in. */
export function surrogateSpec(
  surrogate: NonNullable<CampaignInput['surrogate']>,
  tiers: CampaignInput['tiers'] = [{ code: 'xtb' }],
): SurrogateConfig {
  return CampaignConfig.parse({
    name: 'surrogate-test',
    candidates: { source: 'x.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers,
    surrogate,
  }).surrogate;
}
