// Command streamworker is the Worker of the streaming test (e2e/stream.test.mjs):
// request and response bodies far larger than the isolate could hold, streamed
// through Go between the client, the front handler and a Durable Object, and
// server-sent events that reach the client while the handler still runs.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/streamworker/wrangler.jsonc ./e2e/streamworker
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Store": newStore},
	})
}

// front serves:
//
//	POST /upload/{name}     the request body goes on to Store name's /upload
//	POST /upload-go/{name}  ?mb=N: Go generates an N MiB body for /upload
//	POST /ignore            answers without reading the body
//	POST /ignore/{name}     Store name answers without reading the body
//	GET  /sse               ?wait=ms: one event, a wait, a second event
//	GET  /sse/{name}        the same events from Store name, relayed as they come
//	GET  /download/{name}   ?mb=N: N MiB that Store name generates
//	GET  /panic             a panic after the first event was sent
func front(env durable.Env) http.Handler {
	stores, err := env.Namespace("STORE")
	if err != nil {
		panic(err)
	}
	store := func(r *http.Request, method, path string, body io.Reader) (*http.Response, error) {
		req, err := http.NewRequestWithContext(r.Context(), method, "https://store"+path, body)
		if err != nil {
			return nil, err
		}
		return stores.Get(stores.IDFromName(r.PathValue("name"))).Fetch(req)
	}
	relay := func(w http.ResponseWriter, resp *http.Response, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		// Flush each piece as it comes, as httputil.ReverseProxy does for events.
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
			if err != nil {
				return
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload/{name}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := store(r, "POST", "/upload", r.Body)
		relay(w, resp, err)
	})
	mux.HandleFunc("POST /upload-go/{name}", func(w http.ResponseWriter, r *http.Request) {
		mb, _ := strconv.Atoi(r.URL.Query().Get("mb"))
		// A reader of unknown length: the stub fetch streams it from Go.
		body := io.MultiReader(io.LimitReader(&pattern{}, int64(mb)<<20))
		resp, err := store(r, "POST", "/upload", body)
		relay(w, resp, err)
	})
	mux.HandleFunc("POST /ignore", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored")
	})
	mux.HandleFunc("POST /ignore/{name}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := store(r, "POST", "/ignore", r.Body)
		relay(w, resp, err)
	})
	mux.HandleFunc("GET /sse", events)
	mux.HandleFunc("GET /sse/{name}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := store(r, "GET", "/sse?"+r.URL.RawQuery, nil)
		relay(w, resp, err)
	})
	mux.HandleFunc("GET /download/{name}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := store(r, "GET", "/download?"+r.URL.RawQuery, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		io.Copy(w, resp.Body)
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		time.Sleep(50 * time.Millisecond)
		panic("streamworker: a panic after the response began")
	})
	return mux
}

// events writes one server-sent event, waits (?wait=ms, default 2000), and
// writes a second; each event carries the milliseconds since the handler began.
func events(w http.ResponseWriter, r *http.Request) {
	wait, err := strconv.Atoi(r.URL.Query().Get("wait"))
	if err != nil {
		wait = 2000
	}
	began := time.Now()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fmt.Fprintf(w, "data: one %d\n\n", time.Since(began).Milliseconds())
	w.(http.Flusher).Flush()
	time.Sleep(time.Duration(wait) * time.Millisecond)
	fmt.Fprintf(w, "data: two %d\n\n", time.Since(began).Milliseconds())
}

// pattern is an endless, cheap, deterministic byte stream: byte i is i*7 mod
// 256 (the test makes the same bytes).
type pattern struct{ n int }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.n + i) * 7)
	}
	p.n += len(b)
	return len(b), nil
}

// Store keeps, for each upload, one SQL row per MiB it read: its size and
// checksum.
type Store struct {
	sql durable.SQL
	mux *http.ServeMux
}

func newStore(state durable.State, env durable.Env) (durable.Object, error) {
	s := &Store{sql: state.Storage().SQL(), mux: http.NewServeMux()}
	if _, err := s.sql.Exec(`CREATE TABLE IF NOT EXISTS chunks (upload INTEGER NOT NULL, seq INTEGER NOT NULL, size INTEGER NOT NULL, crc32 INTEGER NOT NULL, PRIMARY KEY (upload, seq))`); err != nil {
		return nil, err
	}
	s.mux.HandleFunc("POST /upload", s.upload)
	s.mux.HandleFunc("POST /ignore", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored by the object")
	})
	s.mux.HandleFunc("GET /sse", events)
	s.mux.HandleFunc("GET /download", func(w http.ResponseWriter, r *http.Request) {
		mb, _ := strconv.Atoi(r.URL.Query().Get("mb"))
		io.Copy(w, io.LimitReader(&pattern{}, int64(mb)<<20))
	})
	return s, nil
}

func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// upload reads the body a MiB at a time and records each piece in SQL, then
// answers what SQL holds for this upload.
func (s *Store) upload(w http.ResponseWriter, r *http.Request) {
	upload := time.Now().UnixMicro()
	whole := sha256.New()
	buf := make([]byte, 1<<20)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r.Body, buf)
		if n > 0 {
			whole.Write(buf[:n])
			if _, err := s.sql.Exec(`INSERT INTO chunks VALUES (?, ?, ?, ?)`, upload, seq, n, int64(crc32.ChecksumIEEE(buf[:n]))); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	res, err := s.sql.Exec(`SELECT count(*), coalesce(sum(size), 0) FROM chunks WHERE upload = ?`, upload)
	var chunks, size int64
	if err == nil {
		err = res.One(&chunks, &size)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"chunks":        chunks,
		"bytes":         size,
		"sha256":        hex.EncodeToString(whole.Sum(nil)),
		"contentLength": r.ContentLength,
	})
}
