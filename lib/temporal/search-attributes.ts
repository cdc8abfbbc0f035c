/** cascade's custom search attributes: they make campaigns findable and sortable in the Temporal Web UI. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CAMPAIGN = defineSearchAttributeKey('CascadeCampaign', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('CascadeStatus', SearchAttributeType.KEYWORD);
export const ROUND = defineSearchAttributeKey('CascadeRound', SearchAttributeType.INT);
/**
 * The campaign's figure of merit: the best value of its objective, or with several objectives the hypervolume of
 * its feasible Pareto front. One key for both: the dev server's SQLite visibility allows 3 Double attributes per
 * namespace, all taken (this, CPU hours, energy).
 */
export const BEST_VALUE = defineSearchAttributeKey('CascadeBestValue', SearchAttributeType.DOUBLE);
export const EVALUATIONS = defineSearchAttributeKey('CascadeEvaluations', SearchAttributeType.INT);
export const CPU_HOURS = defineSearchAttributeKey('CascadeCpuHours', SearchAttributeType.DOUBLE);
export const ENERGY_KWH = defineSearchAttributeKey('CascadeEnergyKWh', SearchAttributeType.DOUBLE);

/** Name → type as the `temporal` CLI spells it, for `--search-attribute` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTES: Record<string, string> = {
  CascadeCampaign: 'Keyword',
  CascadeStatus: 'Keyword',
  CascadeRound: 'Int',
  CascadeBestValue: 'Double',
  CascadeEvaluations: 'Int',
  CascadeCpuHours: 'Double',
  CascadeEnergyKWh: 'Double',
};
