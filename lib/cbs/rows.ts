/** The rows of the basis-set data set's JSONL files (data/cbs/), as generate.ts writes them and eval reads them. */

/** Energies and provenance, common to solids and molecules; null where a calculation failed. */
export interface CalculationColumns {
  status: 'ok' | 'failed';
  failure: string | null;
  /** Total energy, hartree (per cell for solids, per molecule for molecules). */
  energy: number | null;
  energyPerAtom: number | null;
  /** Hartree, solids only. */
  fermiEnergy: number | null;
  /** eV: the band gap (solids) or HOMO-LUMO gap (molecules). */
  bandGap: number | null;
  scfIterations: number | null;
  cpuSeconds: number | null;
  wallSeconds: number | null;
  code: string | null;
  codeVersion: string | null;
  method: string | null;
  settings: Record<string, unknown> | null;
  /** The content hash of the calculation in cascade's store. */
  resultKey: string | null;
  host: string | null;
}

export interface SolidRow extends CalculationColumns {
  compound: string;
  formula: string;
  kind: 'binary' | 'element';
  prototype: 'rockSalt' | 'zincBlende' | 'cesiumChloride' | 'fcc';
  species: string[];
  atoms: number;
  latticeConstantBohr: number;
  rgkmax: number;
  /** `check`: a basis above the reference, for a few compounds, to measure the reference's own error. */
  role: 'ladder' | 'reference' | 'check';
}

export interface MoleculeRow extends CalculationColumns {
  smiles: string;
  formula: string;
  species: string[];
  atoms: number;
  charge: number;
  multiplicity: number;
  geometryHash: string;
  basis: string;
  cardinal: number | null;
  role: 'ladder' | 'reference' | 'check';
  /** eV. */
  homo: number | null;
  lumo: number | null;
}

/** What a data file holds: calculations, how many failed, distinct compounds, and the CPU time spent. */
export interface RowStats {
  calculations: number;
  failed: number;
  compounds: number;
  cpuHours: number;
}

export function rowStats(rows: readonly (SolidRow | MoleculeRow)[]): RowStats {
  const compound = (r: SolidRow | MoleculeRow) => ('smiles' in r ? r.smiles : `${r.kind}:${r.compound}`);
  return {
    calculations: rows.length,
    failed: rows.filter((r) => r.status !== 'ok').length,
    compounds: new Set(rows.map(compound)).size,
    cpuHours: rows.reduce((s, r) => s + (r.cpuSeconds ?? 0), 0) / 3600,
  };
}

/**
 * The distinct calculation settings among a file's successful rows, leaving out the basis (rgkmax, basis), with
 * how many rows have each: more than one means the file mixes runs (a regeneration with new settings that was
 * interrupted, say), and its basis-set errors are not comparable.
 */
export function settingsVariants(
  rows: readonly (SolidRow | MoleculeRow)[],
): { settings: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.status !== 'ok') continue;
    const { rgkmax: _rgkmax, basis: _basis, ...rest } = (r.settings ?? {}) as Record<string, unknown>;
    const key = JSON.stringify({ code: r.code, codeVersion: r.codeVersion, method: r.method, ...rest });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([settings, n]) => ({ settings, rows: n }))
    .sort((a, b) => b.rows - a.rows);
}
