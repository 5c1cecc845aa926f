package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Greeter is the Durable Object of one name: it counts that name's visits. Its
// ID is made from the name (IDFromName), so the ID carries the name.
type Greeter struct {
	name string
	env  durable.Env
	sql  durable.SQL
	mux  *http.ServeMux
}

// NewGreeter creates the visits table on first use.
func NewGreeter(state durable.State, env durable.Env) (durable.Object, error) {
	g := &Greeter{name: state.ID().Name(), env: env, sql: state.Storage().SQL(), mux: http.NewServeMux()}
	if _, err := g.sql.Exec(`CREATE TABLE IF NOT EXISTS visits (
		id    INTEGER PRIMARY KEY CHECK (id = 1),
		count INTEGER NOT NULL
	)`); err != nil {
		return nil, err
	}
	g.mux.HandleFunc("POST /visit", g.visit)
	g.mux.HandleFunc("POST /panic", func(http.ResponseWriter, *http.Request) {
		panic("the Greeter panicked on purpose")
	})
	g.mux.HandleFunc("POST /crash", func(w http.ResponseWriter, r *http.Request) {
		go func() { panic("a Greeter goroutine panicked on purpose") }()
		time.Sleep(time.Second) // the runtime ends before this returns
	})
	return g, nil
}

// ServeHTTP implements durable.Object.
func (g *Greeter) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// Visit records one visit and returns the new count.
func (g *Greeter) Visit() (int64, error) {
	var count int64
	res, err := g.sql.Exec(`INSERT INTO visits (id, count) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET count = count + 1
		RETURNING count`)
	if err == nil {
		err = res.One(&count)
	}
	return count, err
}

func (g *Greeter) visit(w http.ResponseWriter, r *http.Request) {
	count, err := g.Visit()
	if err != nil {
		// The SQL error is for the log, not for the visitor.
		log.Printf("greeter %s: counting the visit: %v", g.name, err)
		http.Error(w, "could not count the visit; try again", http.StatusInternalServerError)
		return
	}
	// The census is a courtesy: a town hall that does not answer costs the
	// visitor nothing, and the next visit reports the full count again.
	if err := ReportVisit(r.Context(), g.env, g.name, count); err != nil {
		log.Printf("greeter %s: reporting to the town hall: %v", g.name, err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Hey: %s\n%d\n", g.name, count)
}
