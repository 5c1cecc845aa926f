// Command loadworker is the Worker of the load and durability test
// (e2e/load.test.mjs) and of the soak (bench/soak.mjs). Every write is one
// transaction that touches several places at once, so that a write applied by
// halves shows: it adds a row to the log, adds one to its kind's counter and,
// for a KV write, puts a key. A write arrives four ways: an HTTP request that
// writes with SQL, one that writes through KV, an RPC call from the front
// handler, and a message on a hibernatable WebSocket. Its answer (the HTTP
// response, the RPC result, the WebSocket reply) is its acknowledgement.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/loadworker/wrangler.jsonc ./e2e/loadworker
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Ledger": newLedger},
		RPC:     map[string]any{"Ledger": (*Ledger)(nil)},
	})
}

// front routes /{kind}/{name}?w={write id} to the Ledger of that name:
// /sql, /kv and /ws (the upgrade) and /state are forwarded as they are, and
// /rpc becomes an RPC call to the Ledger's Write.
func front(env durable.Env) http.Handler {
	ledgers, err := env.Namespace("LEDGER")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	forward := func(w http.ResponseWriter, r *http.Request) {
		ledgers.GetByName(r.PathValue("name")).ServeHTTP(w, r)
	}
	mux.HandleFunc("POST /sql/{name}", forward)
	mux.HandleFunc("POST /kv/{name}", forward)
	mux.HandleFunc("GET /ws/{name}", forward)
	mux.HandleFunc("GET /state/{name}", forward)
	mux.HandleFunc("POST /rpc/{name}", func(w http.ResponseWriter, r *http.Request) {
		n, err := durable.Call[int](r.Context(), ledgers.GetByName(r.PathValue("name")), "write", r.URL.Query().Get("w"), "rpc")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	return mux
}

// Ledger keeps a log of the writes it applied and one counter per kind.
type Ledger struct {
	state durable.State
	sql   durable.SQL
	kv    durable.KV
}

func newLedger(state durable.State, _ durable.Env) (durable.Object, error) {
	l := &Ledger{state: state, sql: state.Storage().SQL(), kv: state.Storage().KV()}
	_, err := l.sql.Exec(`CREATE TABLE IF NOT EXISTS counts (kind TEXT PRIMARY KEY, n INTEGER NOT NULL);
		CREATE TABLE IF NOT EXISTS log (wid TEXT PRIMARY KEY, kind TEXT NOT NULL)`)
	return l, err
}

// kinds are the ways a write arrives; each has its counter.
var kinds = map[string]bool{"sql": true, "kv": true, "rpc": true, "ws": true}

// errBadWrite is the error of a write the client got wrong: a 400, not a 500.
var errBadWrite = errors.New("bad write")

// Write applies write wid of the given kind in one transaction and returns
// the kind's new count. Writes are idempotent by id: a write id already in
// the log changes nothing and answers the kind's count, so that a client may
// send a write again when its connection failed before the answer came.
func (l *Ledger) Write(wid, kind string) (int, error) {
	if wid == "" || !kinds[kind] {
		return 0, fmt.Errorf("write %q of kind %q: %w: want a write id (?w=) and a kind among sql, kv, rpc, ws", wid, kind, errBadWrite)
	}
	var n int
	err := l.state.Storage().Transaction(func() error {
		res, err := l.sql.Exec(`INSERT INTO log VALUES (?, ?) ON CONFLICT (wid) DO NOTHING RETURNING wid`, wid, kind)
		if err != nil {
			return err
		}
		if len(res.Rows) == 0 {
			// Applied before: answer as the first time did.
			res, err := l.sql.Exec(`SELECT (SELECT kind FROM log WHERE wid = ?), (SELECT n FROM counts WHERE kind = ?)`, wid, kind)
			var was string
			if err == nil {
				err = res.One(&was, &n)
			}
			if err == nil && was != kind {
				err = fmt.Errorf("write %s: %w: it was a %s write, not %s", wid, errBadWrite, was, kind)
			}
			return err
		}
		if kind == "kv" {
			if err := l.kv.Put("w/"+wid, []byte(wid)); err != nil {
				return err
			}
		}
		res, err = l.sql.Exec(`INSERT INTO counts VALUES (?, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1 RETURNING n`, kind)
		if err == nil {
			err = res.One(&n)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", wid, err)
	}
	if kind == "kv" {
		// Read the key back outside the transaction: the write is visible.
		v, ok, err := l.kv.Get("w/" + wid)
		if err != nil || !ok || string(v) != wid {
			return 0, fmt.Errorf("write %s: read back %q, %v, %v", wid, v, ok, err)
		}
	}
	return n, nil
}

// State is what a Ledger holds, for the test to compare with what it
// acknowledged.
type State struct {
	Counts map[string]int      `json:"counts"` // kind → counter
	Log    map[string][]string `json:"log"`    // kind → write ids in the log
	KV     []string            `json:"kv"`     // write ids under w/ in KV
}

func (l *Ledger) read() (State, error) {
	s := State{Counts: map[string]int{}, Log: map[string][]string{}, KV: []string{}}
	res, err := l.sql.Exec(`SELECT kind, n FROM counts`)
	if err != nil {
		return s, err
	}
	for _, row := range res.Rows {
		var kind string
		var n int
		if err := row.Scan(&kind, &n); err != nil {
			return s, err
		}
		s.Counts[kind] = n
	}
	if res, err = l.sql.Exec(`SELECT kind, wid FROM log ORDER BY wid`); err != nil {
		return s, err
	}
	for _, row := range res.Rows {
		var kind, wid string
		if err := row.Scan(&kind, &wid); err != nil {
			return s, err
		}
		s.Log[kind] = append(s.Log[kind], wid)
	}
	entries, err := l.kv.List(&durable.ListOptions{Prefix: "w/"})
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		s.KV = append(s.KV, strings.TrimPrefix(e.Key, "w/"))
	}
	return s, nil
}

func (l *Ledger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/ws/"):
		_, err := l.state.AcceptWebSocket(w, r, nil)
		if errors.Is(err, durable.ErrNotWebSocket) {
			durable.RefuseUpgrade(w)
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case strings.HasPrefix(r.URL.Path, "/state/"):
		s, err := l.read()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s)
	default:
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		n, err := l.Write(r.URL.Query().Get("w"), kind)
		if errors.Is(err, errBadWrite) {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	}
}

// WebSocketMessage applies the write whose id is the message, and replies
// "ok {id} {count}" once it is applied, or "error {id} {why}".
func (l *Ledger) WebSocketMessage(ctx context.Context, ws *durable.WebSocket, _ durable.MessageType, data []byte) error {
	wid := string(data)
	n, err := l.Write(wid, "ws")
	if err != nil {
		return ws.SendText(fmt.Sprintf("error %s %v", wid, err))
	}
	return ws.SendText(fmt.Sprintf("ok %s %d", wid, n))
}
