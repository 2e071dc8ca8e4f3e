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
