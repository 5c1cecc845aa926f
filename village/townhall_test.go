package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// newTownHallVillage runs the town hall with a front handler that reports
// visits as a Greeter would and serves the census, until village.go wires the
// town hall into the village itself.
func newTownHallVillage(t *testing.T) *durabletest.Runtime {
	return durabletest.New(t, durable.Worker{
		Front: func(env durable.Env) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /census", CensusHandler(env))
			mux.HandleFunc("POST /report/{name}/{count}", func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.ParseInt(r.PathValue("count"), 10, 64)
				if err := ReportVisit(r.Context(), env, r.PathValue("name"), n); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
				}
			})
			return mux
		},
		Objects: map[string]durable.Constructor{"TownHall": NewTownHall},
		RPC:     map[string]any{"TownHall": (*TownHall)(nil)},
	}, &durabletest.Options{Bindings: map[string]string{TownHallBinding: "TownHall"}})
}

func TestTownHallCensus(t *testing.T) {
	rt := newTownHallVillage(t)
	for _, r := range []string{"Ada/1", "Bob/1", "Ada/2", "Ada/3", "Bob/2", "Cy/1", "Ada/2"} {
		resp := rt.Fetch(httptest.NewRequest(http.MethodPost, "/report/"+r, nil))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("report %s: %d", r, resp.StatusCode)
		}
	}
	resp := rt.Fetch(httptest.NewRequest(http.MethodGet, "/census?top=2", nil))
	defer resp.Body.Close()
	var c Census
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	// Ada's late report of 2 does not lower her 3.
	want := Census{Names: 3, Visits: 6, Top: []Entry{{"Ada", 3}, {"Bob", 2}}}
	if c.Names != want.Names || c.Visits != want.Visits || len(c.Top) != 2 || c.Top[0] != want.Top[0] || c.Top[1] != want.Top[1] {
		t.Fatalf("census %+v, want %+v", c, want)
	}
}

func TestTownHallRefusesBadNames(t *testing.T) {
	rt := newTownHallVillage(t)
	hall := rt.Namespace(TownHallBinding).GetByName(townHallName)
	_, err := durable.Call[any](context.Background(), hall, "record", "a/b", 1)
	var se *durable.StubError
	if !errors.As(err, &se) || se.Code != "bad_name" {
		t.Fatalf("got %v, want a StubError with code bad_name", err)
	}
	resp := rt.Fetch(httptest.NewRequest(http.MethodGet, "/census?top=x", nil))
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("top=x: %d", resp.StatusCode)
	}
}
