package conformance

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite scenarios.txt from the registry")

// scenarioFile lists every scenario name, one a line, sorted: the set both
// runtimes must run (durabletest's TestConformance and
// e2e/conformance.test.mjs each check they ran exactly these).
const scenarioFile = "scenarios.txt"

func TestScenarioFileMatchesRegistry(t *testing.T) {
	var b strings.Builder
	for _, s := range Scenarios() {
		b.WriteString(s.Name + "\n")
	}
	if *update {
		if err := os.WriteFile(scenarioFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != b.String() {
		t.Fatalf("%s does not list the registered scenarios; after adding or renaming one, run\n\tgo test ./internal/conformance -update\nand commit the file", scenarioFile)
	}
}
