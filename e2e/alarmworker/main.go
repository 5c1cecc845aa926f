// Command alarmworker is the Worker of the alarm and lifecycle tests
// (e2e/alarm.test.mjs): objects of class Alarms set alarms and record every
// attempt, failing or panicking on demand; they also block, wait, abort and
// delete everything on request. Objects of class Startup load in
// BlockConcurrencyWhile from their constructor.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/alarmworker/wrangler.jsonc ./e2e/alarmworker
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front: front,
		Objects: map[string]durable.Constructor{
			"Alarms":  newAlarms,
			"Startup": newStartup,
		},
	})
}

// front relays /{binding}/{name}/{path...} to the object of that name; a stub
// error becomes a 502 whose body is the error, which the tests read.
func front(env durable.Env) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
		if len(parts) < 3 {
			http.NotFound(w, r)
			return
		}
		binding, name, rest := parts[0], parts[1], parts[2]
		ns, err := env.Namespace(binding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "https://object/"+rest+"?"+r.URL.RawQuery, r.Body)
		resp, err := ns.Get(ns.IDFromName(name)).Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func newInstanceID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// alarms is an object whose alarm records each attempt in SQL and fails (by
// error, or by panic) while the KV entry "failures" is above zero.
type alarms struct {
	state    durable.State
	instance string
	mux      *http.ServeMux

	mu     sync.Mutex
	memory int      // in-memory counter: gone after a reset
	events []string // what ran, in order (for the blocking test)
}

func newAlarms(state durable.State, _ durable.Env) (durable.Object, error) {
	a := &alarms{state: state, instance: newInstanceID(), mux: http.NewServeMux()}
	a.mux.HandleFunc("POST /set", a.set)
	a.mux.HandleFunc("GET /state", a.report)
	a.mux.HandleFunc("POST /delete-alarm", func(w http.ResponseWriter, r *http.Request) {
		if err := a.state.Storage().DeleteAlarm(); err != nil {
			fail(w, err)
		}
	})
	a.mux.HandleFunc("POST /delete-all", a.deleteAll)
	a.mux.HandleFunc("POST /memory", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.memory++
		n := a.memory
		a.mu.Unlock()
		writeJSON(w, map[string]any{"instance": a.instance, "memory": n})
	})
	a.mux.HandleFunc("PUT /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := a.state.Storage().KV().Put(r.PathValue("key"), body); err != nil {
			fail(w, err)
		}
	})
	a.mux.HandleFunc("GET /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		v, ok, err := a.state.Storage().KV().Get(r.PathValue("key"))
		switch {
		case err != nil:
			fail(w, err)
		case !ok:
			http.Error(w, "missing", http.StatusNotFound)
		default:
			w.Write(v)
		}
	})
	a.mux.HandleFunc("POST /abort", func(w http.ResponseWriter, r *http.Request) {
		// Written in the aborting turn: workerd discards it.
		a.state.Storage().KV().Put("aborting-turn", []byte("written"))
		a.state.Abort(r.URL.Query().Get("reason"))
		io.WriteString(w, "answered after Abort")
	})
	a.mux.HandleFunc("POST /wait-until", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		a.state.WaitUntil(func(context.Context) {
			time.Sleep(time.Duration(ms) * time.Millisecond)
			a.state.Storage().KV().Put("wait-until", []byte(strconv.FormatInt(time.Now().UnixMilli(), 10)))
		})
		writeJSON(w, map[string]any{"answered": time.Now().UnixMilli()})
	})
	a.mux.HandleFunc("POST /block", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		err := a.state.BlockConcurrencyWhile(func(context.Context) error {
			a.record("block-start")
			time.Sleep(time.Duration(ms) * time.Millisecond)
			a.record("block-end")
			return nil
		})
		if err != nil {
			fail(w, err)
			return
		}
		io.WriteString(w, "blocked")
	})
	a.mux.HandleFunc("POST /ping", func(w http.ResponseWriter, r *http.Request) { a.record("ping") })
	a.mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, a.events)
	})
	_, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS attempts (retry INTEGER, is_retry INTEGER, at INTEGER, scheduled INTEGER)`)
	return a, err
}

func (a *alarms) record(what string) {
	a.mu.Lock()
	a.events = append(a.events, what)
	a.mu.Unlock()
}

func (a *alarms) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// set sets the alarm ?in= milliseconds from now (negative: in the past; ?at=
// sets an absolute Unix time in ms), failing the next ?failures= attempts,
// by panicking when ?panic=1.
func (a *alarms) set(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kv := a.state.Storage().KV()
	if err := kv.Put("failures", []byte(q.Get("failures"))); err != nil {
		fail(w, err)
		return
	}
	if err := kv.Put("panic", []byte(q.Get("panic"))); err != nil {
		fail(w, err)
		return
	}
	at := time.Now()
	if s := q.Get("at"); s != "" {
		ms, _ := strconv.ParseInt(s, 10, 64)
		at = time.UnixMilli(ms)
	} else {
		ms, _ := strconv.Atoi(q.Get("in"))
		at = at.Add(time.Duration(ms) * time.Millisecond)
	}
	if err := a.state.Storage().SetAlarm(at); err != nil {
		fail(w, err)
		return
	}
	a.report(w, r)
}

type attempt struct {
	Retry     int64 `json:"retryCount"`
	IsRetry   bool  `json:"isRetry"`
	At        int64 `json:"at"`
	Scheduled int64 `json:"scheduled"`
}

func (a *alarms) report(w http.ResponseWriter, r *http.Request) {
	at, ok, err := a.state.Storage().Alarm()
	if err != nil {
		fail(w, err)
		return
	}
	res, err := a.state.Storage().SQL().Exec(`SELECT retry, is_retry, at, scheduled FROM attempts ORDER BY rowid`)
	if err != nil {
		fail(w, err)
		return
	}
	out := map[string]any{"alarm": nil, "now": time.Now().UnixMilli(), "attempts": []attempt{}}
	if ok {
		out["alarm"] = at.UnixMilli()
	}
	var list []attempt
	for _, row := range res.Rows {
		var t attempt
		var isRetry int64
		if err := row.Scan(&t.Retry, &isRetry, &t.At, &t.Scheduled); err != nil {
			fail(w, err)
			return
		}
		t.IsRetry = isRetry != 0
		list = append(list, t)
	}
	if list != nil {
		out["attempts"] = list
	}
	writeJSON(w, out)
}

// Alarm records the attempt, then fails while failures remain: what a failed
// attempt writes is kept, so the count goes down attempt by attempt.
func (a *alarms) Alarm(ctx context.Context, info durable.AlarmInfo) error {
	s := a.state.Storage()
	if _, err := s.SQL().Exec(`INSERT INTO attempts VALUES (?, ?, ?, ?)`, info.RetryCount, info.IsRetry, time.Now().UnixMilli(), info.ScheduledTime.UnixMilli()); err != nil {
		return err
	}
	v, _, err := s.KV().Get("failures")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(v))
	if n <= 0 {
		return nil
	}
	if err := s.KV().Put("failures", []byte(strconv.Itoa(n-1))); err != nil {
		return err
	}
	if p, _, _ := s.KV().Get("panic"); string(p) == "1" {
		panic("the alarm handler panics on purpose")
	}
	return errors.New("the alarm handler fails on purpose")
}

// deleteAll fills SQL, KV and the alarm, deletes everything and reports what
// is left.
func (a *alarms) deleteAll(w http.ResponseWriter, r *http.Request) {
	s := a.state.Storage()
	_, err := s.SQL().Exec(`CREATE TABLE IF NOT EXISTS notes (body TEXT); INSERT INTO notes VALUES ('x')`)
	if err == nil {
		err = s.KV().Put("key", []byte("value"))
	}
	if err == nil {
		err = s.SetAlarm(time.Now().Add(time.Hour))
	}
	if err == nil {
		err = s.DeleteAll()
	}
	if err != nil {
		fail(w, err)
		return
	}
	res, err := s.SQL().Exec(`SELECT name FROM sqlite_master`)
	if err != nil {
		fail(w, err)
		return
	}
	entries, err := s.KV().List(nil)
	if err != nil {
		fail(w, err)
		return
	}
	_, alarmSet, err := s.Alarm()
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"schema": len(res.Rows), "kv": len(entries), "alarm": alarmSet})
}

// startup loads in BlockConcurrencyWhile from its constructor, for 300 ms.
// An object whose name starts with "fail-once" fails its first load.
type startup struct {
	instance string
	loaded   time.Time
}

// failedBoots remembers, across instances (the Go runtime outlives them), the
// objects whose load has failed once.
var failedBoots sync.Map

func newStartup(state durable.State, _ durable.Env) (durable.Object, error) {
	s := &startup{instance: newInstanceID()}
	err := state.BlockConcurrencyWhile(func(ctx context.Context) error {
		if name := state.ID().Name(); strings.Contains(name, "fail-once") {
			if _, failed := failedBoots.LoadOrStore(name, true); !failed {
				return errors.New("loading failed on purpose")
			}
		}
		// Waiting on a timer lets other events in, were they not held back.
		time.Sleep(300 * time.Millisecond)
		_, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS boots (at INTEGER); INSERT INTO boots VALUES (unixepoch())`)
		s.loaded = time.Now()
		return err
	})
	return s, err
}

func (s *startup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{"instance": s.instance, "loaded": s.loaded.UnixMilli(), "served": time.Now().UnixMilli()})
}
