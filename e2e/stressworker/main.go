// Command stressworker is the Worker of the shared-runtime stress test
// (e2e/stress.test.mjs): its handlers wake on Go timers, on channels fed by
// other objects' requests and on other objects' answers, and then use storage
// and stubs, so that every call into workerd must find its own I/O context.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/stressworker/wrangler.jsonc ./e2e/stressworker
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/bridge"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Counter": newCounter},
	})
}

// front routes /c/{name}/... to the Counter of that name; /sleep-then/{name}
// sleeps on a Go timer in the front handler first; /stats reports the Go
// runtime's census.
func front(env durable.Env) http.Handler {
	counters, err := env.Namespace("COUNTER")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/c/{name}/{op}", func(w http.ResponseWriter, r *http.Request) {
		relay(w, r, counters, r.PathValue("name"), "/"+r.PathValue("op")+"?"+r.URL.RawQuery)
	})
	mux.HandleFunc("/sleep-then/{name}", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		relay(w, r, counters, r.PathValue("name"), "/incr")
	})
	// /background-stub/{name} fetches a stub with a context that is not the
	// request's: the SDK refuses it, as the fetch could not run in its context.
	mux.HandleFunc("/background-stub/{name}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://counter/incr", nil)
		if _, err := counters.Get(counters.IDFromName(r.PathValue("name"))).Fetch(req); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(bridge.ReadStats())
	})
	return mux
}

// relay sends a POST to the named Counter and copies its answer.
func relay(w http.ResponseWriter, r *http.Request, ns durable.Namespace, name, path string) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "https://counter"+path, nil)
	resp, err := ns.Get(ns.IDFromName(name)).Fetch(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// mailboxes are channels shared by every object of the isolate: a /wait
// request of one object blocks until a /feed request of another sends on it.
var (
	mailboxMu sync.Mutex
	mailboxes = map[string]chan string{}
)

func mailbox(key string) chan string {
	mailboxMu.Lock()
	defer mailboxMu.Unlock()
	ch, ok := mailboxes[key]
	if !ok {
		ch = make(chan string, 1)
		mailboxes[key] = ch
	}
	return ch
}

// Counter counts in SQL.
type Counter struct {
	sql  durable.SQL
	env  durable.Env
	name string
	mux  *http.ServeMux
}

func newCounter(state durable.State, env durable.Env) (durable.Object, error) {
	c := &Counter{sql: state.Storage().SQL(), env: env, name: state.ID().Name(), mux: http.NewServeMux()}
	if _, err := c.sql.Exec(`CREATE TABLE IF NOT EXISTS n (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL)`); err != nil {
		return nil, err
	}
	c.mux.HandleFunc("/incr", c.handle(func(r *http.Request) error { return nil }))
	// /work sleeps on a Go timer, counts, asks a peer to count, and counts again.
	c.mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		if _, err := c.incr(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if peer := r.URL.Query().Get("peer"); peer != "" {
			ns, _ := env.Namespace("COUNTER")
			req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "https://counter/incr", nil)
			resp, err := ns.Get(ns.IDFromName(peer)).Fetch(req)
			if err != nil {
				http.Error(w, "peer: "+err.Error(), http.StatusBadGateway)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				http.Error(w, "peer: "+string(body), http.StatusBadGateway)
				return
			}
		}
		c.handle(func(*http.Request) error { return nil })(w, r)
	})
	// /wait blocks on a mailbox until another object's /feed fills it, then counts.
	c.mux.HandleFunc("/wait", c.handle(func(r *http.Request) error {
		select {
		case <-mailbox(r.URL.Query().Get("key")):
			return nil
		case <-time.After(20 * time.Second):
			return fmt.Errorf("nobody fed mailbox %q", r.URL.Query().Get("key"))
		}
	}))
	// /feed fills a mailbox (after a short sleep), then counts.
	c.mux.HandleFunc("/feed", c.handle(func(r *http.Request) error {
		time.Sleep(2 * time.Millisecond)
		mailbox(r.URL.Query().Get("key")) <- c.name
		return nil
	}))
	// /crash ends the isolate's Go runtime: a goroutine panics.
	c.mux.HandleFunc("/crash", func(w http.ResponseWriter, r *http.Request) {
		go func() { panic("stressworker: crashing the runtime on purpose") }()
		time.Sleep(time.Second)
	})
	c.mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		res, err := c.sql.Exec(`SELECT coalesce((SELECT count FROM n), 0)`)
		var n int64
		if err == nil {
			err = res.One(&n)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	return c, nil
}

func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

func (c *Counter) incr() (int64, error) {
	var n int64
	res, err := c.sql.Exec(`INSERT INTO n VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET count = count + 1 RETURNING count`)
	if err == nil {
		err = res.One(&n)
	}
	return n, err
}

// handle runs before, then counts one and answers the new count.
func (c *Counter) handle(before func(*http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := before(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, err := c.incr()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	}
}
