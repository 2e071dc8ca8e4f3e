# VMI-x64 top-level build. Each component adds itself from its own module.mk:
#   ALL_TARGETS   built by `make all`
#   CHECK_TESTS   programs or scripts that print TAP; `make check` runs them all
#   BENCH_CMDS    shell commands `make bench` runs in order
# Nothing here knows the components' internals.

BUILD    := build
CC       ?= gcc
NASM     ?= nasm
PYTHON   ?= python3
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -Iinclude -D_GNU_SOURCE
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

ALL_TARGETS :=
CHECK_TESTS :=
BENCH_CMDS  :=

.PHONY: all check bench run gen clean deps
all:

include $(sort $(wildcard */module.mk) $(wildcard */*/module.mk))

all: $(ALL_TARGETS)

deps:
	@scripts/deps.sh

gen:
	$(PYTHON) vmi-spec/gen.py

# The generated files are committed; this rule only complains when stale.
$(BUILD)/.gen-ok: vmi-spec/calls.toml vmi-spec/gen.py
	@mkdir -p $(BUILD)
	@$(PYTHON) vmi-spec/gen.py --check
	@touch $@

# `make run` and `make check` are the newcomer's two commands: both install
# what is missing first (silent when nothing is).
check: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-tests $(CHECK_TESTS)

bench: all
	@set -e; $(foreach c,$(BENCH_CMDS),$(c);)

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

clean:
	rm -rf $(BUILD)
