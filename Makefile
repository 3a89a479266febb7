# The two commands the README promises. Both set up what they need first (deploy/bootstrap.sh).
.PHONY: demo test lint setup
ARGS ?=

setup:
	@deploy/bootstrap.sh

demo: setup
	.venv/bin/sekisho demo $(ARGS)

test: setup
	.venv/bin/python -m pytest $(ARGS)

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
