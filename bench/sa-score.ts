/**
 * SA score throughput: molecules per second for cascade's saScores() (RDKit-JS parsing, our Morgan ids, RDKit-JS
 * stereo perception, the fragment table read from Debian's fpscores.pkl.gz) on RDKit's NCI first_5K.smi, against
 * RDKit's own Contrib/SA_Score/sascorer.py (Debian rdkit-data's copy, run by RDKit's Python package) on the same
 * SMILES in the same run. Checks agreement: every score, and every molecule's unfolded Morgan ids and counts.
 *
 *   npx tsx bench/sa-score.ts [--n 5000] [--repeat 3] [--smi /usr/share/RDKit/Data/NCI/first_5K.smi]
 *
 * The peer runs from the project-local venv (.tools/bench-venv, see scripts/bench-setup.sh; SA_PEER_PYTHON
 * overrides). Both sides load their fragment table first (timed apart), are warmed up on 200 molecules, then the
 * median of --repeat runs is reported, in wall-clock time and in CPU time (steadier on a shared machine: both
 * sides are single-threaded). The last line printed is JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { molGraph, readMolJson } from '../activities/chem/morgan-ids.js';
import { loadRDKit, withMol } from '../activities/chem/rdkit.js';
import { FPSCORES_PATH, loadFragmentContributions, saScores } from '../activities/chem/sa-score.js';
import { morganCounts } from '../lib/chem/morgan.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const n = Number(args.get('--n') ?? 5000);
const repeat = Number(args.get('--repeat') ?? 3);
const smiPath = args.get('--smi') ?? '/usr/share/RDKit/Data/NCI/first_5K.smi';
/** What "agrees" means for a score (the task's tolerance); the largest difference is printed as well. */
const TOLERANCE = 0.01;

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};

const smiles = readFileSync(smiPath, 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/)[0] as string)
  .filter(Boolean)
  .slice(0, n);
console.log(`${smiles.length} SMILES from ${smiPath}; warm-up, then median of ${repeat}`);

await loadRDKit();
let t0 = performance.now();
await loadFragmentContributions();
const oursLoadSeconds = (performance.now() - t0) / 1000;
await saScores(smiles.slice(0, 200)); // warm-up
const runs: number[] = [];
const cpuRuns: number[] = [];
let ours: (number | null)[] = [];
for (let r = 0; r < repeat; r++) {
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  ours = await saScores(smiles);
  const cpu = process.cpuUsage(cpu0);
  runs.push((performance.now() - t0) / 1000);
  cpuRuns.push((cpu.user + cpu.system) / 1e6);
}
const oursSeconds = median(runs);
const oursCpuSeconds = median(cpuRuns);

// untimed: our ids, to compare with the peer's
const rdkit = await loadRDKit();
const ourIds = smiles.map((s) => withMol(rdkit, s, (mol) => morganCounts(molGraph(rdkit, readMolJson(mol)))));

const repo = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.SA_PEER_PYTHON ?? join(repo, '.tools/bench-venv/bin/python');
const dir = mkdtempSync(join(tmpdir(), 'sa-bench-'));
writeFileSync(join(dir, 'smiles.txt'), `${smiles.join('\n')}\n`);
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ repeat, sascorerDir: dirname(FPSCORES_PATH) }));

interface PeerRun {
  seconds: number;
  runs: number[];
  cpuSeconds: number;
  loadSeconds: number;
  parsed: number;
  version: string;
  sascorer: string;
}
let theirs: PeerRun | null = null;
let agreement: {
  molecules: number;
  bothScored: number;
  onlyOursScored: number;
  onlyTheirsScored: number;
  withinTolerance: number;
  maxAbsDifference: number;
  worst: string | null;
  idsIdentical: number;
  idsCompared: number;
} | null = null;
try {
  const out = execFileSync(python, [join(repo, 'bench/sa_score_peer.py'), dir], { encoding: 'utf8' });
  theirs = JSON.parse(out.trim().split('\n').at(-1) as string) as PeerRun;
  const peer = JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8')) as {
    scores: (number | null)[];
    ids: (Record<string, number> | null)[];
  };
  let bothScored = 0;
  let onlyOurs = 0;
  let onlyTheirs = 0;
  let within = 0;
  let maxDiff = 0;
  let worst: string | null = null;
  let idsIdentical = 0;
  let idsCompared = 0;
  smiles.forEach((s, i) => {
    const a = ours[i];
    const b = peer.scores[i];
    if (a == null || b == null) {
      if (a != null) onlyOurs++;
      if (b != null) onlyTheirs++;
    } else {
      bothScored++;
      const d = Math.abs(a - b);
      if (d <= TOLERANCE) within++;
      if (d > maxDiff) {
        maxDiff = d;
        worst = s;
      }
    }
    const mine = ourIds[i];
    const their = peer.ids[i];
    if (mine && their) {
      idsCompared++;
      const keys = Object.keys(their);
      if (keys.length === mine.size && keys.every((k) => mine.get(Number(k)) === their[k])) idsIdentical++;
    }
  });
  agreement = {
    molecules: smiles.length,
    bothScored,
    onlyOursScored: onlyOurs,
    onlyTheirsScored: onlyTheirs,
    withinTolerance: within,
    maxAbsDifference: maxDiff,
    worst,
    idsIdentical,
    idsCompared,
  };
} catch (err) {
  console.log(`peer failed (is rdkit installed in .tools/bench-venv?): ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

const oursRate = smiles.length / oursSeconds;
const oursCpuRate = smiles.length / oursCpuSeconds;
console.log(
  `ours (saScores(), RDKit-JS + TypeScript): ${oursSeconds.toFixed(3)} s, ${oursRate.toFixed(0)} molecules/s; ` +
    `${oursCpuRate.toFixed(0)} per CPU-second (fragment table loaded once in ${oursLoadSeconds.toFixed(2)} s)`,
);
if (theirs && agreement) {
  const rate = smiles.length / theirs.seconds;
  const cpuRate = smiles.length / theirs.cpuSeconds;
  console.log(
    `RDKit Python ${theirs.version}, ${theirs.sascorer}: ${theirs.seconds.toFixed(3)} s, ${rate.toFixed(0)} ` +
      `molecules/s; ${cpuRate.toFixed(0)} per CPU-second (fragment table loaded in ${theirs.loadSeconds.toFixed(2)} s)`,
  );
  console.log(
    `ratio (ours / RDKit Python): ${(oursRate / rate).toFixed(2)} in molecules/s, ` +
      `${(oursCpuRate / cpuRate).toFixed(2)} per CPU-second`,
  );
  console.log(
    `scores: ${agreement.withinTolerance}/${agreement.bothScored} within ${TOLERANCE}, largest difference ` +
      `${agreement.maxAbsDifference.toExponential(2)}${agreement.worst ? ` (${agreement.worst})` : ''}; ` +
      `scored by one side only: ours ${agreement.onlyOursScored}, theirs ${agreement.onlyTheirsScored}; ` +
      `Morgan ids and counts identical for ${agreement.idsIdentical}/${agreement.idsCompared} molecules`,
  );
}
console.log(
  JSON.stringify({
    settings: { n: smiles.length, repeat, smi: smiPath, tolerance: TOLERANCE },
    ratio: theirs ? oursRate / (smiles.length / theirs.seconds) : null,
    cpuRatio: theirs ? oursCpuRate / (smiles.length / theirs.cpuSeconds) : null,
    oursMoleculesPerSecond: oursRate,
    oursMoleculesPerCpuSecond: oursCpuRate,
    rdkitPythonMoleculesPerSecond: theirs ? smiles.length / theirs.seconds : null,
    rdkitPythonMoleculesPerCpuSecond: theirs ? smiles.length / theirs.cpuSeconds : null,
    oursRuns: runs,
    oursCpuRuns: cpuRuns,
    oursLoadSeconds,
    theirs,
    agreement,
  }),
);
