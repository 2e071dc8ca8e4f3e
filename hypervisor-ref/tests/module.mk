# hypervisor-ref/tests: Check units (plain and sanitized) over the fake
# backend, the bad-input script and the end-to-end payloads on hvm.
HV_TESTDIR   := $(BUILD)/hv-tests
# Everything in vmi-run except main and the backends: what the units link.
HV_UNIT_LIB  := $(filter-out $(HV)/backends.c $(HV)/backends/%,$(VMIRUN_SRCS)) $(HV)/tests/fake.c
HV_UNITS     := dispatch_test devices_test loader_test walk_test
HV_UNIT_BINS := $(foreach t,$(HV_UNITS),$(HV_TESTDIR)/$(t) $(HV_TESTDIR)/$(t)-san)

$(HV_TESTDIR)/%: $(call HV_OBJ,$(HV)/tests/%.c $(HV_UNIT_LIB))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(VMIRUN_LIBS) $(CHECK_LIBS)
$(HV_TESTDIR)/%-san: $(call HV_SAN_OBJ,$(HV)/tests/%.c $(HV_UNIT_LIB))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(VMIRUN_LIBS) $(CHECK_LIBS)

# The unit objects need Check's headers.
$(BUILD)/hv/$(HV)/tests/%.o: HV_CFLAGS += $(CHECK_CFLAGS)

ALL_TARGETS += $(HV_UNIT_BINS)
CHECK_TESTS += $(HV_UNIT_BINS)

# Payloads: nasm + ld with payload.ld (segments at 1 MiB, none below).
HV_PAYLOADS := $(addprefix $(BUILD)/hv-tests/payloads/,mb32.elf triple.elf exit0.elf calls.elf halt.elf)
HV_PAYLOAD_LD = ld -nostdlib -static --build-id=none -z max-page-size=0x1000 \
                --no-warn-rwx-segments -T $(HV)/tests/payloads/payload.ld
$(BUILD)/hv-tests/payloads/%.elf: $(HV)/tests/payloads/%.asm $(HV)/tests/payloads/payload.ld $(HV)/tests/payloads/longmode.inc
	@mkdir -p $(@D)
	$(NASM) -w-zext-reloc -f elf32 -I $(HV)/tests/payloads/ -o $@.o $<
	$(HV_PAYLOAD_LD) -m elf_i386 -o $@ $@.o
$(BUILD)/hv-tests/payloads/triple.elf $(BUILD)/hv-tests/payloads/calls.elf \
		$(BUILD)/hv-tests/payloads/halt.elf: \
		$(BUILD)/hv-tests/payloads/%.elf: $(HV)/tests/payloads/%.asm $(HV)/tests/payloads/payload.ld
	@mkdir -p $(@D)
	$(NASM) -f elf64 -o $@.o $<
	$(HV_PAYLOAD_LD) -o $@ $@.o

ALL_TARGETS += $(HV_PAYLOADS)
CHECK_TESTS += $(HV)/tests/badinput.sh $(HV)/tests/e2e.sh
BENCH_CMDS  += $(HV)/bench.py
