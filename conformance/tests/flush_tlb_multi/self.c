/*
 * Spec 6, flush_tlb_multi: "Flush a range of translations on every vCPU in
 * the mask, the caller's included, before returning. More than 4096 vCPUs
 * gives EINVAL." reloc none in the native ROM (needs IPIs).
 * Correct: with a mask of this vCPU only, a remap in the range is seen
 * after the call; ncpus 4097 gives VMI_EINVAL.
 * Probe: remap_without_flush, flush [va, va + 4 KiB), read; then the
 * refusal.
 */
#include "test.h"
#include "remap.h"

TEST(flush_tlb_multi, "the caller's range is flushed; 4097 vCPUs refused")
{
	static u64 mask[65];
	u64 va = SCRATCH_VA + 0xb000, v = 0;
	s64 r;

	REQUIRE_CALL(VMI_CALL_FLUSH_TLB_MULTI);
	env__scratch();
	mask[0] = 1;
	CHECK(!remap_without_flush(va, 0, mem__page(), mem__page()), "the first mapping did not work");
	r = vmi_flush_tlb_multi(env__pa(mask), 1, va, va + PAGE_SIZE);
	CHECK(r == 0, "result %ld", r);
	CHECK(env__read64(va, &v) < 0 && v == 0xbbbb, "read %#lx, want 0xbbbb", v);
	r = vmi_flush_tlb_multi(env__pa(mask), 4097, 0, ~0ull);
	CHECK(r == VMI_EINVAL, "4097 vCPUs: result %ld, want %d", r, VMI_EINVAL);
}
