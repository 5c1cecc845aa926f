// Command badinputworker is the Worker of the bad-input end-to-end tests
// (e2e/badinput.test.mjs): it hands what a client sends, byte for byte, to
// the SDK's ID parsing, KV keys, SQL text and body reading on workerd, and
// answers with the error the SDK gives.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/badinputworker/wrangler.jsonc ./e2e/badinputworker
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Box": newBox, "Other": newBox},
	})
}

// status is the HTTP status of an SDK error: the client's fault (400) for
// the errors that say so, else the server's.
func status(err error) int {
	var sqlErr *durable.SQLError
	switch {
	case errors.Is(err, durable.ErrInvalidUTF8), errors.Is(err, durable.ErrInvalidID),
		errors.Is(err, durable.ErrUnsupportedType), errors.As(err, &sqlErr):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func fail(w http.ResponseWriter, err error) { http.Error(w, err.Error(), status(err)) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// front serves
//
//	GET /id/{binding}?s=…     the ID s parses to in that namespace (400 if none), asked of its object
//	GET /name/{binding}?n=…   the ID of name n in that namespace
//	/{binding}/{name}/{op}    the named object's op (see newBox)
func front(env durable.Env) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /id/{binding}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := env.Namespace(r.PathValue("binding"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		id, err := ns.IDFromString(r.URL.Query().Get("s"))
		if err != nil {
			fail(w, err)
			return
		}
		relay(w, r, ns.Get(id), http.MethodGet, "ping", nil)
	})
	mux.HandleFunc("GET /name/{binding}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := env.Namespace(r.PathValue("binding"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		fmt.Fprint(w, ns.IDFromName(r.URL.Query().Get("n")))
	})
	mux.HandleFunc("/{binding}/{name}/{op}", func(w http.ResponseWriter, r *http.Request) {
		ns, err := env.Namespace(r.PathValue("binding"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		relay(w, r, ns.Get(ns.IDFromName(r.PathValue("name"))), r.Method, r.PathValue("op"), r.Body)
	})
	return mux
}

// relay sends the request's query, headers and body on to op of the object.
func relay(w http.ResponseWriter, r *http.Request, stub durable.Stub, method, op string, body io.Reader) {
	req, err := http.NewRequestWithContext(r.Context(), method, "https://object/"+op+"?"+r.URL.RawQuery, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Header = r.Header.Clone()
	req.ContentLength = r.ContentLength
	resp, err := stub.Fetch(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// newBox serves
//
//	GET  /ping             the object's ID
//	PUT  /kv?key=…         stores the body under key
//	GET  /kv?key=…         the value under key (404 if none)
//	GET  /keys             every key, as JSON
//	POST /sql?arg=…        runs the body as SQL with the args as text; the rows as JSON
//	POST /upload?limit=N   reads at most N bytes of body (413 beyond); the byte count
//	GET  /headers          how many request headers arrived, and their bytes
func newBox(state durable.State, env durable.Env) (durable.Object, error) {
	kv, sql := state.Storage().KV(), state.Storage().SQL()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, state.ID())
	})
	mux.HandleFunc("PUT /kv", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = kv.Put(r.URL.Query().Get("key"), body)
		}
		if err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /kv", func(w http.ResponseWriter, r *http.Request) {
		v, ok, err := kv.Get(r.URL.Query().Get("key"))
		switch {
		case err != nil:
			fail(w, err)
		case !ok:
			http.Error(w, "no such key", http.StatusNotFound)
		default:
			w.Write(v)
		}
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		entries, err := kv.List(nil)
		if err != nil {
			fail(w, err)
			return
		}
		keys := []string{}
		for _, e := range entries {
			keys = append(keys, e.Key)
		}
		writeJSON(w, keys)
	})
	mux.HandleFunc("POST /sql", func(w http.ResponseWriter, r *http.Request) {
		query, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, err)
			return
		}
		var args []any
		for _, a := range r.URL.Query()["arg"] {
			args = append(args, a)
		}
		res, err := sql.Exec(string(query), args...)
		if err != nil {
			fail(w, err)
			return
		}
		rows := [][]any{}
		for _, row := range res.Rows {
			rows = append(rows, row)
		}
		writeJSON(w, rows)
	})
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		limit, err := strconv.ParseInt(r.URL.Query().Get("limit"), 10, 64)
		if err != nil || limit < 0 {
			http.Error(w, "limit must be a byte count", http.StatusBadRequest)
			return
		}
		tooLarge := func() {
			http.Error(w, fmt.Sprintf("the body is over %d bytes", limit), http.StatusRequestEntityTooLarge)
		}
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		n, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, limit))
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			tooLarge()
		case err != nil:
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		default:
			writeJSON(w, map[string]int64{"bytes": n, "contentLength": r.ContentLength})
		}
	})
	mux.HandleFunc("GET /headers", func(w http.ResponseWriter, r *http.Request) {
		count, size := 0, 0
		for k, vs := range r.Header {
			for _, v := range vs {
				count++
				size += len(k) + len(v)
			}
		}
		writeJSON(w, map[string]int{"count": count, "bytes": size})
	})
	return mux, nil
}
