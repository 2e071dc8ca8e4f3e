# bench: the `make bench` report (bench/run: every platform boots the guest
# with its in-guest nanobenchmarks; docs/bench.json and docs/bench.png) and
# `make bench-compare A=old.json B=new.json`; bench/tests/tools.sh checks
# the tools without booting anything.
BENCH_CMDS  += bench/run
CHECK_TESTS += bench/tests/tools.sh

.PHONY: bench-compare
bench-compare:
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "usage: make bench-compare A=OLD.json B=NEW.json" >&2; exit 2; }
	@bench/compare "$(A)" "$(B)"
