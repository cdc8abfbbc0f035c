/** The published JSON Schema of campaign files (configs/schema.json), for editor completion and validation. */
import { z } from 'zod';
import { CampaignConfig } from './schema.js';

export const CAMPAIGN_SCHEMA_ID = 'urn:cascade:campaign-config:v1';

/**
 * JSON Schema (draft 2020-12) of what a user may write: fields with defaults are optional. Cross-field
 * rules (unique tier names, callsPerTier naming real tiers, min <= max heavy atoms) are checked by
 * `loadCampaign` only.
 */
export function campaignJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(CampaignConfig, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...body } = generated;
  return {
    $schema,
    $id: CAMPAIGN_SCHEMA_ID,
    title: 'cascade campaign',
    description:
      'A cascade screening campaign: where the candidate molecules come from, what to optimise, which ' +
      'calculations to run (cheapest tier first), how the surrogate model picks the next batch, and when to stop.',
    ...body,
  };
}

/** The schema file's exact text: 2-space JSON with a trailing newline, so regeneration is byte-stable. */
export function campaignJsonSchemaText(): string {
  return `${JSON.stringify(campaignJsonSchema(), null, 2)}\n`;
}
