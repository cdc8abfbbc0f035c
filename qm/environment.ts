/**
 * The environment QM codes run with (the runner's calculations, version probes): an allow-list, so that a
 * worker's secrets never reach a code.
 */

/**
 * What a code inherits from the worker's environment: the basics a program needs to run (PATH, HOME, locale,
 * TMPDIR, the loader path a site's module system set), and the variables of the codes and libraries cascade
 * runs (OpenMP, BLAS, MPI, xtb, NWChem, Elk, gfortran). Nothing else: a worker's environment holds the
 * Temporal API key, TLS key paths and cascade's own settings, and a code (or a described code's input) has no
 * business reading them. `CASCADE_CODE_ENV` (comma-separated names) lets a site pass more, e.g. a licence
 * server variable; names that look like secrets are never passed, whoever asks.
 */
const INHERITED_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'LD_LIBRARY_PATH',
]);
const INHERITED_PREFIXES = [
  'LC_',
  'OMP_',
  'GOMP_',
  'KMP_',
  'OPENBLAS_',
  'MKL_',
  'BLIS_',
  'OMPI_',
  'PMIX_',
  'XTB',
  'NWCHEM_',
  'ELK_',
  'GFORTRAN_',
];
const NEVER_INHERITED =
  /^(TEMPORAL_|CASCADE_)|(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_TLS_|_CERT|_KEY$)/i;

/** The environment a code runs with: the allow-listed part of `parent`, then the code's own variables. */
export function codeEnvironment(
  own: Readonly<Record<string, string>>,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const extra = new Set(
    (parent.CASCADE_CODE_ENV ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || NEVER_INHERITED.test(name)) continue;
    if (INHERITED_NAMES.has(name) || extra.has(name) || INHERITED_PREFIXES.some((p) => name.startsWith(p)))
      env[name] = value;
  }
  return { ...env, ...own };
}
