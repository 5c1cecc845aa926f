package durabletest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
		Restart: func(_ context.Context, id durable.ID) error {
			rt.RestartObject(conformance.ScenarioBinding, id)
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
	if list.Count != len(list.Scenarios) || list.Count < 60 {
		t.Fatalf("the suite lists %d scenarios (%d entries); want 60 or more", list.Count, len(list.Scenarios))
	}
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
			}
		})
	}
}

func TestConformanceUnknownScenario(t *testing.T) {
	rt := newConformance(t)
	var out map[string]string
	if status := getJSON(t, rt, http.MethodPost, "/run/no/such/scenario", &out); status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", status)
	}
}
