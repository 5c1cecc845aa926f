package serving

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestNewRequestFillsServerFields(t *testing.T) {
	req, err := NewRequest(context.Background(), Message{
		Method: "POST",
		URL:    "https://village.example/hey/x?y=1",
		Header: [][2]string{{"content-type", "text/plain"}, {"host", "village.example"}, {"x-multi", "a"}, {"x-multi", "b"}, {"cf-connecting-ip", "203.0.113.9"}},
		Body:   []byte("hello"),
	})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if req.Method != "POST" || req.Host != "village.example" || req.RequestURI != "/hey/x?y=1" ||
		req.ContentLength != 5 || string(body) != "hello" || req.RemoteAddr != "203.0.113.9:0" {
		t.Fatalf("request = %+v body %q", req, body)
	}
	if got := req.Header.Values("X-Multi"); len(got) != 2 {
		t.Fatalf("X-Multi = %v", got)
	}
	if _, ok := req.Header["Host"]; ok {
		t.Fatal("Host stayed in the header map; net/http moves it to Request.Host")
	}
	if _, err := NewRequest(context.Background(), Message{Method: "GET", URL: "://bad"}); err == nil {
		t.Fatal("bad URL accepted")
	}
}

func TestServeBuffersAndSniffs(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/", nil)
	m := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		io.WriteString(w, "<html><body>hi</body></html>")
	}), req, Reporter{Logf: t.Logf})
	if m.Status != 200 || string(m.Body) != "<html><body>hi</body></html>" {
		t.Fatalf("got %+v", m)
	}
	var cookies int
	var ctype string
	for _, kv := range m.Header {
		if kv[0] == "Set-Cookie" {
			cookies++
		}
		if kv[0] == "Content-Type" {
			ctype = kv[1]
		}
	}
	if cookies != 2 || !strings.HasPrefix(ctype, "text/html") {
		t.Fatalf("cookies=%d content-type=%q", cookies, ctype)
	}
}

func TestServeStatusRules(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/", nil)
	noBody := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if _, err := w.Write([]byte("dropped")); err != http.ErrBodyNotAllowed {
			t.Errorf("Write after 204: err = %v", err)
		}
	}), req, Reporter{Logf: t.Logf})
	if noBody.Status != 204 || noBody.Body != nil {
		t.Fatalf("204: %+v", noBody)
	}
	first := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusOK) // ignored, as in net/http
	}), req, Reporter{Logf: t.Logf})
	if first.Status != http.StatusTeapot {
		t.Fatalf("status = %d", first.Status)
	}
	empty := Serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), req, Reporter{Logf: t.Logf})
	if empty.Status != 200 || len(empty.Body) != 0 {
		t.Fatalf("empty handler: %+v", empty)
	}
	late := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Early", "1")
		w.WriteHeader(http.StatusAccepted)
		w.Header().Set("X-Late", "1") // too late, as in net/http
	}), req, Reporter{Logf: t.Logf})
	if headerValue(late, "X-Early") != "1" || headerValue(late, "X-Late") != "" {
		t.Fatalf("headers after WriteHeader: %v", late.Header)
	}
	head, _ := http.NewRequest("HEAD", "https://x/", nil)
	headResp := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "the GET body")
	}), head, Reporter{Logf: t.Logf})
	if headResp.Status != 200 || headResp.Body != nil || !strings.HasPrefix(headerValue(headResp, "Content-Type"), "text/plain") {
		t.Fatalf("HEAD: %+v", headResp)
	}
}

func TestServeRefusesStatusesWorkerdRefuses(t *testing.T) {
	var logged string
	logf := func(format string, args ...any) { logged = fmt.Sprintf(format, args...) }
	req, _ := http.NewRequest("GET", "https://x/ws", nil)
	for _, code := range []int{http.StatusSwitchingProtocols, 600, 999} {
		m := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }), req, Reporter{Logf: logf})
		if m.Status != 500 || !strings.Contains(logged, fmt.Sprintf("answered status %d", code)) {
			t.Errorf("status %d: got %d, logged %q", code, m.Status, logged)
		}
	}
}

func headerValue(m Message, name string) string {
	for _, kv := range m.Header {
		if http.CanonicalHeaderKey(kv[0]) == name {
			return kv[1]
		}
	}
	return ""
}

func TestServeRecoversPanics(t *testing.T) {
	var logged string
	logf := func(format string, args ...any) { logged = fmt.Sprintf(format, args...) }
	req, _ := http.NewRequest("GET", "https://x/boom", nil)
	m := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		panic("boom")
	}), req, Reporter{Logf: logf})
	if m.Status != 500 || !strings.Contains(string(m.Body), "Internal Server Error") || strings.Contains(string(m.Body), "partial") {
		t.Fatalf("got %d %q", m.Status, m.Body)
	}
	if !strings.Contains(logged, "panic serving GET /boom: boom") || !strings.Contains(logged, "goroutine") {
		t.Fatalf("logged %q, want the panic and its stack", logged)
	}
	bad := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) }), req, Reporter{Logf: logf})
	if bad.Status != 500 {
		t.Fatalf("invalid status: got %d", bad.Status)
	}
}

func TestOutgoingMessage(t *testing.T) {
	req, _ := http.NewRequest("PUT", "https://do/path", strings.NewReader("body"))
	req.Header.Set("X-A", "1")
	m, err := OutgoingMessage(req)
	if err != nil || m.Method != "PUT" || m.URL != "https://do/path" || string(m.Body) != "body" || len(m.Header) != 1 {
		t.Fatalf("got %+v, %v", m, err)
	}
	get, _ := http.NewRequest("GET", "https://do/", nil)
	if m, _ := OutgoingMessage(get); m.Body != nil {
		t.Fatalf("GET has body %q", m.Body)
	}
	rel, _ := http.NewRequest("GET", "/relative", nil)
	if _, err := OutgoingMessage(rel); err == nil || !strings.Contains(err.Error(), "absolute URL") {
		t.Fatalf("relative URL: err = %v", err)
	}
}

func TestNewResponse(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://do/", nil)
	resp := NewResponse(req, Message{Status: 201, Header: [][2]string{{"x-a", "1"}}, Body: []byte("made")})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || resp.Status != "201 Created" || resp.Header.Get("X-A") != "1" || string(body) != "made" || resp.Request != req {
		t.Fatalf("got %+v %q", resp, body)
	}
	if odd := NewResponse(req, Message{Status: 599}); odd.Status != "599" {
		t.Fatalf("unknown status text: %q", odd.Status)
	}
}

func TestBuildFront(t *testing.T) {
	for name, front := range map[string]func(durable.Env) http.Handler{
		"nil Front":   nil,
		"nil handler": func(durable.Env) http.Handler { return nil },
	} {
		h, err := BuildFront(front, durable.Env{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		req, _ := http.NewRequest("GET", "https://x/", nil)
		if m := Serve(h, req, Reporter{Logf: t.Logf}); m.Status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", name, m.Status)
		}
	}
	_, err := BuildFront(func(durable.Env) http.Handler { panic("no binding") }, durable.Env{})
	if err == nil || !strings.Contains(err.Error(), "Worker.Front panicked: no binding") {
		t.Fatalf("panicking Front: err = %v", err)
	}
}
