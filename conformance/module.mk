# conformance: the test kernel any hypervisor vendor runs (README.md), and
# conformance/run, its harness. One test a file: tests/<call>/<what>.c.
include guest-lib/module.mk
CONF_KERNEL := $(BUILD)/conformance/conformance.elf
CONF_TESTS  := $(sort $(wildcard conformance/tests/*/*.c))
CONF_SRCS   := conformance/runner.c conformance/env.c conformance/stubs.S $(CONF_TESTS)
CONF_OBJS   := $(patsubst %,$(BUILD)/guest/%.o,$(CONF_SRCS))
ALL_TARGETS += $(CONF_KERNEL)
# vmi-run-hvm goes through scripts/with-kvm (nested KVM where the host has no
# fast one).
CHECK_TESTS += conformance/test-harness.sh conformance/test-qemu-native.sh \
	conformance/test-mutate.sh conformance/test-vmi-run-hvm.sh \
	conformance/test-vmi-run-bt.sh
BENCH_CMDS  += conformance/bench.sh

$(BUILD)/guest/conformance/%.c.o: conformance/%.c $(wildcard conformance/*.h) $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -Iconformance -c -o $@ $<

$(BUILD)/guest/conformance/%.S.o: conformance/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# The build fails when a call in the generated coverage list has no test.
$(BUILD)/conformance/.coverage-ok: conformance/gen/coverage.txt conformance/check-coverage.sh $(CONF_TESTS)
	@conformance/check-coverage.sh $@

$(CONF_KERNEL): $(CONF_OBJS) $(GUEST_LIB_OBJS) guest-lib/guest.ld $(BUILD)/conformance/.coverage-ok
	$(call guest_kernel,$@,$(filter %.o,$^))
