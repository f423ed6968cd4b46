// Package testenv decides whether a test that needs an outside service
// (a browser, a PostgreSQL server, the shared data sets) runs, skips or
// fails: it skips with a message when the service is absent, unless the
// matching ARMSFLOW_REQUIRE_* variable is set (as CI sets it), in which case
// the absence is a failure rather than a silent skip.
package testenv

import (
	"os"
	"testing"
)

// Names of the variables that turn a skip into a failure.
const (
	RequireBrowser  = "ARMSFLOW_REQUIRE_BROWSER"
	RequirePostgres = "ARMSFLOW_REQUIRE_POSTGRES"
	RequireWrk      = "ARMSFLOW_REQUIRE_WRK" // the wrk HTTP load generator
)

// Missing reports a missing service: t.Fatalf when the variable named by
// require is set to a non-empty value, t.Skipf otherwise.
func Missing(t testing.TB, require, format string, args ...any) {
	t.Helper()
	if os.Getenv(require) != "" {
		t.Fatalf("required by %s: "+format, append([]any{require}, args...)...)
	}
	t.Skipf(format, args...)
}
