# Two commands for a newcomer:  make demo  |  make test
.PHONY: demo test validate confirm setup lint dryrun clean

SNAKEMAKE := .venv/bin/snakemake
CORES ?= all

setup:
	bash scripts/setup.sh

demo: setup
	$(SNAKEMAKE) --profile profiles/local --cores $(CORES)

test: setup
	bash scripts/run_tests.sh

# the larger simulated run behind the model-level checks (config/validation.yaml; docs/results.md, "Validation run")
validate: setup
	$(SNAKEMAKE) --profile profiles/local --cores $(CORES) --configfile config/config.yaml config/validation.yaml

# the confirmation run: a fresh cross and grammar never used in development, frozen settings, run once
# (config/confirm.yaml; docs/results.md, "Confirmation run")
confirm: setup
	$(SNAKEMAKE) --profile profiles/local --cores $(CORES) --configfile config/config.yaml config/confirm.yaml

lint: setup
	$(SNAKEMAKE) --lint

dryrun: setup
	$(SNAKEMAKE) -n --quiet

clean:
	rm -rf results resources/simulated .snakemake
