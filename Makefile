# Two commands for a newcomer:  make demo  |  make test
.PHONY: demo test setup lint dryrun clean

SNAKEMAKE := .venv/bin/snakemake
CORES ?= all

setup:
	bash scripts/setup.sh

demo: setup
	$(SNAKEMAKE) --profile profiles/local --cores $(CORES)

test: setup
	bash scripts/run_tests.sh

lint: setup
	$(SNAKEMAKE) --lint

dryrun: setup
	$(SNAKEMAKE) -n --quiet

clean:
	rm -rf results resources/simulated .snakemake
