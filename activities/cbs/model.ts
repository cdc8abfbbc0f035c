/**
 * The CBS extrapolation model: quantile regression forests (activities/ml/qrf) that predict a compound's
 * basis-set error per atom at a basis, with a 90% prediction interval. Forests by what is known:
 *
 * - at the smallest basis of a ladder only the calculation itself is known. The forest learns asinh(ΔE / 1 meV):
 *   errors span three orders of magnitude (tens to a thousand meV/atom), the transform is close to a logarithm
 *   there yet defined for slightly negative errors of a noisy reference;
 * - at a larger basis the energy step from the previous basis is known, and the remaining error is close to
 *   proportional to it (that proportionality is what two-point extrapolation formulas assume). The forest
 *   learns the ratio ΔE / |step| from composition and the rest, a learned correction to analytic extrapolation,
 *   and the prediction is ratio x |step|;
 * - optionally (solids), at the smallest basis where the elements' own basis-set errors at that basis are known,
 *   a third forest learns the ratio ΔE / |stoichiometric estimate|: a learned correction to that baseline.
 *   Examples without it (an element that never converged) use the first forest, trained on every first rung.
 *
 * All transforms are monotone in ΔE for a given example, so the forests' quantiles carry over exactly.
 * Features follow lib/cbs/examples.ts: [basisSize, hasPrevious, step (mHa/atom), ...].
 */
import { MEV_PER_HARTREE as HARTREE_MEV } from '../../lib/domain/units.js';
import { QuantileForest } from '../ml/qrf/forest.js';

export interface CbsModelOptions {
  trees?: number;
  minSamplesLeaf?: number;
  maxFeatures?: number;
  seed?: number;
  /** Feature indices of a first-rung anchor: a 0/1 flag and asinh(estimate / 1 meV) (lib/cbs/examples.ts). */
  anchor?: { known: number; asinhMeV: number };
}

type Part = 'first' | 'anchored' | 'later';

export const CBS_MODEL_DEFAULTS = { trees: 300, minSamplesLeaf: 3, maxFeatures: 0.5, seed: 1 };

/** Interval levels: the 5% and 95% quantiles bound the 90% interval. */
const QUANTILES = [0.05, 0.5, 0.95];
const HAS_PREVIOUS = 1;
const STEP_MHA = 2;
/** Steps smaller than this (hartree/atom) are noise: the ratio would explode. */
const MIN_STEP = 1e-7;

export interface ErrorPrediction {
  /** Median predicted basis-set error, hartree/atom. */
  median: number;
  /** 90% interval, hartree/atom. */
  lo: number;
  hi: number;
}

/** How one example's target is scaled: to the model's space and back. */
interface Scale {
  to: (hartreePerAtom: number) => number;
  from: (z: number) => number;
}

const ratioTo = (anchor: number): Scale => {
  const a = Math.max(Math.abs(anchor), MIN_STEP);
  return { to: (e) => e / a, from: (z) => z * a };
};

const ASINH_MEV: Scale = { to: (e) => Math.asinh(e * HARTREE_MEV), from: (z) => Math.sinh(z) / HARTREE_MEV };

export class CbsModel {
  private readonly forests: Record<Part, QuantileForest>;
  private readonly trained = new Set<Part>();
  private readonly seed: number;
  private readonly anchor: CbsModelOptions['anchor'];

  constructor(opts: CbsModelOptions = {}) {
    const o = { ...CBS_MODEL_DEFAULTS, ...opts };
    this.seed = o.seed;
    this.anchor = opts.anchor;
    // small data: threads cost more than they save
    const forest = () =>
      new QuantileForest({
        nEstimators: o.trees,
        minSamplesLeaf: o.minSamplesLeaf,
        maxFeatures: o.maxFeatures,
        threads: 1,
      });
    this.forests = { first: forest(), anchored: forest(), later: forest() };
  }

  private anchored(f: readonly number[]): boolean {
    return this.anchor !== undefined && f[HAS_PREVIOUS] !== 1 && f[this.anchor.known] === 1;
  }

  /** How one example's target is scaled in one forest. */
  private scale(part: Part, f: readonly number[]): Scale {
    if (part === 'later') return ratioTo((f[STEP_MHA] as number) / 1000);
    if (part === 'anchored' && this.anchor)
      return ratioTo(Math.sinh(f[this.anchor.asinhMeV] as number) / HARTREE_MEV);
    return ASINH_MEV;
  }

  async fit(features: readonly number[][], targets: readonly number[]): Promise<void> {
    const trainsOn: Record<Part, (f: readonly number[]) => boolean> = {
      first: (f) => f[HAS_PREVIOUS] !== 1,
      anchored: (f) => this.anchored(f),
      later: (f) => f[HAS_PREVIOUS] === 1,
    };
    for (const part of ['first', 'anchored', 'later'] as const) {
      const rows = features.flatMap((f, i) => (trainsOn[part](f) ? [i] : []));
      if (rows.length === 0) continue;
      const x = rows.map((i) => features[i] as number[]);
      await this.forests[part].fit(
        Float32Array.from(x.flat()),
        x[0]?.length ?? 0,
        Float32Array.from(rows, (i) => this.scale(part, features[i] as number[]).to(targets[i] as number)),
        { seed: this.seed },
      );
      this.trained.add(part);
    }
  }

  /** The forest that predicts one example: the anchored one where it can, else by rung. */
  private partOf(f: readonly number[]): Part {
    if (f[HAS_PREVIOUS] === 1) return 'later';
    return this.anchored(f) && this.trained.has('anchored') ? 'anchored' : 'first';
  }

  async predict(features: readonly number[][]): Promise<ErrorPrediction[]> {
    const out: ErrorPrediction[] = new Array(features.length);
    for (const part of ['first', 'anchored', 'later'] as const) {
      const rows = features.flatMap((f, i) => (this.partOf(f) === part ? [i] : []));
      if (rows.length === 0) continue;
      const x = rows.map((i) => features[i] as number[]);
      const q = await this.forests[part].quantiles(Float32Array.from(x.flat()), rows.length, QUANTILES);
      rows.forEach((i, k) => {
        const s = this.scale(part, features[i] as number[]);
        out[i] = {
          lo: s.from(q.values[3 * k] as number),
          median: s.from(q.values[3 * k + 1] as number),
          hi: s.from(q.values[3 * k + 2] as number),
        };
      });
    }
    return out;
  }

  dispose(): void {
    for (const f of Object.values(this.forests)) f.dispose();
  }
}
