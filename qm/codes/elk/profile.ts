/**
 * How to launch Elk here (checked against Elk 8.4.30 as packaged by Debian: `elk-lapw`, species files in
 * /usr/share/elk-lapw/species/).
 *
 * - Elk takes no arguments: it reads `elk.in` from its working directory. That includes `--version`:
 *   `elk-lapw --version` run where an elk.in exists starts that calculation. `elkVersion` therefore runs
 *   the binary in an empty scratch directory, where it prints "Elk code version 8.4.30 started", fails
 *   with "Error(readinput): error opening elk.in" (and exits 0) within a fraction of a second. Task -1,
 *   which the manual documents as "write out the version number", is "not defined" in 8.4.30.
 * - Elk's manual: "The latest versions of Elk use stack space aggressively ... increase the stack size for
 *   each OpenMP thread with (for example) export OMP_STACKSIZE=64M". The profile sets 256M (virtual
 *   address space, committed only when touched). The main thread's stack is the shell's `ulimit -s`
 *   (8 MiB by default), which the runner does not change; it sufficed for every case tried here.
 * - OMP_WAIT_POLICY=PASSIVE: Elk opens many short OpenMP parallel regions, and the runner also gives
 *   OpenBLAS (Debian's pthread build, called from inside those regions) `threads` threads. With libgomp's
 *   default busy-waiting, 2 threads on a 2-core machine shared with other work took 13-35 s for the MgO
 *   acceptance case that 1 thread does in 1.5 s; passive waiting brings 2 threads back to 2-3 s.
 *   OPENBLAS_NUM_THREADS=1 with 2 OpenMP threads was best (1.1-1.6 s): the parallelism is Elk's own, so
 *   the BLAS it calls inside its parallel regions gets one thread (a profile's env wins over the runner's).
 * - GFORTRAN_UNBUFFERED_PRECONNECTED=y: gfortran block-buffers stdout into a pipe, so progress lines and
 *   "Error(...)" messages would only arrive at exit and be lost when Elk is killed. Elk prints little, so
 *   unbuffered output costs nothing.
 */
import { execa } from 'execa';
import { resolveBinary } from '../../profile.js';
import type { Profile } from '../../template.js';
import { inScratchDir, versionCache } from '../../version-probe.js';

export const DEFAULT_ELK_BINARY = 'elk-lapw';
export const DEFAULT_ELK_SPECIES_DIR = '/usr/share/elk-lapw/species/';
export const ELK_DEBIAN_PACKAGE = 'elk-lapw';

/**
 * The Elk profile: binary from $CASCADE_ELK or `elk-lapw` on PATH, one thread by default (the runner
 * exports OMP_NUM_THREADS from `threads`), a large OpenMP stack, passive waiting, unbuffered stdout.
 */
export function elkProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    binary: overrides.binary ?? (process.env.CASCADE_ELK || DEFAULT_ELK_BINARY),
    threads: overrides.threads ?? 1,
    env: {
      OMP_STACKSIZE: '256M',
      OMP_WAIT_POLICY: 'PASSIVE',
      OPENBLAS_NUM_THREADS: '1',
      GFORTRAN_UNBUFFERED_PRECONNECTED: 'y',
      ...overrides.env,
    },
  };
}

/** The species directory, with the trailing '/' Elk's `sppath` needs: $CASCADE_ELK_SPECIES or Debian's. */
export function elkSpeciesDir(): string {
  const dir = process.env.CASCADE_ELK_SPECIES || DEFAULT_ELK_SPECIES_DIR;
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** dpkg-query's format for the version field: a dpkg format string, not a JS template. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
const DPKG_VERSION_FORMAT = '${Version}';

const cachedVersion = versionCache();

/**
 * Elk's version (e.g. "8.4.30"), cached per binary. Read from the banner Elk prints before it looks for
 * elk.in; when the banner names none, from the Debian package (`dpkg-query -W elk-lapw`, "8.4.30-1" ->
 * "8.4.30"); else "unknown". Throws MissingBinaryError (not cached) when the binary is absent.
 */
export function elkVersion(binary: string = elkProfile().binary): Promise<string> {
  return cachedVersion(binary, () => readElkVersion(binary));
}

/** The version in Elk's banner ("Elk code version 8.4.30 started" / "Elk version 8.4.30 started"). */
export function parseElkBanner(text: string): string | undefined {
  return /Elk (?:code )?version\s+(\d+(?:\.\d+)+)/.exec(text)?.[1];
}

async function readElkVersion(binary: string): Promise<string> {
  const path = await resolveBinary(binary);
  const fromBanner = await inScratchDir('cascade-elk-version-', async (scratch) => {
    const r = await execa(path, [], {
      cwd: scratch,
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
      env: { OMP_NUM_THREADS: '1' },
    });
    return parseElkBanner(`${r.stdout}\n${r.stderr}`);
  });
  if (fromBanner) return fromBanner;
  const pkg = await execa('dpkg-query', ['-W', '-f', DPKG_VERSION_FORMAT, ELK_DEBIAN_PACKAGE], {
    reject: false,
    stdin: 'ignore',
    timeout: 10_000,
  }).catch(() => undefined);
  const m = pkg && pkg.exitCode === 0 ? /^(?:\d+:)?(\d+(?:\.\d+)+)/.exec(String(pkg.stdout).trim()) : null;
  return m?.[1] ?? 'unknown';
}
