# vmi-rom: both ROMs from one source; vmi-romtool seals and checks them.
ROM_NATIVE    := $(BUILD)/vmi-native.rom
ROM_HYPERCALL := $(BUILD)/vmi-hypercall.rom
ALL_TARGETS   += $(ROM_NATIVE) $(ROM_HYPERCALL)

$(BUILD)/vmi-native.rom: vmi-rom/rom.asm vmi-rom/gen/slots.inc $(BUILD)/vmi-romtool $(BUILD)/.gen-ok
	@mkdir -p $(BUILD)
	$(NASM) -f bin -I vmi-rom/gen/ -o $@.tmp $<
	$(BUILD)/vmi-romtool seal $@.tmp
	$(BUILD)/vmi-romtool validate $@.tmp
	@mv $@.tmp $@

$(BUILD)/vmi-hypercall.rom: vmi-rom/rom.asm vmi-rom/gen/slots.inc $(BUILD)/vmi-romtool $(BUILD)/.gen-ok
	@mkdir -p $(BUILD)
	$(NASM) -f bin -DVMI_HYPERCALL_ROM -I vmi-rom/gen/ -o $@.tmp $<
	$(BUILD)/vmi-romtool seal $@.tmp
	$(BUILD)/vmi-romtool validate $@.tmp
	@mv $@.tmp $@
