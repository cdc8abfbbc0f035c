/**
 * How NWChem is launched here (checked against NWChem 7.0.2 as packaged by Debian: `nwchem` ->
 * `nwchem.openmpi`, OpenMPI 4.1.4).
 *
 * - One plain process, no `mpirun`: the OpenMPI build runs as an MPI singleton. By default a singleton
 *   forks an `orted` helper daemon that calls setsid(), i.e. leaves the runner's process group, so it could
 *   not be signalled with the rest of the tree. `OMPI_MCA_ess_singleton_isolated=1` makes the singleton run
 *   alone, without that daemon (the run is otherwise identical). Parallel runs (`mpirun -np N nwchem`) work
 *   too, but need a wrapper as the binary; that is not this profile.
 * - The basis-set library is compiled in (/usr/share/nwchem/libraries/): no `.nwchemrc` and no
 *   NWCHEM_BASIS_LIBRARY are needed. NWChem honours NWCHEM_BASIS_LIBRARY when it is set and names an existing
 *   directory (and falls back to the compiled-in library otherwise), so a caller's setting passes through.
 * - NWChem has no `--version` (it takes `--version` for an input file name and fails): the version is read
 *   from the banner of a run on an input holding nothing but `start`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveBinary } from '../../profile.js';
import type { Profile } from '../../template.js';
import { inScratchDir, versionCache } from '../../version-probe.js';

/** The environment every NWChem run gets (the runner adds the thread counts). */
export const NWCHEM_ENV: Readonly<Record<string, string>> = {
  // no orted daemon outside the process group (see above)
  OMPI_MCA_ess_singleton_isolated: '1',
};

/** The NWChem profile: binary from $CASCADE_NWCHEM or `nwchem` on PATH, one process with one thread. */
export function nwchemProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    binary: overrides.binary ?? (process.env.CASCADE_NWCHEM || 'nwchem'),
    threads: overrides.threads ?? 1,
    env: { ...NWCHEM_ENV, ...overrides.env },
  };
}

const cachedVersion = versionCache();

/**
 * NWChem's version ("7.0.2"), read once per binary from the banner of a run on a one-line input in a
 * temporary directory (about 0.3 s); "unknown" when the banner names none. Throws MissingBinaryError
 * (not cached, so installing NWChem later works).
 */
export function nwchemVersion(binary: string): Promise<string> {
  return cachedVersion(binary, () => readVersion(binary));
}

/** The version from NWChem's banner: "Northwest Computational Chemistry Package (NWChem) 7.0.2", or "nwchem branch = 7.0.2". */
export function versionFromBanner(stdout: string): string | undefined {
  return (
    /Northwest Computational Chemistry Package \(NWChem\)\s+v?(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ??
    /nwchem branch\s*=\s*v?(\d+(?:\.\d+)+)/.exec(stdout)?.[1]
  );
}

async function readVersion(binary: string): Promise<string> {
  const path = await resolveBinary(binary);
  return inScratchDir('cascade-nwchem-version-', async (dir) => {
    // NWChem writes its runtime database (version.db) into the permanent directory: keep it in `dir`.
    await writeFile(join(dir, 'version.nw'), 'start version\npermanent_dir ./\nscratch_dir ./\n');
    const r = await execa(path, ['version.nw'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
      env: { ...NWCHEM_ENV, OMP_NUM_THREADS: '1' },
    });
    return versionFromBanner(String(r.stdout)) ?? 'unknown';
  });
}
