# Targets for building and checking nftopt. `make test` includes the kernel
# tests in tests/kernel, which need root (they run in throwaway network
# namespaces); without root they skip, unless CI is set.

GO ?= go

.PHONY: build test bench lint fuzz cover clean

build:
	$(GO) build -o bin/nftopt ./cmd/nftopt

test:
	$(GO) test -count=1 ./...

# GOGC=400 is the collector setting nftopt itself uses (cmd/nftopt/gc.go).
bench:
	GOGC=400 $(GO) test -timeout 0 -run '^$$' -bench . -benchtime=1x -benchmem ./tests/bench/...

lint:
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt -l: these files are not formatted:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...
	GOARCH=arm $(GO) vet ./...   # 32-bit routers (OpenWrt) run nft too

fuzz:
	$(GO) test -run '^$$' -fuzz=FuzzParse -fuzztime=30s ./parser

cover:
	$(GO) test -count=1 -coverpkg=./... -coverprofile=cover.out ./...
	$(GO) tool cover -func=cover.out | tail -n 1

clean:
	rm -rf bin cover.out
