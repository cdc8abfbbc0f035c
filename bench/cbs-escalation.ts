/**
 * The basis escalation ladder replayed on the CBS data set: for each tolerance, where the ladders of the 105
 * molecules would stop (cc-pVDZ, cc-pVTZ or cc-pVQZ), the CPU they would spend against running cc-pVQZ alone
 * (the data set's measured CPU times), and the error of the energy they settle on against cc-pVQZ. Predictions
 * come from leave-compound-out cross-validation, so no molecule is predicted by a model that saw it.
 *
 *   npm run bench:cbs-escalation [-- --data data/cbs --folds 10]
 */
import path from 'node:path';
import { crossValidate } from '../activities/cbs/cross-validate.js';
import { readDataset } from '../activities/cbs/read-dataset.js';
import { type ReplayMolecule, replayEscalation } from '../lib/cbs/escalation-replay.js';
import { moleculeExamples } from '../lib/cbs/examples.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
};
const data = readDataset(path.resolve(arg('--data', 'data/cbs')));
const rows = data.molecules ?? [];
const set = moleculeExamples(rows);
const cv = await crossValidate(set, { folds: Number(arg('--folds', '10')) });

const molecules: ReplayMolecule[] = [];
for (const group of new Set(set.examples.map((e) => e.group))) {
  const own = rows.filter((r) => r.smiles === group && r.status === 'ok');
  const ladder = own.filter((r) => r.role === 'ladder').sort((a, b) => (a.cardinal ?? 0) - (b.cardinal ?? 0));
  const reference = own.find((r) => r.role === 'reference');
  if (!reference) continue;
  const predictionAt = (cardinal: number | null) =>
    cv.predictions.find((p) => p.example.group === group && p.example.basisSize === cardinal);
  molecules.push({
    group,
    rungs: [
      ...ladder.map((r) => {
        const p = predictionAt(r.cardinal);
        return {
          cpuSeconds: r.cpuSeconds ?? 0,
          predicted: p && { median: p.median, lo: p.lo, hi: p.hi },
          target: p?.example.target,
        };
      }),
      { cpuSeconds: reference.cpuSeconds ?? 0 },
    ],
  });
}

console.log(
  `basis escalation replayed on ${molecules.length} molecules (NWChem PBE, cc-pVDZ -> cc-pVTZ -> cc-pVQZ; held-out predictions)`,
);
console.log(
  '  tolerance   stop DZ/TZ/QZ   CPU vs QZ alone   MAE vs QZ   max error   interval held when stopped',
);
const results = [2, 5, 10, 15, 20, 30, 50].map((t) => replayEscalation(molecules, t));
for (const r of results) {
  console.log(
    `  ${`${r.toleranceMeVPerAtom} meV/atom`.padEnd(11)} ${r.stoppedAt.join('/').padStart(13)}   ${(100 * r.cpuFraction).toFixed(1).padStart(14)}%   ${r.maeMeV.toFixed(2).padStart(9)}   ${r.maxErrorMeV.toFixed(1).padStart(9)}   ${Number.isNaN(r.coveredWhenStopped) ? '-' : r.coveredWhenStopped.toFixed(3)}`,
  );
}
console.log(JSON.stringify({ bench: 'cbs-escalation', molecules: molecules.length, results }));
