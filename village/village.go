package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// GreeterBinding is the binding name of the Greeter namespace in wrangler.jsonc.
const GreeterBinding = "GREETER"

// MaxNameLength is the longest name, in characters, a Greeter accepts.
const MaxNameLength = 64

// Worker is the village: a front router plus its Durable Object classes.
func Worker() durable.Worker {
	return durable.Worker{
		Front:   NewRouter,
		Objects: map[string]durable.Constructor{"Greeter": NewGreeter, "Square": NewSquare, "Clock": NewClock, "TownHall": NewTownHall},
		// The town hall is called by RPC only: its exported methods are served.
		RPC: map[string]any{"TownHall": (*TownHall)(nil)},
	}
}

// NewRouter builds the front worker's handler.
func NewRouter(env durable.Env) http.Handler {
	greeters, err1 := env.Namespace(GreeterBinding)
	squares, err2 := env.Namespace(SquareBinding)
	clocks, err3 := env.Namespace(ClockBinding)
	if err := errors.Join(err1, err2, err3); err != nil {
		log.Printf("village: %v", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "the village is misconfigured; see the log", http.StatusInternalServerError)
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", home)
	mux.HandleFunc("GET /hey/{name...}", func(w http.ResponseWriter, r *http.Request) {
		forward(w, r, greeters, "/visit")
	})
	mux.HandleFunc("GET /panic/{name...}", func(w http.ResponseWriter, r *http.Request) {
		forward(w, r, greeters, "/panic")
	})
	mux.HandleFunc("GET /crash/{name...}", func(w http.ResponseWriter, r *http.Request) {
		forward(w, r, greeters, "/crash")
	})
	mux.HandleFunc("GET /census", CensusHandler(env))
	mux.HandleFunc("GET /square/{name}", squarePage)
	mux.HandleFunc("GET /square/{name}/ws", func(w http.ResponseWriter, r *http.Request) {
		relay(w, r, squares, "/ws?name="+url.QueryEscape(r.URL.Query().Get("name")))
	})
	mux.HandleFunc("POST /clock/{name}", func(w http.ResponseWriter, r *http.Request) {
		relay(w, r, clocks, clockPath(r.PathValue("name")))
	})
	mux.HandleFunc("GET /clock/{name}", func(w http.ResponseWriter, r *http.Request) {
		relay(w, r, clocks, "/reminders")
	})
	return mux
}

// CheckName reports why name is not a valid villager name, or nil.
func CheckName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("name must be valid UTF-8")
	case n < 1 || n > MaxNameLength:
		return fmt.Errorf("name must be 1 to %d characters long, got %d", MaxNameLength, n)
	case strings.Contains(name, "/"):
		return fmt.Errorf("name must not contain '/'")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("name must not contain control characters")
	case name == "." || name == "..":
		// A URL cannot carry them: clients and routers resolve the segment away.
		return fmt.Errorf("name must not be %q", name)
	}
	return nil
}

// forward visits the Greeter of the request's name (always a POST, since a
// visit counts) and relays its answer.
func forward(w http.ResponseWriter, r *http.Request, greeters durable.Namespace, path string) {
	if r.Method == http.MethodHead {
		// HEAD must not change anything: answer the headers a GET would have
		// without visiting the Greeter.
		if badName(w, r.PathValue("name")) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return
	}
	visit := r.Clone(r.Context())
	visit.Method, visit.Body = http.MethodPost, http.NoBody
	relay(w, visit, greeters, path)
}

// relay sends r, with its method, headers and body, to path on the object of
// the request's name, and relays the answer, a WebSocket upgrade included.
func relay(w http.ResponseWriter, r *http.Request, ns durable.Namespace, path string) {
	name := r.PathValue("name")
	if badName(w, name) {
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "https://object"+path, r.Body)
	if err != nil {
		log.Printf("village: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "could not reach the object for "+name, http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	req.ContentLength = r.ContentLength // so the object can refuse a body by its announced size
	resp, err := ns.Get(ns.IDFromName(name)).Fetch(req)
	if err != nil {
		log.Printf("village: %s %s: %v", r.Method, r.URL.Path, err)
		http.Error(w, "the object for "+name+" is unreachable; try again", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// badName answers 400 and reports true when name is not a villager name.
func badName(w http.ResponseWriter, name string) bool {
	if err := CheckName(name); err != nil {
		http.Error(w, "Bad name: "+err.Error()+"\nA name is 1 to 64 characters, without '/' or control characters, and not . or .., as in /hey/Alice", http.StatusBadRequest)
		return true
	}
	return false
}

// homePage is plain text, not an html/template: a template's execution looks
// methods up by name, which makes Go's linker keep every exported method of
// every linked type and grows the wasm by about 6 MB.
const homePage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Durable Objects-upon-Go</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2em}</style>
</head>
<body>
<h1>Durable Objects-upon-Go</h1>
<p>A village of Cloudflare Durable Objects written in Go. Every name has its own
<em>Greeter</em>, a Durable Object that counts its visitors in its own SQLite database.
The count survives restarts.</p>
<h2>Endpoints</h2>
<ul>
<li><a href="/hey/Ada"><code>GET /hey/{name}</code></a>: greets <em>name</em> and shows how many visits that name has had.</li>
<li><a href="/panic/Ada"><code>GET /panic/{name}</code></a>: the Greeter's handler panics; that request gets a 500, and the Greeter keeps serving.</li>
<li><a href="/crash/Ada"><code>GET /crash/{name}</code></a>: a goroutine of the Greeter panics and ends its Go runtime; the next request boots a fresh one.</li>
<li><a href="/census"><code>GET /census</code></a>: the town hall's census of names and visits, which every Greeter reports to by RPC.</li>
<li><a href="/square/Ada"><code>GET /square/{name}</code></a>: the square of <em>name</em>, a chat room in the browser (WebSocket hibernation, history in SQL, a rate limit per person), where the town clock posts reminders set by alarm.</li>
</ul>
<p>A name is 1 to 64 characters, without <code>/</code> or control characters, and not <code>.</code> or <code>..</code>.</p>
</body>
</html>
`

//go:embed square.html
var squareHTML []byte

func squarePage(w http.ResponseWriter, r *http.Request) {
	if badName(w, r.PathValue("name")) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(squareHTML)
}

func home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, homePage)
}
