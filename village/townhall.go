package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/durableobjects-on-go/durable"
)

// The town hall keeps the village's census: every name that visited and how
// often. Greeters report each visit to it by RPC, and the front handler asks
// it for the census by RPC; nothing in it speaks HTTP.

// TownHallBinding is the binding name of the TownHall namespace in
// wrangler.jsonc.
const TownHallBinding = "TOWNHALL"

// townHallName names the village's one town hall.
const townHallName = "hall"

// TownHall is the Durable Object holding the census. Its exported methods
// are its RPC methods: record and census.
type TownHall struct{ sql durable.SQL }

// NewTownHall creates the census table on first use.
func NewTownHall(state durable.State, _ durable.Env) (durable.Object, error) {
	sql := state.Storage().SQL()
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS census (
		name   TEXT PRIMARY KEY,
		visits INTEGER NOT NULL
	)`)
	return &TownHall{sql: sql}, err
}

// ServeHTTP answers 404: the town hall is reached by RPC only.
func (h *TownHall) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// Record notes that name has now visited visits times (RPC "record"). A
// Greeter reports its own count, so a report that arrives late never lowers
// it.
func (h *TownHall) Record(name string, visits int64) error {
	if err := CheckName(name); err != nil {
		return &durable.RPCError{Code: "bad_name", Message: err.Error()}
	}
	_, err := h.sql.Exec(`INSERT INTO census (name, visits) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET visits = max(visits, excluded.visits)`, name, visits)
	return err
}

// Census is what the town hall knows.
type Census struct {
	Names  int64   `json:"names"`  // how many names visited
	Visits int64   `json:"visits"` // all their visits
	Top    []Entry `json:"top"`    // the most frequent visitors, most visits first
}

// Entry is one name of the census.
type Entry struct {
	Name   string `json:"name"`
	Visits int64  `json:"visits"`
}

// Census returns the census with the top most frequent visitors (RPC
// "census").
func (h *TownHall) Census(top int) (Census, error) {
	c := Census{Top: []Entry{}}
	res, err := h.sql.Exec(`SELECT count(*), coalesce(sum(visits), 0) FROM census`)
	if err == nil {
		err = res.One(&c.Names, &c.Visits)
	}
	if err != nil {
		return c, err
	}
	res, err = h.sql.Exec(`SELECT name, visits FROM census ORDER BY visits DESC, name LIMIT ?`, max(top, 0))
	if err != nil {
		return c, err
	}
	for _, row := range res.Rows {
		var e Entry
		if err := row.Scan(&e.Name, &e.Visits); err != nil {
			return c, err
		}
		c.Top = append(c.Top, e)
	}
	return c, nil
}

// townHall returns the stub of the village's town hall.
func townHall(env durable.Env) (durable.Stub, error) {
	ns, err := env.Namespace(TownHallBinding)
	if err != nil {
		return durable.Stub{}, err
	}
	return ns.GetByName(townHallName), nil
}

// ReportVisit tells the town hall that name has visited count times; a
// Greeter calls it after counting a visit, with its request's context.
func ReportVisit(ctx context.Context, env durable.Env, name string, count int64) error {
	hall, err := townHall(env)
	if err != nil {
		return err
	}
	_, err = durable.Call[any](ctx, hall, "record", name, count)
	return err
}

// CensusHandler serves GET /census?top=N (default 10) as JSON, asking the
// town hall by RPC.
func CensusHandler(env durable.Env) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		top := 10
		if s := r.URL.Query().Get("top"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 100 {
				http.Error(w, "top must be a number from 0 to 100", http.StatusBadRequest)
				return
			}
			top = n
		}
		hall, err := townHall(env)
		if err != nil {
			http.Error(w, "the town hall is not bound", http.StatusInternalServerError)
			return
		}
		census, err := durable.Call[Census](r.Context(), hall, "census", top)
		if err != nil {
			http.Error(w, "the town hall did not answer", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(census)
	}
}
