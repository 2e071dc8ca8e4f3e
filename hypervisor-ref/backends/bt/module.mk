# backends/bt: the binary-translation core and its tests.
BT_DIR  := hypervisor-ref/backends/bt
BT_SRCS := $(addprefix $(BT_DIR)/,cpu.c cache.c translate.c mmu.c except.c operand.c \
	helpers.c string.c sys.c transfer.c run.c memop.c syscall.c)
BT_ASM  := $(BT_DIR)/entry.S
BT_OUT  := $(BUILD)/bt
BT_LIBS := -lZydis
BT_CFLAGS = $(CFLAGS) -I$(BT_DIR)

$(BT_OUT)/libbt.a: $(patsubst $(BT_DIR)/%.c,$(BT_OUT)/%.o,$(BT_SRCS)) $(BT_OUT)/entry.o
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BT_OUT)/libbt-san.a: $(patsubst $(BT_DIR)/%.c,$(BT_OUT)/san/%.o,$(BT_SRCS)) $(BT_OUT)/entry.o
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BT_OUT)/%.o: $(BT_DIR)/%.c $(wildcard $(BT_DIR)/*.h)
	@mkdir -p $(@D)
	$(CC) $(BT_CFLAGS) -c -o $@ $<

$(BT_OUT)/san/%.o: $(BT_DIR)/%.c $(wildcard $(BT_DIR)/*.h)
	@mkdir -p $(@D)
	$(CC) $(BT_CFLAGS) $(SANFLAGS) -c -o $@ $<

$(BT_OUT)/entry.o: $(BT_DIR)/entry.S $(BT_DIR)/cpu.h
	@mkdir -p $(@D)
	$(CC) -I$(BT_DIR) -c -o $@ $<

ALL_TARGETS += $(BT_OUT)/libbt.a

BT_TEST_SRCS := $(BT_DIR)/tests/gen.c $(BT_DIR)/tests/diff.c

$(BT_OUT)/bt-fuzz: $(BT_DIR)/tests/fuzz.c $(BT_TEST_SRCS) $(BT_OUT)/libbt.a $(wildcard $(BT_DIR)/tests/*.h)
	$(CC) $(BT_CFLAGS) -o $@ $(filter %.c,$^) $(BT_OUT)/libbt.a -lunicorn -lZydis

ALL_TARGETS += $(BT_OUT)/bt-fuzz

.PHONY: fuzz bt-fuzz
fuzz: bt-fuzz
bt-fuzz: $(BT_OUT)/bt-fuzz
	$(BT_OUT)/bt-fuzz --cases 200000 --seed $$(date +%s)
	$(BT_OUT)/bt-fuzz --cases 20000 --length 300 --seed $$(date +%s)
	$(BT_OUT)/bt-fuzz --bits 32 --cases 100000 --seed $$(date +%s)
	$(BT_OUT)/bt-fuzz --garbage --cases 200000 --seed $$(date +%s)

# Check units: plain and sanitized.
$(BT_OUT)/bt_test: $(BT_DIR)/tests/bt_test.c $(BT_TEST_SRCS) $(BT_OUT)/libbt.a $(wildcard $(BT_DIR)/tests/*.h)
	$(CC) $(BT_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c,$^) $(BT_OUT)/libbt.a -lunicorn -lZydis $(CHECK_LIBS)
$(BT_OUT)/bt_test-san: $(BT_DIR)/tests/bt_test.c $(BT_TEST_SRCS) $(BT_OUT)/libbt-san.a $(wildcard $(BT_DIR)/tests/*.h)
	$(CC) $(BT_CFLAGS) $(SANFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c,$^) $(BT_OUT)/libbt-san.a -lunicorn -lZydis $(CHECK_LIBS)

ALL_TARGETS += $(BT_OUT)/bt_test $(BT_OUT)/bt_test-san
CHECK_TESTS += $(BT_OUT)/bt_test $(BT_OUT)/bt_test-san

# Into vmi-run (hypervisor-ref/module.mk builds VMIRUN_SRCS).
VMIRUN_SRCS += $(BT_SRCS) $(BT_ASM) $(BT_DIR)/bt_backend.c $(BT_DIR)/bt_probe.c \
	hypervisor-ref/devices/lapic.c
VMIRUN_LIBS += -lZydis

# make bench: the compute loop on bt and QEMU TCG, and the conformance time.
$(BT_OUT)/loop.elf: $(BT_DIR)/bench/loop.asm $(HV)/tests/payloads/payload.ld $(HV)/tests/payloads/longmode.inc
	@mkdir -p $(@D)
	$(NASM) -w-zext-reloc -f elf32 -I $(HV)/tests/payloads/ -o $@.o $<
	ld -m elf_i386 -nostdlib -static --build-id=none -z max-page-size=0x1000 \
		--no-warn-rwx-segments -T $(HV)/tests/payloads/payload.ld -o $@ $@.o
ALL_TARGETS += $(BT_OUT)/loop.elf
# The per-event costs direct execution of user code through ptrace would pay.
$(BT_OUT)/direct-exec-cost: $(BT_DIR)/bench/direct-exec-cost.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<
$(BT_OUT)/loop-native: $(BT_DIR)/bench/loop-native.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<
ALL_TARGETS += $(BT_OUT)/direct-exec-cost $(BT_OUT)/loop-native
BENCH_CMDS += $(BT_DIR)/bench/bench.sh

# devices/lapic.c units (the vm timer and MMIO calls are stubbed in the test).
LAPIC_TEST_SRCS := $(HV)/devices/lapic_test.c $(HV)/devices/lapic.c
$(BT_OUT)/lapic_test: $(LAPIC_TEST_SRCS) $(HV)/devices/lapic.h $(HV)/vm.h
	$(CC) $(CFLAGS) -I$(HV) -I$(HV)/devices $(CHECK_CFLAGS) -o $@ $(LAPIC_TEST_SRCS) $(CHECK_LIBS)
$(BT_OUT)/lapic_test-san: $(LAPIC_TEST_SRCS) $(HV)/devices/lapic.h $(HV)/vm.h
	$(CC) $(CFLAGS) $(SANFLAGS) -I$(HV) -I$(HV)/devices $(CHECK_CFLAGS) -o $@ $(LAPIC_TEST_SRCS) $(CHECK_LIBS)
ALL_TARGETS += $(BT_OUT)/lapic_test $(BT_OUT)/lapic_test-san
CHECK_TESTS += $(BT_OUT)/lapic_test $(BT_OUT)/lapic_test-san
CHECK_TESTS += $(BT_DIR)/tests/e2e.sh
