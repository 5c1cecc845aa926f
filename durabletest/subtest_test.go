package durabletest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// boxWorker stores what a front request posts in the Box named by the path,
// and returns it.
func boxWorker() durable.Worker {
	return durable.Worker{
		Front: func(env durable.Env) http.Handler {
			boxes, _ := env.Namespace("BOX")
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := http.NewRequestWithContext(r.Context(), http.MethodPut, "https://box/", r.Body)
				resp, err := boxes.Get(boxes.IDFromName(strings.Trim(r.URL.Path, "/"))).Fetch(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				w.WriteHeader(resp.StatusCode)
				resp.Write(w)
			})
		},
		Objects: map[string]durable.Constructor{
			"Box": func(s durable.State, _ durable.Env) (durable.Object, error) {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if err := s.Storage().KV().Put("k", []byte(r.URL.Path)); err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
					}
				}), nil
			},
		},
	}
}

// Parallel subtests share one Runtime, each through its own view.
func TestWithInParallelSubtests(t *testing.T) {
	rt := durabletest.New(t, boxWorker(), &durabletest.Options{Bindings: map[string]string{"BOX": "Box"}})
	for i := range 8 {
		t.Run(fmt.Sprint("box", i), func(t *testing.T) {
			t.Parallel()
			sub := rt.With(t)
			name := fmt.Sprint("box", i)
			resp := sub.Fetch(httptest.NewRequest(http.MethodPost, "/"+name, nil))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			id := sub.Namespace("BOX").IDFromName(name)
			sub.RestartObject("BOX", id)
			if v, ok, err := sub.State("BOX", id).Storage().KV().Get("k"); err != nil || !ok || string(v) != "/" {
				t.Errorf("stored %q, %v, %v", v, ok, err)
			}
		})
	}
}

// fakeTB records what a helper reports. Its FailNow ends the calling
// goroutine, as testing.T's does.
type fakeTB struct {
	testing.TB // methods not overridden here are never called
	mu         sync.Mutex
	failed     bool
	messages   []string
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) Cleanup(func())      {}
func (f *fakeTB) Logf(string, ...any) {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.messages = append(f.messages, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

// onGoroutine runs fn as a test body runs: on its own goroutine, which
// Fatalf may end. It reports whether fn returned.
func onGoroutine(fn func()) (returned bool) {
	done := make(chan bool)
	go func() {
		ok := false
		defer func() { done <- ok }()
		fn()
		ok = true
	}()
	return <-done
}

// A helper called through With fails the test it was given, not the test
// that made the Runtime.
func TestWithReportsToTheGivenTest(t *testing.T) {
	parent, child := &fakeTB{}, &fakeTB{}
	rt := durabletest.New(parent, boxWorker(), &durabletest.Options{Bindings: map[string]string{"BOX": "Box"}})
	defer rt.Close()
	calls := map[string]func(rt *durabletest.Runtime){
		"Namespace":     func(rt *durabletest.Runtime) { rt.Namespace("NOPE") },
		"State":         func(rt *durabletest.Runtime) { rt.State("NOPE", nil) },
		"RestartObject": func(rt *durabletest.Runtime) { rt.RestartObject("NOPE", nil) },
		"Fetch": func(rt *durabletest.Runtime) {
			rt.Fetch(httptest.NewRequest(http.MethodPost, "/", iotest.ErrReader(errors.New("the body broke"))))
		},
	}
	for name, call := range calls {
		if onGoroutine(func() { call(rt.With(child)) }) {
			t.Errorf("%s through With returned after failing", name)
		}
	}
	if parent.failed {
		t.Errorf("the parent failed: %q", parent.messages)
	}
	if len(child.messages) != len(calls) {
		t.Fatalf("the child got %d failures, want %d: %q", len(child.messages), len(calls), child.messages)
	}
	for _, m := range child.messages {
		if !strings.HasPrefix(m, "durabletest: ") {
			t.Errorf("failure %q", m)
		}
	}
	// Without With, the helpers report to the test that made the Runtime, as
	// they always have.
	if onGoroutine(func() { rt.Namespace("NOPE") }) || !parent.failed {
		t.Errorf("Namespace without With did not fail the parent")
	}
}

// A class name is a folder under Options.Dir: one that could escape it is
// refused, as the build refuses a class that is not a JavaScript identifier.
func TestClassNameCannotEscapeDir(t *testing.T) {
	dir := t.TempDir()
	for _, class := range []string{"../escape", "a/b", `a\b`, "", "1st", "Counter.sqlite"} {
		tb := &fakeTB{}
		ran := onGoroutine(func() {
			durabletest.New(tb, durable.Worker{Objects: map[string]durable.Constructor{class: nil}}, &durabletest.Options{Dir: dir})
		})
		if ran || !tb.failed || !strings.Contains(strings.Join(tb.messages, "\n"), "JavaScript identifier") {
			t.Errorf("class %q: returned %v, messages %q", class, ran, tb.messages)
		}
	}
}
