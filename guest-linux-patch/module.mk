# guest-linux-patch: the Linux 6.1 CONFIG_VMI guest (kernel built and cached
# by scripts/build-guest.sh) and its busybox initramfs.
GUEST_DIR    := $(BUILD)/linux
GUEST_KERNEL := $(GUEST_DIR)/bzImage
GUEST_INITRD := $(GUEST_DIR)/initramfs.cpio.gz
ALL_TARGETS  += $(GUEST_KERNEL) $(GUEST_INITRD)
CHECK_TESTS  += guest-linux-patch/tests/abi-header.sh guest-linux-patch/tests/boot.sh
BENCH_CMDS   += guest-linux-patch/tests/bench-boot.sh

# Always asked: the script's cache key (source, series, config) decides, and
# a hit costs well under a second and leaves $@ untouched.
$(GUEST_KERNEL): guest-linux-force
	@scripts/build-guest.sh --out $@ >/dev/null

.PHONY: guest-linux-force
guest-linux-force:

# Static, so the initramfs needs no libc.
$(GUEST_DIR)/vmi-check: guest-linux-patch/initramfs/vmi-check.c
	@mkdir -p $(GUEST_DIR)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

# The nanobenchmarks (guest=nanobench), for bench/run.
$(GUEST_DIR)/nanobench: guest-linux-patch/initramfs/nanobench.c
	@mkdir -p $(GUEST_DIR)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

$(GUEST_INITRD): guest-linux-patch/initramfs/mkinitramfs.py \
		guest-linux-patch/initramfs/init $(GUEST_DIR)/vmi-check $(GUEST_DIR)/nanobench
	$(PYTHON) guest-linux-patch/initramfs/mkinitramfs.py $@ \
		guest-linux-patch/initramfs/init $(GUEST_DIR)/vmi-check /bin/busybox \
		$(GUEST_DIR)/nanobench
