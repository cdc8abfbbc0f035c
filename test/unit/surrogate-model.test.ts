/** The surrogate registry covers every kind; stored model descriptions and metrics read back typed, old rows too. */
import { describe, expect, it } from 'vitest';
import { SURROGATES, surrogateFor } from '../../activities/ml/surrogates/index.js';
import { type SurrogateKind, surrogateKinds } from '../../lib/surrogate/kinds.js';
import { type ModelDescription, modelDescriptionFrom, modelMetricsFrom } from '../../lib/surrogate/model.js';
import { surrogateSpec } from '../helpers/surrogate-spec.js';

describe('the surrogate registry', () => {
  it('has one entry per kind, each declaring what it provides', () => {
    expect(Object.keys(SURROGATES).sort()).toEqual([...surrogateKinds].sort());
    for (const kind of surrogateKinds) {
      const entry = surrogateFor(kind);
      expect(entry.kind).toBe(kind);
      expect(entry.provides).toMatchObject({ mean: true, std: true });
    }
    expect(surrogateFor('mlp-ensemble').provides.samples).toBe('members');
    expect(surrogateFor('qrf').provides.samples).toBe('trees');
  });

  it('refuses a kind it does not know', () => {
    expect(() => surrogateFor('gp' as SurrogateKind)).toThrow(/unknown surrogate kind "gp"/);
  });
});

describe('modelDescriptionFrom', () => {
  const settings = surrogateSpec({ kind: 'qrf', fidelity: 'delta' }, [{ code: 'xtb' }, { code: 'nwchem' }]);

  it('reads back what a retrain describes', () => {
    const description: ModelDescription = {
      kind: 'qrf',
      settings,
      fidelity: 'delta',
      labelTier: 'nwchem',
      baseTier: 'xtb',
      trainedOn: 12,
      baseTrainedOn: 40,
      nFeatures: 2068,
      backend: 'js-threads',
    };
    expect(modelDescriptionFrom(JSON.parse(JSON.stringify(description)))).toEqual(description);
  });

  it('reads rows that kept the settings at the top level, with fidelity the mode used', () => {
    const flat = {
      ...settings,
      fidelity: 'direct',
      fidelityNote: 'delta needs 4 ...',
      trainedOn: 9,
      labelTier: 'xtb',
      nFeatures: 6,
    };
    expect(modelDescriptionFrom(flat, { backend: 'js-threads' })).toEqual({
      kind: 'qrf',
      settings, // the campaign asked for delta: the note says why this model did not learn one
      fidelity: 'direct',
      labelTier: 'xtb',
      trainedOn: 9,
      nFeatures: 6,
      fidelityNote: 'delta needs 4 ...',
      backend: 'js-threads',
    });
  });

  it('fills what the oldest rows lack with defaults, and refuses an unknown kind', () => {
    const old = modelDescriptionFrom(
      { ensembleSize: 3, epochs: 'many', trainedOn: 6, nFeatures: 8 },
      {
        backend: 'wasm',
      },
    );
    expect(old).toMatchObject({ kind: 'mlp-ensemble', fidelity: 'direct', trainedOn: 6, backend: 'wasm' });
    expect(old.labelTier).toBeUndefined();
    expect(old.settings).toMatchObject({ ensembleSize: 3, epochs: 100, recalibrate: false });
    expect(() => modelDescriptionFrom({ kind: 'gp' })).toThrow(/kind "gp"/);
  });
});

describe('modelMetricsFrom', () => {
  it('keeps the known figures that are numbers', () => {
    const stored = JSON.parse(
      JSON.stringify({ trainLoss: 0.1, lastR2: Number.NaN, stdScale: '2', colour: 3 }),
    );
    expect(modelMetricsFrom(stored)).toEqual({ trainLoss: 0.1 });
    expect(modelMetricsFrom(null)).toEqual({});
  });
});
