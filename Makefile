# The two commands a newcomer needs: `make demo` and `make test`. Both run `setup` first and are idempotent.
.PHONY: setup demo test test-unit lint typecheck bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	@npx vitest run

test-unit: setup
	@npx vitest run test/unit

lint:
	@npx biome check .

typecheck:
	@npx tsc -p tsconfig.json --noEmit

bench: setup
	@bash scripts/bench-setup.sh
	@npm run --silent bench:qm-throughput
	@npm run --silent bench:qrf
	@npm run --silent bench:screen
	@npm run --silent bench:featurize
	@npm run --silent bench:lbe
	@npm run --silent bench:cbs-escalation
	@npm run --silent bench:sa
	@npm run --silent bench:al

# Native TensorFlow for the ML surrogates (tfjs-node built against the tensorflow-cpu wheel's C library),
# then its test. Not saved to package.json; once built, `make setup` restores it after npm ci.
.PHONY: native-tf
native-tf:
	@bash scripts/native-tf.sh
	@CASCADE_NATIVE_TF=1 TF_CPP_MIN_LOG_LEVEL=2 npx vitest run test/integration/native-tf.test.ts

clean:
	rm -rf .cascade dist
