# vmi-rom: both ROMs from one source; vmi-romtool seals and checks them.
ROM_NATIVE    := $(BUILD)/vmi-native.rom
ROM_HYPERCALL := $(BUILD)/vmi-hypercall.rom
ROMTOOL       := $(BUILD)/vmi-romtool
ALL_TARGETS   += $(ROMTOOL) $(ROM_NATIVE) $(ROM_HYPERCALL)

ROM_HDRS      := include/vmi/abi.h $(wildcard vmi-rom/*.h)
# validate's library: structure (romcheck), code (romslot), both (romvalidate)
ROMVAL_SRCS   := vmi-rom/romvalidate.c vmi-rom/romslot.c vmi-rom/romcheck.c
ROMTOOL_LIBS  := -lZydis

$(ROMTOOL): vmi-rom/romtool.c $(ROMVAL_SRCS) $(ROM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ivmi-rom -o $@ $(filter %.c,$^) $(ROMTOOL_LIBS)

# nasm -DVMI_HYPERCALL_ROM for the hypercall ROM; then seal, then validate.
$(BUILD)/vmi-native.rom:    ROM_DEFS :=
$(BUILD)/vmi-hypercall.rom: ROM_DEFS := -DVMI_HYPERCALL_ROM
$(ROM_NATIVE) $(ROM_HYPERCALL): vmi-rom/rom.asm vmi-rom/gen/slots.inc $(ROMTOOL) $(BUILD)/.gen-ok
	@mkdir -p $(@D)
	$(NASM) -f bin $(ROM_DEFS) -I vmi-rom/gen/ -o $@.tmp $<
	$(ROMTOOL) seal $@.tmp
	$(ROMTOOL) validate $@.tmp
	@mv $@.tmp $@

# Tests: Check units, plain and sanitized; the mutation test over both ROMs.
ROM_TESTDIR   := $(BUILD)/vmi-rom
ROM_UNITS     := romcheck_test romslot_test
ROM_UNIT_BINS := $(foreach t,$(ROM_UNITS),$(ROM_TESTDIR)/$(t) $(ROM_TESTDIR)/$(t)-san)
ALL_TARGETS   += $(ROM_UNIT_BINS) $(ROM_TESTDIR)/mutate_test
CHECK_TESTS   += vmi-rom/test-freestanding.sh $(ROM_UNIT_BINS) $(ROM_TESTDIR)/mutate_test

$(ROM_TESTDIR)/%_test: vmi-rom/%_test.c vmi-rom/romtest.h $(ROMVAL_SRCS) $(ROM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Ivmi-rom -o $@ $< $(ROMVAL_SRCS) $(CHECK_LIBS) $(ROMTOOL_LIBS)

$(ROM_TESTDIR)/%_test-san: vmi-rom/%_test.c vmi-rom/romtest.h $(ROMVAL_SRCS) $(ROM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(CHECK_CFLAGS) -Ivmi-rom -o $@ $< $(ROMVAL_SRCS) $(CHECK_LIBS) $(ROMTOOL_LIBS)

# The mutation test reads the built ROMs and runs the built tool.
$(ROM_TESTDIR)/mutate_test: vmi-rom/mutate_test.c $(ROMVAL_SRCS) $(ROM_HDRS) | $(ROM_NATIVE) $(ROM_HYPERCALL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ivmi-rom -o $@ $< $(ROMVAL_SRCS) $(ROMTOOL_LIBS)

# `make fuzz`: libFuzzer (clang) over the validate and dump paths, seeded with
# both ROMs; FUZZ_SECONDS per run. Not part of `make check`.
FUZZ_SECONDS  ?= 120
ROM_FUZZER    := $(ROM_TESTDIR)/fuzz-romvalidate
ROM_CORPUS    := $(HOME)/.cache/vmi-x64/fuzz-romvalidate
.PHONY: fuzz rom-fuzz
fuzz: rom-fuzz

$(ROM_FUZZER): vmi-rom/fuzz_romvalidate.c $(ROMVAL_SRCS) $(ROM_HDRS)
	@mkdir -p $(@D)
	clang -O1 -g -std=gnu11 -Wall -Wextra -Werror -Iinclude -Ivmi-rom -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(ROMVAL_SRCS) $(ROMTOOL_LIBS)

rom-fuzz: $(ROM_FUZZER) $(ROM_NATIVE) $(ROM_HYPERCALL)
	@mkdir -p $(ROM_CORPUS) $(ROM_TESTDIR)/fuzz-crashes
	@cp $(ROM_NATIVE) $(ROM_HYPERCALL) $(ROM_CORPUS)/
	$(ROM_FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=131072 -print_final_stats=1 \
		-artifact_prefix=$(ROM_TESTDIR)/fuzz-crashes/ $(ROM_CORPUS)
