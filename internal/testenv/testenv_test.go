package testenv

import "testing"

type recorder struct {
	testing.TB
	fatal, skip bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.fatal = true }
func (r *recorder) Skipf(string, ...any)  { r.skip = true }

func TestMissing(t *testing.T) {
	t.Setenv("ARMSFLOW_REQUIRE_X", "")
	r := &recorder{}
	Missing(r, "ARMSFLOW_REQUIRE_X", "no %s", "x")
	if !r.skip || r.fatal {
		t.Fatalf("unset: skip=%v fatal=%v, want a skip", r.skip, r.fatal)
	}
	t.Setenv("ARMSFLOW_REQUIRE_X", "1")
	r = &recorder{}
	Missing(r, "ARMSFLOW_REQUIRE_X", "no %s", "x")
	if !r.fatal {
		t.Fatal("set: want a failure")
	}
}
