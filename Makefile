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
	@npm run --silent bench:qm-throughput

clean:
	rm -rf .cascade dist
