/**
 * One-line summaries of the campaign's activities, which the workflow attaches to each scheduled activity
 * (Temporal's user metadata) so the Web UI's event history reads as the campaign does: which round, which tier,
 * which candidates. Pure; each stays under MAX_SUMMARY characters.
 */
import { poolLimit, poolSource } from './pool-source.js';
import type { CampaignConfig, TierConfig } from './schema.js';

/** Temporal shows a summary on one line; longer ones are cut. */
export const MAX_SUMMARY = 199;

/** What the workflow knows of a candidate it has evaluated (its label and identity come with its result). */
export interface KnownCandidate {
  label?: string;
  identity?: string;
}

/** A tier as a person names it: `xtb gfn2`, `dft (nwchem b3lyp/6-31G*)`. */
export function tierLabel(tier: TierConfig): string {
  const how =
    tier.code === 'nwchem'
      ? `nwchem ${tier.method}/${tier.cbs ? `CBS ${tier.cbs.bases.join(',')}` : tier.basis}`
      : `${tier.code} ${tier.method}`;
  return tier.name && tier.name !== tier.code ? `${tier.name} (${how})` : how;
}

/**
 * `round 2, xtb gfn2: 4 candidates (#12 CCO, #40 NSC 1234 c1ccccc1, ...)`: as many candidates as fit, then how
 * many more. A candidate is its pool index, with its label and identity once a lower tier has reported them.
 */
export function evaluationSummary(
  round: number,
  tier: TierConfig,
  idxs: readonly number[],
  known: ReadonlyMap<number, KnownCandidate> = new Map(),
): string {
  const head = `round ${round}, ${tierLabel(tier)}: ${idxs.length} candidate${idxs.length === 1 ? '' : 's'}`;
  const names = idxs.map((idx) => candidateName(idx, known.get(idx)));
  let shown = names.length;
  const text = (n: number) => {
    const more = names.length - n;
    return `${head} (${names.slice(0, n).join(', ')}${more > 0 ? `, +${more} more` : ''})`;
  };
  while (shown > 1 && text(shown).length > MAX_SUMMARY) shown--;
  return clip(text(shown));
}

/** `round 3: train mlp-ensemble on 24 gfn1 + 12 gfn2 results`. */
export function trainingSummary(
  round: number,
  kind: string,
  tiers: readonly string[],
  calls: Readonly<Record<string, number>>,
): string {
  const counted = tiers.filter((t) => (calls[t] ?? 0) > 0).map((t) => `${calls[t]} ${t}`);
  return clip(`round ${round}: train ${kind} on ${counted.length > 0 ? counted.join(' + ') : 'no'} results`);
}

/** `round 1: choose 4 by ucb from the surrogate's predictions`, or at random before there is one. */
export function acquisitionSummary(
  round: number,
  size: number,
  strategy: string,
  how: 'model' | 'random' | 'exhaustive',
): string {
  const by = {
    model: `by ${strategy} from the surrogate's predictions`,
    random: 'at random (no surrogate yet)',
    exhaustive: 'from the rest of the pool, at random (the surrogate does not pay for itself)',
  }[how];
  return clip(`round ${round}: choose ${size} ${by}`);
}

/** `prepare the pool: first_5K.smi, at most 100 candidates`. */
export function poolSummary(config: Pick<CampaignConfig, 'candidates' | 'crystals'>): string {
  const source = poolSource(config);
  const file = config.candidates ? source.split('/').pop() || source : source;
  const limit = poolLimit(config);
  return clip(`prepare the pool: ${file}${limit !== undefined ? `, at most ${limit} candidates` : ''}`);
}

function candidateName(idx: number, k: KnownCandidate | undefined): string {
  const parts = [`#${idx}`];
  if (k?.label && k.label !== k.identity) parts.push(short(k.label));
  if (k?.identity) parts.push(short(k.identity));
  return parts.join(' ');
}

/** A long SMILES or structure key, cut so that several candidates fit on the line. */
function short(text: string, max = 32): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}
