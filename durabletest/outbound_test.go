package durabletest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// A front handler that reads request.cf and the client's address, and
// fetches from another server with its request's context, as it must on
// workerd.
func cfWorker(origin string) durable.Worker {
	return durable.Worker{Front: func(durable.Env) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var cf struct {
				Country string `json:"country"`
			}
			if raw := durable.CF(r); raw != nil {
				json.Unmarshal(raw, &cf)
			}
			host, port, _ := net.SplitHostPort(r.RemoteAddr)
			fmt.Fprintf(w, "country=%q host=%q port=%q", cf.Country, host, port)
			if origin != "" {
				req, _ := http.NewRequestWithContext(r.Context(), "GET", origin, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					fmt.Fprintf(w, " error=%v", err)
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				fmt.Fprintf(w, " origin=%q", b)
			}
		})
	}}
}

func TestCFAndRemoteAddr(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	defer origin.Close()
	rt := durabletest.New(t, cfWorker(origin.URL), nil)

	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("CF-Connecting-IP", "2001:db8::1")
	got := body(t, rt.Fetch(durabletest.WithCF(req, map[string]any{"country": "NZ"})))
	if want := `country="NZ" host="2001:db8::1" port="0" origin="hi"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}

	// Without cf or CF-Connecting-IP, as for a request a stub sent.
	got = body(t, rt.Fetch(httptest.NewRequest("GET", "/", nil)))
	if want := `country="" host="" port="" origin="hi"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
