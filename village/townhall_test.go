package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func census(t *testing.T, path string, fetch func(*http.Request) *http.Response) Census {
	t.Helper()
	resp := fetch(httptest.NewRequest(http.MethodGet, path, nil))
	defer resp.Body.Close()
	var c Census
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
	}
	return c
}

func TestGreetersReportToTheTownHall(t *testing.T) {
	rt := newVillage(t)
	for _, name := range []string{"Ada", "Bob", "Ada", "Ada", "Bob", "Cy"} {
		get(t, rt, "/hey/"+name)
	}
	c := census(t, "/census?top=2", rt.Fetch)
	want := Census{Names: 3, Visits: 6, Top: []Entry{{"Ada", 3}, {"Bob", 2}}}
	if c.Names != want.Names || c.Visits != want.Visits || len(c.Top) != 2 || c.Top[0] != want.Top[0] || c.Top[1] != want.Top[1] {
		t.Fatalf("census %+v, want %+v", c, want)
	}

	// A report that arrives late (a lower count) never lowers the census.
	hall := rt.Namespace(TownHallBinding).GetByName(townHallName)
	if _, err := durable.Call[any](context.Background(), hall, "record", "Ada", 2); err != nil {
		t.Fatal(err)
	}
	if c := census(t, "/census?top=1", rt.Fetch); c.Top[0] != (Entry{"Ada", 3}) {
		t.Fatalf("after a late report: %+v", c.Top)
	}
}

func TestTownHallRefusesBadInput(t *testing.T) {
	rt := newVillage(t)
	hall := rt.Namespace(TownHallBinding).GetByName(townHallName)
	_, err := durable.Call[any](context.Background(), hall, "record", "a/b", 1)
	var se *durable.StubError
	if !errors.As(err, &se) || se.Code != "bad_name" {
		t.Fatalf("got %v, want a StubError with code bad_name", err)
	}
	for _, top := range []string{"x", "-1", "101"} {
		resp := rt.Fetch(httptest.NewRequest(http.MethodGet, "/census?top="+top, nil))
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("top=%s: %d, want 400", top, resp.StatusCode)
		}
	}
}
