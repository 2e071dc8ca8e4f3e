# probe: the bare-metal proof that firmware places our ROM and its slots run.
PROBE_KERNEL := $(BUILD)/probe/probe.elf
ALL_TARGETS  += $(PROBE_KERNEL)
CHECK_TESTS  += probe/test-probe.sh

$(PROBE_KERNEL): $(BUILD)/guest/probe/probe.c.o $(GUEST_LIB_OBJS) guest-lib/guest.ld
	$(call guest_kernel,$@,$(filter %.o,$^))
