# vmi-spec: the call table and its generator. The generated files are
# committed; the test regenerates them in memory and fails when one is stale
# or was edited by hand.
CHECK_TESTS += vmi-spec/test-gen.sh
