# with-kvm: tests and benchmark of scripts/with-kvm (tests/with-kvm/README.md).
WITHKVM_SMOKE := $(BUILD)/with-kvm/kvm-smoke
ALL_TARGETS   += $(WITHKVM_SMOKE)
CHECK_TESTS   += tests/with-kvm/test-with-kvm.sh
BENCH_CMDS    += tests/with-kvm/bench.sh

# Static, so the throwaway VM needs nothing but the binary.
$(WITHKVM_SMOKE): tests/with-kvm/kvm-smoke.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $<
