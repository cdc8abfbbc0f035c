/** What a campaign's pool is made from, in a line: the molecules' file, or the crystals' files and generator. */
import type { CampaignConfig } from './schema.js';

export function poolSource(c: Pick<CampaignConfig, 'candidates' | 'crystals'>): string {
  if (c.candidates) return c.candidates.source;
  const x = c.crystals;
  if (!x) return '(no pool)';
  const parts = [...(x.files ?? [])];
  const g = x.generate;
  if (g) {
    const sites = [g.A, g.B, ...(g.X ? [g.X] : [])].map((s) => s.join('/')).join(' x ');
    parts.push(`generated ${g.prototypes.join('/')} from ${sites}`);
  }
  return parts.join(', ');
}

/** The pool's limit, whichever kind it holds. */
export function poolLimit(c: Pick<CampaignConfig, 'candidates' | 'crystals'>): number | undefined {
  return c.candidates?.limit ?? c.crystals?.limit;
}
