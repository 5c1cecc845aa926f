package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/durableobjects-on-go/durable/durabletest"
)

// newVillage runs the village natively, bound as wrangler.jsonc binds it.
func newVillage(t testing.TB) *durabletest.Runtime {
	t.Helper()
	opts, err := durabletest.OptionsFromConfig("../wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Bindings[GreeterBinding] != "Greeter" {
		t.Fatalf("wrangler.jsonc binds %v, want %s to Greeter", opts.Bindings, GreeterBinding)
	}
	return durabletest.New(t, Worker(), opts)
}

func get(t *testing.T, rt *durabletest.Runtime, path string) (int, string) {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(http.MethodGet, path, nil))
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestVisitsAreCountedPerName(t *testing.T) {
	rt := newVillage(t)
	for i, want := range []struct{ name, body string }{
		{"Ada", "Hey: Ada\n1\n"},
		{"Ada", "Hey: Ada\n2\n"},
		{"Grace", "Hey: Grace\n1\n"},
		{"Ada", "Hey: Ada\n3\n"},
		{"Zoë 🌻", "Hey: Zoë 🌻\n1\n"},
	} {
		status, body := get(t, rt, "/hey/"+url.PathEscape(want.name))
		if status != http.StatusOK || body != want.body {
			t.Fatalf("visit %d: got %d %q, want 200 %q", i, status, body, want.body)
		}
	}
}

func TestCountSurvivesRestart(t *testing.T) {
	rt := newVillage(t)
	get(t, rt, "/hey/Ada")
	get(t, rt, "/hey/Ada")
	rt.Restart()
	if _, body := get(t, rt, "/hey/Ada"); body != "Hey: Ada\n3\n" {
		t.Fatalf("after restart: %q", body)
	}
}

func TestCountSurvivesNewRuntimeOverSameDir(t *testing.T) {
	dir := t.TempDir()
	opts, err := durabletest.OptionsFromConfig("../wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	opts.Dir = dir
	first := durabletest.New(t, Worker(), opts)
	get(t, first, "/hey/Ada")
	first.Close()
	second := durabletest.New(t, Worker(), opts)
	if _, body := get(t, second, "/hey/Ada"); body != "Hey: Ada\n2\n" {
		t.Fatalf("second runtime: %q", body)
	}
}

func TestNameRules(t *testing.T) {
	rt := newVillage(t)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/hey/" + strings.Repeat("a", MaxNameLength), http.StatusOK},
		{"/hey/" + strings.Repeat("é", MaxNameLength), http.StatusOK},
		{"/hey/" + strings.Repeat("a", MaxNameLength+1), http.StatusBadRequest},
		{"/hey/a/b", http.StatusBadRequest},
		{"/hey/a%0Ab", http.StatusBadRequest},
		{"/hey/%FF", http.StatusBadRequest},
		{"/hey/", http.StatusBadRequest}, // {name...} matches the empty name
		{"/nowhere", http.StatusNotFound},
	} {
		if status, body := get(t, rt, tc.path); status != tc.status {
			t.Errorf("GET %s: %d %q, want %d", tc.path, status, body, tc.status)
		}
	}
	resp := rt.Fetch(httptest.NewRequest(http.MethodPost, "/hey/Ada", nil))
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /hey/Ada: %d, want 405", resp.StatusCode)
	}
	if status, body := get(t, rt, "/"); status != http.StatusOK || !strings.Contains(body, "/hey/") {
		t.Errorf("home: %d %q", status, body)
	}
}

func TestPanicIsA500ForThatRequestOnly(t *testing.T) {
	rt := newVillage(t)
	get(t, rt, "/hey/Ada")
	if status, _ := get(t, rt, "/panic/Ada"); status != http.StatusInternalServerError {
		t.Fatalf("panic: status %d, want 500", status)
	}
	if status, body := get(t, rt, "/hey/Ada"); status != http.StatusOK || body != "Hey: Ada\n2\n" {
		t.Fatalf("after panic: %d %q", status, body)
	}
}

func TestOverlappingVisitsCountExactly(t *testing.T) {
	rt := newVillage(t)
	const n = 20
	var wg sync.WaitGroup
	counts := make(chan string, n)
	for range n {
		wg.Go(func() {
			status, body := get(t, rt, "/hey/Crowd")
			if status != http.StatusOK {
				t.Errorf("status %d %q", status, body)
			}
			counts <- body
		})
	}
	wg.Wait()
	close(counts)
	seen := map[string]bool{}
	for body := range counts {
		seen[body] = true
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("Hey: Crowd\n%d\n", i); !seen[want] {
			t.Errorf("no response said %q; got %v", want, seen)
		}
	}
	if _, body := get(t, rt, "/hey/Crowd"); body != fmt.Sprintf("Hey: Crowd\n%d\n", n+1) {
		t.Errorf("after %d visits: %q", n, body)
	}
}

func TestHeadDoesNotCountAVisit(t *testing.T) {
	rt := newVillage(t)
	get(t, rt, "/hey/Ada")
	resp := rt.Fetch(httptest.NewRequest(http.MethodHead, "/hey/Ada", nil))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("HEAD: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if bad := rt.Fetch(httptest.NewRequest(http.MethodHead, "/hey/a%2Fb", nil)); bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("HEAD with a bad name: %d, want 400", bad.StatusCode)
	}
	if _, body := get(t, rt, "/hey/Ada"); body != "Hey: Ada\n2\n" {
		t.Fatalf("after HEAD: %q, want the second visit", body)
	}
}
