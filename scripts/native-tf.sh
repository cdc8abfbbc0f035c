#!/usr/bin/env bash
# make native-tf: native TensorFlow for the ML surrogates (activities/ml/backend.ts then picks tfjs-node).
#
# @tensorflow/tfjs-node's own install script downloads libtensorflow 2.9.1 from a host that cannot be
# reached here, so this builds the addon from source against the TensorFlow C library and headers that
# PyPI's tensorflow-cpu wheel carries (see shared/notes/native-tensorflow.md):
#   1. pip downloads the wheel into .tools/wheels (cached);
#   2. the two libraries and the C headers are unpacked into .tools/tensorflow (cached, ~850 MB);
#   3. tfjs-node is installed into node_modules WITHOUT saving it (package.json and the lock stay as
#      they are: the project keeps working, on wasm, where this is not wanted);
#   4. the package's deps/include and deps/lib point at .tools/tensorflow;
#   5. the addon is compiled (node-gyp, against the system's Node headers);
#   6. a check that TF.js runs on the 'tensorflow' backend, printing TensorFlow's version.
# Idempotent: every step is skipped when its result is already there.
#
# NOTE: `make setup` runs `npm ci` whenever package-lock.json changes, and npm ci deletes node_modules,
# taking this unsaved package with it (the cached .tools/ survive). Re-run `make native-tf` afterwards
# (about 15 s with the caches); until then backend.ts falls back to wasm and logs why.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TF_VERSION=2.21.0         # tensorflow-cpu wheel (cp311, manylinux_2_27 x86_64) holding the C API
TFJS_NODE_VERSION=4.22.0  # must equal the project's @tensorflow/tfjs-core version
WHEELS=.tools/wheels
TF_DIR=.tools/tensorflow
PKG=node_modules/@tensorflow/tfjs-node
say() { printf '\033[1mnative-tf:\033[0m %s\n' "$*"; }
die() {
  printf '\033[1mnative-tf: error:\033[0m %s\n' "$*" >&2
  exit 1
}

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "only Linux x86_64 is supported (the wheel's libraries)"
[ -d node_modules/@tensorflow/tfjs-core ] || die "node_modules is missing: run \`make setup\` first"
core_version=$(node -p "require('./node_modules/@tensorflow/tfjs-core/package.json').version")
[ "$core_version" = "$TFJS_NODE_VERSION" ] ||
  die "the project's @tensorflow/tfjs-core is $core_version, but tfjs-node $TFJS_NODE_VERSION needs $TFJS_NODE_VERSION"

# 1. the wheel
wheel=$(ls "$WHEELS"/tensorflow_cpu-"$TF_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  say "1/6 downloading tensorflow-cpu==$TF_VERSION (~274 MB) into $WHEELS"
  # the platform flags pick the same cp311 wheel whatever python3 runs pip
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_27_x86_64 "tensorflow-cpu==$TF_VERSION" -d "$WHEELS"
  wheel=$(ls "$WHEELS"/tensorflow_cpu-"$TF_VERSION"-*.whl | head -1)
else
  say "1/6 wheel cached: $wheel"
fi

# 2. the libraries and headers, unpacked once (the stamp names the wheel they came from)
if [ "$(cat "$TF_DIR/.from-wheel" 2>/dev/null)" != "$(basename "$wheel")" ]; then
  say "2/6 unpacking libtensorflow_cc, libtensorflow_framework and the C headers into $TF_DIR"
  tmp=$(mktemp -d .tools/tensorflow.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  unzip -q -o "$wheel" -d "$tmp" \
    'tensorflow/libtensorflow_cc.so.2' \
    'tensorflow/libtensorflow_framework.so.2' \
    'tensorflow/include/tensorflow/c/*' \
    'tensorflow/include/tensorflow/core/platform/ctstring*' \
    'tensorflow/include/tsl/platform/ctstring*' \
    'tensorflow/include/xla/tsl/c/*'
  mkdir -p "$tmp/out/lib"
  mv "$tmp"/tensorflow/libtensorflow_cc.so.2 "$tmp"/tensorflow/libtensorflow_framework.so.2 "$tmp/out/lib/"
  mv "$tmp/tensorflow/include" "$tmp/out/include"
  basename "$wheel" >"$tmp/out/.from-wheel"
  rm -rf "$TF_DIR"
  mv "$tmp/out" "$TF_DIR"
  rm -rf "$tmp"
  trap - EXIT
else
  say "2/6 libraries cached in $TF_DIR"
fi

# 3. tfjs-node, not saved to package.json / package-lock.json
installed=$(node -p "try { require('./$PKG/package.json').version } catch { '' }")
if [ "$installed" != "$TFJS_NODE_VERSION" ]; then
  say "3/6 npm install --no-save --ignore-scripts @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  before=$(sha256sum package.json package-lock.json)
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  [ "$(sha256sum package.json package-lock.json)" = "$before" ] ||
    die "npm changed package.json or package-lock.json: revert them (git checkout -- package.json package-lock.json)"
else
  say "3/6 @tensorflow/tfjs-node $TFJS_NODE_VERSION already in node_modules"
fi
# backend.ts needs tfjs-node to register on the project's own tfjs-core: exactly one copy may exist
copies=$(find node_modules -path '*/@tensorflow/tfjs-core/package.json' | wc -l)
if [ "$copies" != 1 ]; then
  say "    $copies copies of @tensorflow/tfjs-core: npm dedupe"
  npm dedupe --no-save --ignore-scripts --no-audit --no-fund --loglevel=error
  copies=$(find node_modules -path '*/@tensorflow/tfjs-core/package.json' | wc -l)
  [ "$copies" = 1 ] || die "still $copies copies of @tensorflow/tfjs-core in node_modules"
fi

# 4. deps/ as the addon's build and run time expect it (links into .tools/tensorflow, nothing copied)
say "4/6 linking $PKG/deps/{include,lib} to $TF_DIR"
mkdir -p "$PKG/deps/lib"
ln -sfnr "$TF_DIR/include" "$PKG/deps/include"
for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  ln -sfr "$TF_DIR/lib/$lib" "$PKG/deps/lib/$lib" # the names the addon loads from $ORIGIN/../../deps/lib
done
ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"                  # -ltensorflow
ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so" # -ltensorflow_framework
# the package's install.js skips its (unreachable) download when this file exists, so a later
# `npm rebuild` does not fail on it
ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so.2.9.1"

# 5. the addon, compiled against the system's Node headers (no header download)
addon=$(ls "$PKG"/lib/napi-v*/tfjs_binding.node 2>/dev/null | head -1 || true) # node-pre-gyp picks the N-API version
built_for="$(cat "$TF_DIR/.from-wheel") node $(node -p process.version)"
if [ -n "$addon" ] && [ "$(cat "$PKG/lib/.built-for" 2>/dev/null)" = "$built_for" ]; then
  say "5/6 addon already built: $addon"
else
  say "5/6 compiling the addon (node-gyp, ~10 s)"
  npm_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$npm_gyp" ] || die "node-gyp not found next to npm ($npm_gyp)"
  (
    cd "$PKG"
    export npm_config_nodedir=/usr npm_config_node_gyp="$npm_gyp"
    "$ROOT/node_modules/.bin/node-pre-gyp" install --build-from-source --loglevel=error >build.log 2>&1 ||
      {
        tail -30 build.log >&2
        exit 1
      }
  ) || die "the addon did not build (log: $PKG/build.log)"
  echo "$built_for" >"$PKG/lib/.built-for"
  addon=$(ls "$PKG"/lib/napi-v*/tfjs_binding.node | head -1)
fi

# 6. does TF.js run on it, through the project's tfjs-core?
say "6/6 checking the tensorflow backend"
TF_CPP_MIN_LOG_LEVEL=2 node --input-type=module -e "
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-node');
  await tf.setBackend('tensorflow');
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
  const sum = tf.matMul(tf.ones([2, 3]), tf.fill([3, 2], 2)).dataSync()[0];
  if (sum !== 6) throw new Error('wrong matrix product: ' + sum);
  console.log('native-tf: ok: tf.getBackend() = tensorflow, TensorFlow ' + tf.backend().binding.TF_Version);
"
