# jobordre: `make run` starts everything on embedded defaults; `make test` runs every test.
GO        ?= go
BIN       ?= bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Test timeout: the first build of the Temporal server packages takes ~10 minutes on 2 cores.
TEST_FLAGS ?= -count=1 -timeout 20m

.PHONY: run test test-go test-browser screenshots check-size check-production lint tools workflowcheck histories build build-production bench bench-console bench-kpi bench-candidates bench-load fuzz fmt vet clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: ## run the whole service on embedded defaults (Temporal, Web UI :8233, worker, API :8080)
	$(GO) run ./cmd/jobordre dev

test: check-size vet lint workflowcheck test-go check-production test-browser ## run every test (needs PostgreSQL server binaries or TEST_DATABASE_URL, Chromium and npm for the browser tests)

# The integration tests assert that reminders arrive within 2 s of their due time; they run on
# their own, after the other packages, so a parallel package cannot starve their timers.
test-go:
	$(GO) test $(TEST_FLAGS) $$($(GO) list ./... | grep -v /internal/integration)
	$(GO) test $(TEST_FLAGS) ./internal/integration/

check-size: ## fail on any tracked file over 5 MB that is not test data (under testdata/)
	@bash .ci/check-size

vet: ## go vet
	$(GO) vet ./...

# The linters are pinned in their own module (.ci/tools/go.mod, `tool` directives), so their
# dependencies never enter the application's go.mod; .ci/run downloads that module up front.
LINT_BIN := $(BIN)/tools

tools: ## build the pinned linters (staticcheck, revive) into bin/tools
	$(GO) -C .ci/tools build -o $(CURDIR)/$(LINT_BIN)/ honnef.co/go/tools/cmd/staticcheck github.com/mgechev/revive

lint: tools ## staticcheck (its default checks) and revive's doc-comment rule (.ci/revive.toml)
	$(LINT_BIN)/staticcheck ./...
	$(LINT_BIN)/revive -config .ci/revive.toml -set_exit_status ./...

workflowcheck: ## static determinism check of the workflow code
	$(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0 ./workflows/...

# The console's browser tests (web/e2e): Playwright drives Debian's Chromium (/usr/bin/chromium,
# or CHROMIUM_PATH) against a real `jobordre dev` stack started by web/e2e/global-setup.js. The
# binary is built without -trimpath so it reuses the test build's cache (only the link is new).
E2E_BIN := $(BIN)/jobordre-e2e

test-browser: ## browser tests of the console: Playwright + Chromium against a real jobordre dev, axe-core on every page
	$(GO) build -o $(E2E_BIN) ./cmd/jobordre
	@test -d web/e2e/node_modules || (cd web/e2e && npm ci --no-audit --no-fund)
	cd web/e2e && JOBORDRE_BIN=$(CURDIR)/$(E2E_BIN) npx playwright test

screenshots: ## re-take docs/console/*.png (1280 px and 320 px) from the browser tests
	$(GO) build -o $(E2E_BIN) ./cmd/jobordre
	@test -d web/e2e/node_modules || (cd web/e2e && npm ci --no-audit --no-fund)
	cd web/e2e && JOBORDRE_BIN=$(CURDIR)/$(E2E_BIN) SCREENSHOT_DIR=$(CURDIR)/docs/console npx playwright test

histories: ## re-record the replay histories in workflows/testdata from the integration scenarios
	JOBORDRE_WRITE_HISTORIES=1 $(GO) test -count=1 -run . ./internal/integration/

# The check builds with the production tag only (not -trimpath/CGO_ENABLED=0), so it reuses the
# test build's cache; the link set is decided by the tag, which is what it checks.
check-production: ## prove the production binary links no Temporal server code and has no dev or webhook-receiver subcommand
	$(GO) build -tags production -o $(BIN)/jobordre-production-check ./cmd/jobordre
	@if $(GO) version -m $(BIN)/jobordre-production-check | grep -q 'go.temporal.io/server'; then \
		echo "FAIL: the production binary contains go.temporal.io/server"; exit 1; \
	else \
		echo "ok: the production binary contains no go.temporal.io/server package"; \
	fi
	@if $(BIN)/jobordre-production-check dev --help >/dev/null 2>&1; then \
		echo "FAIL: the production binary still has the dev subcommand"; exit 1; \
	else \
		echo "ok: the production binary has no dev subcommand"; \
	fi
	@if $(BIN)/jobordre-production-check webhook-receiver --help >/dev/null 2>&1; then \
		echo "FAIL: the production binary still has the webhook-receiver subcommand"; exit 1; \
	elif $(GO) list -tags production -deps ./cmd/jobordre | grep -qx 'jobordre/internal/webhooks/receiver'; then \
		echo "FAIL: the production binary links the reference webhook receiver"; exit 1; \
	else \
		echo "ok: the production binary has no webhook-receiver subcommand and links no receiver"; \
	fi
	@if $(GO) list -tags production -f '{{join .GoFiles " "}}' ./web | grep -qw devlogin.go; then \
		echo "FAIL: the production build of the console contains the dev login"; exit 1; \
	else \
		echo "ok: the production build of the console has no dev login (web/devlogin.go)"; \
	fi

build: ## build bin/jobordre with the dev stack
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/jobordre ./cmd/jobordre

build-production: ## build bin/jobordre-production as the Dockerfile does (-tags production)
	CGO_ENABLED=0 $(GO) build -tags production -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/jobordre-production ./cmd/jobordre

bench: ## run the benchmarks and print a table, then the candidate-search (bench-candidates) and key-figure (bench-kpi) benchmarks
	@mkdir -p $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./... > $(BIN)/bench.txt
	@awk 'BEGIN {printf "%-58s %14s %12s %12s\n", "benchmark", "ns/op", "B/op", "allocs/op"} \
		/^Benchmark/ {printf "%-58s %14s %12s %12s\n", $$1, $$3, $$5, $$7}' $(BIN)/bench.txt
	@$(MAKE) --no-print-directory bench-console
	@$(MAKE) --no-print-directory bench-candidates
	@$(MAKE) --no-print-directory bench-kpi

# The console benchmark (web/consolebench_test.go, build tag consolebench, so `make test` never
# runs it): the inbox and the order list of a job centre with CONSOLE_BENCH_ORDERS open orders
# in a throwaway PostgreSQL (pgtest), rendered by the real handlers through httptest with a
# logged-in session; p50/p95/p99 against the p95 goal of 50 ms (under a minute).
CONSOLE_BENCH_ORDERS ?= 10000

bench-console: ## inbox and order list of a job centre with CONSOLE_BENCH_ORDERS (default 10000) open orders: p50/p95/p99
	@mkdir -p $(BIN) && rm -f $(BIN)/console-bench.txt
	CONSOLE_BENCH_ORDERS=$(CONSOLE_BENCH_ORDERS) CONSOLE_BENCH_REPORT=$(CURDIR)/$(BIN)/console-bench.txt \
		$(GO) test -tags consolebench -run '^TestConsoleBenchmark$$' -count 1 -timeout 30m -v ./web/ > /dev/null
	@cat $(BIN)/console-bench.txt

# The candidate-search benchmark (internal/candidates/searchbench_test.go, build tag
# candidatebench, so `make test` never runs it): seeds CANDIDATE_BENCH_CANDIDATES synthetic
# candidates with Danish CVs into a throwaway PostgreSQL (pgtest), times search and suggestions
# through the real HTTP API and prints p50/p95/p99 against the p95 goal of 50 ms (about 2 minutes).
CANDIDATE_BENCH_CANDIDATES ?= 200000

bench-candidates: ## candidate search and suggestions over CANDIDATE_BENCH_CANDIDATES (default 200000) candidates: HTTP p50/p95/p99
	@mkdir -p $(BIN) && rm -f $(BIN)/candidate-bench.txt
	CANDIDATE_BENCH_CANDIDATES=$(CANDIDATE_BENCH_CANDIDATES) CANDIDATE_BENCH_REPORT=$(CURDIR)/$(BIN)/candidate-bench.txt \
		$(GO) test -tags candidatebench -run '^TestCandidateSearchBenchmark$$' -count 1 -timeout 1h -v ./internal/candidates/
	@echo
	@cat $(BIN)/candidate-bench.txt

# The key-figure benchmark (internal/seed/kpibench_test.go, build tag kpibench, so `make test`
# never runs it): seeds KPI_BENCH_ORDERS synthetic orders into a throwaway PostgreSQL (pgtest),
# times the figures through the real HTTP API and naively from the source tables, checks they
# agree and prints p50/p95/p99. KPI_BENCH_DATABASE_URL reuses a database seeded before; the test
# file lists the other settings.
KPI_BENCH_ORDERS ?= 1000000

bench-kpi: ## key figures over KPI_BENCH_ORDERS (default 1000000) seeded orders: HTTP p50/p95/p99 vs naive SQL
	@mkdir -p $(BIN) && rm -f $(BIN)/kpi-bench.txt
	KPI_BENCH_ORDERS=$(KPI_BENCH_ORDERS) KPI_BENCH_REPORT=$(CURDIR)/$(BIN)/kpi-bench.txt \
		$(GO) test -tags kpibench -run '^TestKPIBenchmark$$' -count 1 -timeout 3h -v ./internal/seed/
	@echo
	@cat $(BIN)/kpi-bench.txt

# The load benchmark (internal/loadbench, build tag loadbench, so `make test` never runs it): starts
# the dev stack (`jobordre dev`, bin/jobordre) and then the production shape (internal/prodshape:
# Temporal on PostgreSQL, api and two workers as separate processes), drives each over HTTP with a
# SendGrid stand-in and prints one table per stack. LOAD_BENCH_SHAPES=dev runs one; the test file
# lists the other settings. CPU profiles of every process land in bin/loadbench/.
bench-load: build ## load benchmark: raw starts, creation, commands, a 10,000-reminder burst, 100,000 open orders (docs/performance.md)
	@mkdir -p $(BIN)/loadbench && rm -f $(BIN)/loadbench/report.txt
	LOAD_BENCH_DEV_BINARY=$(CURDIR)/$(BIN)/jobordre LOAD_BENCH_PROFILE_DIR=$(CURDIR)/$(BIN)/loadbench \
		LOAD_BENCH_REPORT=$(CURDIR)/$(BIN)/loadbench/report.txt \
		$(GO) test -tags loadbench -run '^TestLoadBenchmark$$' -count 1 -timeout 4h -v ./internal/loadbench/
	@echo
	@cat $(BIN)/loadbench/report.txt

# Fuzz targets (package:Target), fuzzed one at a time by `make fuzz`; `go test` runs their seeds.
FUZZTIME ?= 20s
FUZZ_TARGETS := \
	./api:FuzzCreateJobOrderBody \
	./api:FuzzPolicyPatchBody \
	./api:FuzzCommandBodies \
	./internal/auth:FuzzHS256Verify \
	./internal/auth:FuzzOIDCVerify \
	./internal/cvr:FuzzValidNeverPanicsAndOnlyAcceptsEightDigits

fuzz: ## fuzz each target for FUZZTIME (default 20s), one at a time, print execs/s per target, fail one below 1,000 execs/s (the api ones need PostgreSQL like make test)
	@FUZZTIME=$(FUZZTIME) GO=$(GO) bash .ci/fuzz $(FUZZ_TARGETS)

fmt: ## gofmt every file
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output (not ./data)
	rm -rf $(BIN)
