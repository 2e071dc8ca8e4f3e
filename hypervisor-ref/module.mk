# hypervisor-ref: vmi-run, the reference hypervisor (README.md here).
# A backend adds itself from hypervisor-ref/backends/<name>/module.mk by
# appending to VMIRUN_SRCS (and VMIRUN_LIBS); a device is one .c file in
# devices/ and one word in VMIRUN_DEVICES.
HV            := hypervisor-ref
VMIRUN        := $(BUILD)/vmi-run
VMIRUN_DEVICES := uart debug_exit reset rtc pic pit
VMIRUN_CORE   := vm run iothread walk dispatch hc_cpu hc_desc hc_mmu hc_time gen/dispatch \
                 boot bzimage multiboot rom backends
VMIRUN_SRCS   := $(addprefix $(HV)/,$(addsuffix .c,$(VMIRUN_CORE))) \
                 $(addprefix $(HV)/devices/,$(addsuffix .c,$(VMIRUN_DEVICES))) \
                 $(wildcard $(HV)/backends/hvm/*.c) vmi-rom/romcheck.c
VMIRUN_LIBS   := -lelf -lpthread
HV_CFLAGS     := -I$(HV) -Ivmi-rom -MMD -MP

-include $(wildcard $(HV)/backends/*/module.mk)

HV_OBJ     = $(patsubst %.c,$(BUILD)/hv/%.o,$(patsubst %.S,$(BUILD)/hv/%.o,$(1)))
HV_SAN_OBJ = $(patsubst %.c,$(BUILD)/hv-san/%.o,$(patsubst %.S,$(BUILD)/hv-san/%.o,$(1)))

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HV_CFLAGS) -c -o $@ $<
$(BUILD)/hv/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HV_CFLAGS) -c -o $@ $<
$(BUILD)/hv-san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(HV_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<
$(BUILD)/hv-san/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(HV_CFLAGS) -c -o $@ $<

$(VMIRUN): $(call HV_OBJ,$(HV)/main.c $(VMIRUN_SRCS)) $(BUILD)/.gen-ok
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(VMIRUN_LIBS)

ALL_TARGETS += $(VMIRUN)

-include $(shell find $(BUILD)/hv $(BUILD)/hv-san -name '*.d' 2>/dev/null)
