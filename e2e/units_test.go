package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/internal/testenv"
)

// TestFrontendUnits runs the frontend's unit tests (static/test, node's
// built-in runner: the URL state, the live client and data version,
// presenter rooms) so `go test ./...` covers them.
func TestFrontendUnits(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, testenv.RequireBrowser, "node not found: frontend unit tests skipped")
	}
	cmd := exec.Command(node, "--test", "static/test/")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if strings.HasPrefix(line, "# tests") || strings.HasPrefix(line, "# pass") || strings.HasPrefix(line, "# fail") || strings.HasPrefix(line, "not ok") {
			t.Log(line)
		}
	}
	if err != nil {
		t.Fatalf("node --test static/test/: %v\n%s", err, out)
	}
}
