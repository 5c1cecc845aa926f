package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

// fragileSecret is internal text that failures below carry, and that a 500's
// body must not show unless DURABLE_ERROR_DETAILS is on.
const fragileSecret = "no such table: secrets (SELECT token FROM secrets)"

// Fragile fails on purpose, for the test of what 500 bodies say
// (e2e/platform.test.mjs, "error bodies"): an object whose name starts with
// "broken" cannot be constructed; the others serve
//
//	GET /panic      a handler that panics
//	GET /status700  a handler that answers a status workerd refuses
//	GET /ok         "ok"
type Fragile struct{}

func newFragile(s durable.State, _ durable.Env) (durable.Object, error) {
	if strings.HasPrefix(s.ID().Name(), "broken") {
		return nil, errors.New(fragileSecret)
	}
	return &Fragile{}, nil
}

func (*Fragile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/panic":
		panic(fragileSecret)
	case "/status700":
		w.WriteHeader(700)
	default:
		io.WriteString(w, "ok")
	}
}

// fragileRoutes adds GET /fragile/{name}/{path...} (to object Fragile name)
// GET /front-panic (a front handler that panics) and GET /front-exit (one that
// ends the Go program).
func fragileRoutes(mux *http.ServeMux, env durable.Env) {
	objects, err := env.Namespace("FRAGILE")
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /fragile/{name}/{path...}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), "GET", "https://fragile/"+r.PathValue("path"), nil)
		resp, err := objects.Get(objects.IDFromName(r.PathValue("name"))).Fetch(req)
		if err != nil {
			http.Error(w, "unreachable", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	mux.HandleFunc("GET /front-panic", func(http.ResponseWriter, *http.Request) {
		panic(fragileSecret)
	})
	mux.HandleFunc("GET /front-exit", func(http.ResponseWriter, *http.Request) {
		os.Exit(3)
	})
}
