# guest-lib: the freestanding x86-64 runtime of the test kernels (probe/,
# conformance/). Kernels link $(GUEST_LIB_OBJS) with guest-lib/guest.ld and
# turn the ELF64 into the ELF32 that QEMU's multiboot loader requires
# ($(call guest_kernel,...) below). Kernels in directories sorted before
# guest-lib/ include this file first; the guard makes that idempotent.
ifndef GUEST_LIB_MK
GUEST_LIB_MK := 1
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin -nostdlib \
	-fno-pic -fno-pie -mno-red-zone -mcmodel=small -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-Iinclude -Iguest-lib -Ivmi-rom
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T guest-lib/guest.ld

GUEST_LIB_SRCS := $(wildcard guest-lib/*.c guest-lib/*.S) vmi-rom/romcheck.c
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(GUEST_LIB_SRCS))
GUEST_HDRS := $(wildcard guest-lib/*.h) include/vmi/abi.h vmi-rom/romcheck.h

$(BUILD)/guest/%.c.o: %.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/%.S.o: %.S $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# $(call guest_kernel,OUTPUT.elf,OBJECTS): link, then ELF64 -> ELF32.
define guest_kernel
	@mkdir -p $(dir $(1))
	ld $(GUEST_LDFLAGS) -o $(1).64 $(2)
	objcopy -O elf32-i386 $(1).64 $(1)
endef
endif
