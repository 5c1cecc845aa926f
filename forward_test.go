package durable_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// echoObject answers with what it received, and aborts on /abort.
type echoObject struct{ state durable.State }

func (e *echoObject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/abort") {
		e.state.Abort("gone for a reason the client must not read")
		return
	}
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Object", e.state.ID().Name())
	w.Header().Add("X-Multi", "a")
	w.Header().Add("X-Multi", "b")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, "%s %s?%s %s %q", r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Client"), body)
}

func forwardingWorker() durable.Worker {
	return durable.Worker{
		Front: func(env durable.Env) http.Handler {
			ns, _ := env.Namespace("Echo")
			mux := http.NewServeMux()
			mux.HandleFunc("/to/{name}/", func(w http.ResponseWriter, r *http.Request) {
				ns.GetByName(r.PathValue("name")).ServeHTTP(w, r)
			})
			return mux
		},
		Objects: map[string]durable.Constructor{"Echo": func(state durable.State, _ durable.Env) (durable.Object, error) {
			return &echoObject{state: state}, nil
		}},
	}
}

func TestStubServeHTTPForwards(t *testing.T) {
	rt := durabletest.New(t, forwardingWorker(), &durabletest.Options{Logf: func(string, ...any) {}})
	req := httptest.NewRequest(http.MethodPut, "/to/ada/x?q=1", strings.NewReader("payload"))
	req.Header.Set("X-Client", "c")
	resp := rt.Fetch(req)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Object") != "ada" || resp.Header.Get("X-Multi") != "a, b" {
		t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
	}
	if want := `PUT /to/ada/x?q=1 c "payload"`; string(body) != want {
		t.Fatalf("body %q, want %q", body, want)
	}
}

func TestStubServeHTTPUnreachable(t *testing.T) {
	rt := durabletest.New(t, forwardingWorker(), &durabletest.Options{Logf: func(string, ...any) {}})
	resp := rt.Fetch(httptest.NewRequest(http.MethodPost, "/to/bob/abort", nil))
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(string(body), "reason") {
		t.Fatalf("got %d %q, want 502 without the reason", resp.StatusCode, body)
	}
}

func TestGetByName(t *testing.T) {
	rt := durabletest.New(t, forwardingWorker(), nil)
	ns := rt.Namespace("Echo")
	if got, want := ns.GetByName("ada").ID(), ns.IDFromName("ada"); !got.Equal(want) || got.Name() != "ada" {
		t.Fatalf("GetByName: %v, want %v", got, want)
	}
}

// TestPlacementIsLocalNoOp: jurisdictions and hints change nothing natively,
// and the namespace they return works.
func TestPlacementIsLocalNoOp(t *testing.T) {
	rt := durabletest.New(t, forwardingWorker(), nil)
	ns := rt.Namespace("Echo")
	eu, err := ns.Jurisdiction("eu")
	if err != nil {
		t.Fatal(err)
	}
	placed := eu.WithLocationHint("weur")
	if !placed.IDFromName("x").Equal(ns.IDFromName("x")) {
		t.Fatal("placement changed the ID natively")
	}
	resp, err := placed.GetByName("x").Fetch(httptest.NewRequest(http.MethodGet, "https://o/p", nil))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("fetch through a placed namespace: %v %v", resp, err)
	}
	resp.Body.Close()
}
