package durabletest_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/internal/conformance"
)

const conformanceConfig = "../internal/conformance/worker/wrangler.jsonc"

// newConformance runs the conformance Worker natively, bound as its wrangler
// configuration binds it on workerd.
func newConformance(t *testing.T) *durabletest.Runtime {
	t.Helper()
	opts, err := durabletest.OptionsFromConfig(conformanceConfig)
	if err != nil {
		t.Fatal(err)
	}
	var rt *durabletest.Runtime
	rt = durabletest.New(t, conformance.Worker(conformance.Config{
		Restart: func(_ context.Context, binding string, id durable.ID) error {
			rt.RestartObject(binding, id)
			return nil
		},
	}), opts)
	return rt
}

func getJSON(t *testing.T, rt *durabletest.Runtime, method, path string, v any) int {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(method, path, nil))
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, body, err)
	}
	return resp.StatusCode
}

// TestConformance runs every conformance scenario through the conformance
// Worker's HTTP protocol, exactly as the end-to-end tests run them on workerd.
func TestConformance(t *testing.T) {
	rt := newConformance(t)
	var list struct {
		Count     int `json:"count"`
		Scenarios []struct {
			Name  string `json:"name"`
			Steps int    `json:"steps"`
		} `json:"scenarios"`
	}
	getJSON(t, rt, http.MethodGet, "/scenarios", &list)
	t.Logf("conformance: %d scenarios", list.Count)
	want := scenarioFile(t)
	listed := make([]string, len(list.Scenarios))
	for i, s := range list.Scenarios {
		listed[i] = s.Name
	}
	if list.Count != len(listed) || !slices.Equal(listed, want) {
		t.Fatalf("the conformance Worker lists %d scenarios, %s lists %d: they must be the same set", len(listed), scenarioFilePath, len(want))
	}
	// Every scenario must run and pass here, as e2e/conformance.test.mjs
	// requires on workerd: together they hold both runtimes to one set.
	var mu sync.Mutex
	passed := map[string]bool{}
	t.Cleanup(func() {
		if subtestsFiltered() {
			t.Logf("-run or -skip selects some scenarios: not checking that all of them ran")
			return
		}
		var missing []string
		for _, name := range want {
			if !passed[name] {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d scenarios of %s did not run and pass natively: %v", len(missing), scenarioFilePath, missing)
		}
	})
	for _, s := range list.Scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			var rep conformance.Report
			if status := getJSON(t, rt, http.MethodPost, "/run/"+s.Name, &rep); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			for _, line := range rep.Log {
				t.Log(line)
			}
			if !rep.Passed || rep.Steps != s.Steps {
				t.Errorf("scenario failed (%d steps)", rep.Steps)
				return
			}
			mu.Lock()
			passed[s.Name] = true
			mu.Unlock()
		})
	}
}

// scenarioFilePath lists every scenario name, one a line: the set both
// runtimes must run (internal/conformance keeps it in step with the registry).
const scenarioFilePath = "../internal/conformance/scenarios.txt"

func scenarioFile(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(scenarioFilePath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// subtestsFiltered reports whether -run or -skip may have left some
// scenarios out on purpose.
func subtestsFiltered() bool {
	run, skip := flag.Lookup("test.run"), flag.Lookup("test.skip")
	return (run != nil && strings.Contains(run.Value.String(), "/")) || (skip != nil && skip.Value.String() != "")
}

func TestConformanceUnknownScenario(t *testing.T) {
	rt := newConformance(t)
	var out map[string]string
	if status := getJSON(t, rt, http.MethodPost, "/run/no/such/scenario", &out); status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", status)
	}
}
