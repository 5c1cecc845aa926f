package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/bridge"
)

// bootID names this Go runtime: a runtime that died and was booted again
// answers another one.
var bootID = func() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// front serves /stats (the runtime's census, bridge.ReadStats) and relays
// /o/{name}/... to the Box of that name, WebSocket upgrades included.
func front(env durable.Env) http.Handler {
	boxes, err := env.Namespace("BOX")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"boot": bootID, "stats": bridge.ReadStats()})
	})
	mux.HandleFunc("/o/{name}/", func(w http.ResponseWriter, r *http.Request) {
		boxes.GetByName(r.PathValue("name")).ServeHTTP(w, r)
	})
	return mux
}

// Box keeps string values in SQL, and a count of the requests its Go
// instance served in memory (lost when the runtime dies).
type Box struct {
	state durable.State
	sql   durable.SQL
	name  string
	hits  int
}

func newBox(state durable.State, env durable.Env) (durable.Object, error) {
	b := &Box{state: state, sql: state.Storage().SQL(), name: state.ID().Name()}
	_, err := b.sql.Exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`)
	return b, err
}

// ServeHTTP answers, under /o/{name}/:
//
//	POST put?k=&v=          writes a value, then answers "ok"
//	GET  get?k=             the value (404 when there is none)
//	GET  keys?prefix=       the keys with that prefix, as JSON
//	POST hold?ms=&k=&v=     sleeps on a Go timer, then writes: a request in flight
//	GET  mem                {"boot", "hits"}: what lives in memory only
//	POST fault?kind=&tag=   faults inside a transaction (see faultIn); for kind
//	                        oom, mb= sets the chunk size and touch=0 leaves the
//	                        pages untouched
//	POST arm?kind=&tag=     sets an alarm whose first attempt faults
//	GET  ws                 accepts a hibernatable WebSocket (see WebSocketMessage)
func (b *Box) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	op := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var err error
	switch op {
	case "put":
		if err = b.put(q.Get("k"), q.Get("v")); err == nil {
			fmt.Fprint(w, "ok")
		}
	case "get":
		v, ok, gerr := b.get(q.Get("k"))
		switch {
		case gerr != nil:
			err = gerr
		case !ok:
			http.Error(w, "no value under "+q.Get("k"), http.StatusNotFound)
		default:
			fmt.Fprint(w, v)
		}
	case "keys":
		keys, kerr := b.keys(q.Get("prefix"))
		if err = kerr; err == nil {
			json.NewEncoder(w).Encode(keys)
		}
	case "hold":
		ms, _ := strconv.Atoi(q.Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			err = r.Context().Err()
		}
		if err == nil {
			if err = b.put(q.Get("k"), q.Get("v")); err == nil {
				fmt.Fprint(w, "ok")
			}
		}
	case "mem":
		b.hits++
		json.NewEncoder(w).Encode(map[string]any{"boot": bootID, "hits": b.hits})
	case "fault":
		if mb, _ := strconv.Atoi(q.Get("mb")); mb > 0 {
			chunkMiB = mb
		}
		touch = q.Get("touch") != "0"
		err = b.faultIn(q.Get("kind"), q.Get("tag"))
		if err == nil {
			fmt.Fprint(w, "no fault")
		}
	case "arm":
		// The alarm reads what to do from storage: its attempt may run in
		// another Go instance (or runtime) than this request.
		if err = b.put("alarm-kind", q.Get("kind")); err == nil {
			if err = b.put("alarm-tag", q.Get("tag")); err == nil {
				err = b.state.Storage().SetAlarm(time.Now().Add(50 * time.Millisecond))
			}
		}
		if err == nil {
			fmt.Fprint(w, "ok")
		}
	case "ws":
		if _, err = b.state.AcceptWebSocket(w, r, nil); errors.Is(err, durable.ErrNotWebSocket) {
			durable.RefuseUpgrade(w)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (b *Box) put(k, v string) error {
	_, err := b.sql.Exec(`INSERT INTO kv VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, v)
	return err
}

func (b *Box) get(k string) (v string, ok bool, err error) {
	res, err := b.sql.Exec(`SELECT v FROM kv WHERE k = ?`, k)
	if err != nil {
		return "", false, err
	}
	if err := res.One(&v); err != nil {
		if errors.Is(err, durable.ErrNoRows) {
			return "", false, nil
		}
		return "", false, err
	}
	return v, true, nil
}

func (b *Box) keys(prefix string) ([]string, error) {
	res, err := b.sql.Exec(`SELECT k FROM kv WHERE substr(k, 1, length(?)) = ? ORDER BY k`, prefix, prefix)
	if err != nil {
		return nil, err
	}
	keys := []string{}
	for _, row := range res.Rows {
		keys = append(keys, fmt.Sprint(row[0]))
	}
	return keys, nil
}

// faultIn opens a transaction, writes three rows tag-0..tag-2 in it, and
// then faults: none of the rows may survive.
func (b *Box) faultIn(kind, tag string) error {
	if tag == "" {
		return errors.New("fault: tag is empty")
	}
	return b.state.Storage().Transaction(func() error {
		for i := range 3 {
			if err := b.put(fmt.Sprintf("%s-%d", tag, i), "written inside the faulting transaction"); err != nil {
				return err
			}
		}
		return fault(kind)
	})
}

// hoard keeps what the "oom" fault allocates reachable, chunkMiB at a time.
var (
	hoard    [][]byte
	chunkMiB = 64
	touch    = true
)

// fault fails the way kind names; it returns only for an unknown kind.
func fault(kind string) error {
	switch kind {
	case "panic":
		panic("faultworker: a panic on purpose")
	case "goroutine":
		// Another goroutine panics; nothing recovers it, so the Go program
		// ends while this one still holds the transaction open.
		go func() { panic("faultworker: a goroutine's panic on purpose") }()
		for {
			runtime.Gosched()
		}
	case "exit":
		os.Exit(3)
	case "oom":
		// 64 MiB at a time, every page touched, until the runtime cannot grow
		// its memory (wasm32 addresses 4 GiB at most).
		for {
			chunk := make([]byte, chunkMiB<<20)
			for i := 0; touch && i < len(chunk); i += 4096 {
				chunk[i] = 1
			}
			hoard = append(hoard, chunk)
		}
	}
	return fmt.Errorf("fault: unknown kind %q (panic, goroutine, exit or oom)", kind)
}

// Alarm faults on its first attempt as the last arm request said; a retry
// records its retry count under alarm-retried.
func (b *Box) Alarm(ctx context.Context, info durable.AlarmInfo) error {
	if info.RetryCount == 0 {
		kind, _, err := b.get("alarm-kind")
		if err != nil {
			return err
		}
		tag, _, err := b.get("alarm-tag")
		if err != nil {
			return err
		}
		return b.faultIn(kind, tag)
	}
	return b.put("alarm-retried", strconv.Itoa(info.RetryCount))
}

// WebSocketMessage answers "put:k=v" with "ok:k", "get:k" with "value:v" (or
// "none"), and faults on "fault:kind:tag".
func (b *Box) WebSocketMessage(ctx context.Context, ws *durable.WebSocket, typ durable.MessageType, data []byte) error {
	verb, arg, _ := strings.Cut(string(data), ":")
	switch verb {
	case "put":
		k, v, _ := strings.Cut(arg, "=")
		if err := b.put(k, v); err != nil {
			return err
		}
		return ws.SendText("ok:" + k)
	case "get":
		v, ok, err := b.get(arg)
		if err != nil {
			return err
		}
		if !ok {
			return ws.SendText("none")
		}
		return ws.SendText("value:" + v)
	case "fault":
		kind, tag, _ := strings.Cut(arg, ":")
		return b.faultIn(kind, tag)
	}
	return ws.SendText("unknown message: " + string(data))
}

// Put writes a value (RPC).
func (b *Box) Put(ctx context.Context, k, v string) error { return b.put(k, v) }

// Get reads a value, "" when there is none (RPC).
func (b *Box) Get(ctx context.Context, k string) (string, error) {
	v, _, err := b.get(k)
	return v, err
}

// Fault faults inside a transaction (RPC).
func (b *Box) Fault(ctx context.Context, kind, tag string) error { return b.faultIn(kind, tag) }
