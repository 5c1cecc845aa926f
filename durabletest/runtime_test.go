package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConstructorErrorIs500AndRetried(t *testing.T) {
	var attempts atomic.Int32
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"Flaky": func(durable.State, durable.Env) (durable.Object, error) {
			if attempts.Add(1) == 1 {
				return nil, errors.New("not yet")
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), nil
		},
	}}
	rt := durabletest.New(t, w, nil)
	ns := rt.Namespace("Flaky")
	stub := ns.Get(ns.IDFromName("f"))
	resp, err := stub.Fetch(httptest.NewRequest("GET", "https://flaky/", nil))
	if err != nil {
		t.Fatal(err)
	}
	// The constructor's own error is for the log; the caller learns what failed.
	if got := body(t, resp); resp.StatusCode != 500 || !strings.Contains(got, "could not be constructed") || strings.Contains(got, "not yet") {
		t.Fatalf("first: %d %q", resp.StatusCode, got)
	}
	resp, _ = stub.Fetch(httptest.NewRequest("GET", "https://flaky/", nil))
	if got := body(t, resp); resp.StatusCode != 200 || got != "ok" || attempts.Load() != 2 {
		t.Fatalf("second: %d %q after %d attempts", resp.StatusCode, got, attempts.Load())
	}
}

// DURABLE_ERROR_DETAILS=on, as development sets it, puts the error's own text
// in the body.
func TestErrorDetailsVar(t *testing.T) {
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"Broken": func(durable.State, durable.Env) (durable.Object, error) {
			return nil, errors.New("no such table: config")
		},
	}}
	for value, detailed := range map[string]bool{"on": true, "off": false, "": false, "maybe": false} {
		rt := durabletest.New(t, w, &durabletest.Options{Vars: map[string]string{"DURABLE_ERROR_DETAILS": value}, Logf: func(string, ...any) {}})
		ns := rt.Namespace("Broken")
		resp, err := ns.Get(ns.IDFromName("b")).Fetch(httptest.NewRequest("GET", "https://broken/", nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := body(t, resp); resp.StatusCode != 500 || strings.Contains(got, "no such table") != detailed {
			t.Errorf("DURABLE_ERROR_DETAILS=%q: %d %q", value, resp.StatusCode, got)
		}
	}
}

func TestFrontHandlerAndHeaders(t *testing.T) {
	w := durable.Worker{Front: func(env durable.Env) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := env.Var("GREETING")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			io.WriteString(w, v+" "+r.Host+" "+r.Header.Get("X-In"))
		})
	}}
	rt := durabletest.New(t, w, &durabletest.Options{Vars: map[string]string{"GREETING": "hi"}})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Add("X-In", "1")
	req.Header.Add("X-In", "2")
	rec := httptest.NewRecorder()
	rt.Front().ServeHTTP(rec, req)
	if got := rec.Body.String(); got != "hi example.com 1, 2" {
		t.Errorf("body %q", got)
	}
	if got := rec.Header().Values("X-Multi"); len(got) != 1 || got[0] != "a, b" {
		t.Errorf("X-Multi = %q", got)
	}
	if got := body(t, durabletest.New(t, durable.Worker{}, nil).Fetch(httptest.NewRequest("GET", "/", nil))); !strings.Contains(got, "404") {
		t.Errorf("a Worker without Front answered %q", got)
	}
}

func TestStateBeforeConstructionAndRestartObject(t *testing.T) {
	var constructed atomic.Int32
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"Box": func(s durable.State, _ durable.Env) (durable.Object, error) {
			constructed.Add(1)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				v, _, _ := s.Storage().KV().Get("k")
				w.Write(v)
			}), nil
		},
	}}
	rt := durabletest.New(t, w, &durabletest.Options{Bindings: map[string]string{"BOX": "Box"}})
	id := rt.Namespace("BOX").IDFromName("b")
	if err := rt.State("BOX", id).Storage().KV().Put("k", []byte("prepared")); err != nil {
		t.Fatal(err)
	}
	if constructed.Load() != 0 {
		t.Fatal("State constructed the object")
	}
	get := func() string {
		resp, err := rt.Namespace("BOX").Get(id).Fetch(httptest.NewRequest("GET", "https://box/", nil))
		if err != nil {
			t.Fatal(err)
		}
		return body(t, resp)
	}
	if got := get(); got != "prepared" {
		t.Fatalf("got %q", got)
	}
	get()
	rt.RestartObject("BOX", id)
	get()
	if constructed.Load() != 2 {
		t.Errorf("constructed %d times, want 2", constructed.Load())
	}
}

func TestOptionsFromConfigTOML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wrangler.toml")
	os.WriteFile(path, []byte(`name = "w"
main = "build/worker.mjs"
[vars]
MODE = "test"
LIMIT = 3
[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
[[durable_objects.bindings]]
name = "REMOTE"
class_name = "Other"
script_name = "elsewhere"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
`), 0o644)
	opts, err := durabletest.OptionsFromConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Bindings) != 1 || opts.Bindings["ROOMS"] != "Room" || len(opts.Vars) != 1 || opts.Vars["MODE"] != "test" {
		t.Errorf("options = %+v", opts)
	}
	if _, err := durabletest.OptionsFromConfig(filepath.Join(t.TempDir(), "missing.jsonc")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestStorageFailsAfterClose(t *testing.T) {
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"C": nil}}, nil)
	st := rt.State("C", rt.Namespace("C").NewUniqueID())
	rt.Close()
	if _, err := st.Storage().SQL().Exec("SELECT 1"); err == nil {
		t.Error("Exec after Close succeeded")
	}
	if err := st.Storage().KV().Put("k", nil); err == nil {
		t.Error("Put after Close succeeded")
	}
}

func TestStubFetchInsideTransactionFails(t *testing.T) {
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"Tx": func(s durable.State, env durable.Env) (durable.Object, error) {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/other" {
					return
				}
				ns, _ := env.Namespace("Tx")
				err := s.Storage().Transaction(func() error {
					req, _ := http.NewRequestWithContext(r.Context(), "GET", "https://tx/other", nil)
					_, err := ns.Get(ns.IDFromName("other")).Fetch(req)
					return err
				})
				if err != nil {
					http.Error(w, err.Error(), http.StatusConflict)
				}
			}), nil
		},
	}}
	rt := durabletest.New(t, w, nil)
	ns := rt.Namespace("Tx")
	resp, err := ns.Get(ns.IDFromName("t")).Fetch(httptest.NewRequest("GET", "https://tx/", nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(got, "inside Storage.Transaction") {
		t.Errorf("got %d %q", resp.StatusCode, got)
	}
}

func TestFrontPanicIs500AndRetried(t *testing.T) {
	var builds atomic.Int32
	w := durable.Worker{Front: func(durable.Env) http.Handler {
		if builds.Add(1) == 1 {
			panic("front not ready")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "built") })
	}}
	var logged strings.Builder
	rt := durabletest.New(t, w, &durabletest.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(&logged, format+"\n", args...)
	}})
	resp := rt.Fetch(httptest.NewRequest("GET", "/", nil))
	if got := body(t, resp); resp.StatusCode != 500 || !strings.Contains(got, "front handler could not be built") || strings.Contains(got, "front not ready") {
		t.Fatalf("first: %d %q", resp.StatusCode, got)
	}
	if !strings.Contains(logged.String(), "front not ready") {
		t.Errorf("the panic was not logged: %q", logged.String())
	}
	resp = rt.Fetch(httptest.NewRequest("GET", "/", nil))
	if got := body(t, resp); resp.StatusCode != 200 || got != "built" || builds.Load() != 2 {
		t.Fatalf("second: %d %q after %d builds", resp.StatusCode, got, builds.Load())
	}
}

func TestNilFrontHandlerIs404(t *testing.T) {
	rt := durabletest.New(t, durable.Worker{Front: func(durable.Env) http.Handler { return nil }}, nil)
	if resp := rt.Fetch(httptest.NewRequest("GET", "/", nil)); resp.StatusCode != 404 {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
}

// TestCommitFailureResetsObject: a turn whose commit fails (here on the first
// event, so even the constructor's table goes) fails its event and resets the
// object, loudly.
func TestCommitFailureResetsObject(t *testing.T) {
	var constructed atomic.Int32
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"FK": func(s durable.State, _ durable.Env) (durable.Object, error) {
			constructed.Add(1)
			if _, err := s.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS made (a)`); err != nil {
				return nil, err
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sql := s.Storage().SQL()
				if r.URL.Path == "/tables" {
					res, _ := sql.Exec(`SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)`)
					fmt.Fprint(w, res.Rows[0][0])
					return
				}
				_, err := sql.Exec(`PRAGMA defer_foreign_keys = ON`)
				if err == nil {
					_, err = sql.Exec(`CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p REFERENCES p (id)); INSERT INTO c VALUES (1)`)
				}
				if err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				io.WriteString(w, "ok")
			}), nil
		},
	}}
	var logged strings.Builder
	rt := durabletest.New(t, w, &durabletest.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(&logged, format+"\n", args...)
	}})
	ns := rt.Namespace("FK")
	stub := ns.Get(ns.IDFromName("x"))
	_, err := stub.Fetch(httptest.NewRequest("POST", "https://fk/violate", nil))
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		t.Fatalf("err = %v, want the commit's failure", err)
	}
	if !strings.Contains(logged.String(), "FOREIGN KEY constraint failed") {
		t.Errorf("the reset was not logged: %q", logged.String())
	}
	if _, again := stub.Fetch(httptest.NewRequest("GET", "https://fk/tables", nil)); again == nil {
		t.Errorf("the stub that saw the reset still works")
	}
	stub = ns.Get(ns.IDFromName("x"))
	resp, err := stub.Fetch(httptest.NewRequest("GET", "https://fk/tables", nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, resp); got != "made" || constructed.Load() != 2 {
		t.Fatalf("tables %q after %d constructions, want made after 2", got, constructed.Load())
	}
}

// TestOverlappingTransactionsFailLoudly: two goroutines whose transactions
// overlap share one savepoint stack; when the outer one rolls back, the inner
// one's savepoint is gone, and its own rollback must say so instead of
// reporting a rollback that did not happen.
func TestOverlappingTransactionsFailLoudly(t *testing.T) {
	w := durable.Worker{Objects: map[string]durable.Constructor{
		"O": func(durable.State, durable.Env) (durable.Object, error) { return http.NotFoundHandler(), nil },
	}}
	rt := durabletest.New(t, w, nil)
	st := rt.State("O", rt.Namespace("O").IDFromName("x")).Storage()
	errA, errB := errors.New("a failed"), errors.New("b failed")
	inB, finishB, doneB := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	gotA := st.Transaction(func() error {
		go func() {
			doneB <- st.Transaction(func() error {
				close(inB)
				<-finishB
				return errB
			})
		}()
		<-inB
		return errA
	})
	close(finishB)
	gotB := <-doneB
	if gotA != errA {
		t.Errorf("outer transaction: %v, want %v", gotA, errA)
	}
	if !errors.Is(gotB, errB) || !strings.Contains(gotB.Error(), "no such savepoint") {
		t.Errorf("inner transaction: %v, want its error joined with the failed rollback", gotB)
	}
	if _, err := st.SQL().Exec(`CREATE TABLE after (a)`); err != nil {
		t.Errorf("storage after the overlap: %v", err)
	}
}

// As on workerd, the front handler's stub fetch must carry the served
// request's context: that is how it runs in that request's I/O context.
func TestFrontStubFetchNeedsTheRequestContext(t *testing.T) {
	w := durable.Worker{
		Front: func(env durable.Env) http.Handler {
			ns, err := env.Namespace("Echo")
			if err != nil {
				panic(err)
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				stub := ns.Get(ns.IDFromName("e"))
				for _, ctx := range []context.Context{r.Context(), context.Background()} {
					req, _ := http.NewRequestWithContext(ctx, "GET", "https://echo/", nil)
					resp, err := stub.Fetch(req)
					if err != nil {
						fmt.Fprintln(w, "error:", err)
						continue
					}
					resp.Body.Close()
					fmt.Fprintln(w, resp.StatusCode)
				}
			})
		},
		Objects: map[string]durable.Constructor{
			"Echo": func(durable.State, durable.Env) (durable.Object, error) {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil
			},
		},
	}
	rt := durabletest.New(t, w, nil)
	got := body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil)))
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 || lines[0] != "200" || !strings.Contains(lines[1], "http.NewRequestWithContext(r.Context()") {
		t.Fatalf("got %q", got)
	}
	// A test's own stubs are not the front handler's: any context will do.
	ns := rt.Namespace("Echo")
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "https://echo/", nil)
	if _, err := ns.Get(ns.IDFromName("e")).Fetch(req); err != nil {
		t.Fatalf("a test's stub fetch: %v", err)
	}
}
