package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func decodeEcho(t T, body string) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("decoding echo %q: %v", body, err)
	}
	return e
}

func init() {
	add("stub/echo-post", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("echo"))
		resp, body := call(t, o, stub, http.MethodPost, "https://peer.example/echo?a=1&b=two%20words", text("hello body"))
		same(t, "status", resp.StatusCode, http.StatusOK)
		e := decodeEcho(t, body)
		same(t, "method", e.Method, "POST")
		same(t, "body", e.Body, "hello body")
		same(t, "content length", e.ContentLength, int64(len("hello body")))
		same(t, "path", e.Path, "/echo")
		same(t, "query", e.Query, "a=1&b=two%20words")
		same(t, "host", e.Host, "peer.example")
		same(t, "url", e.URL, "https://peer.example/echo?a=1&b=two%20words")
		same(t, "response content type", resp.Header.Get("Content-Type"), "application/json")
	})
	add("stub/methods", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("methods"))
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodPost} {
			var body io.Reader
			if m != http.MethodGet {
				body = text("payload " + m)
			}
			_, got := call(t, o, stub, m, "https://peer/echo", body)
			e := decodeEcho(t, got)
			same(t, "method", e.Method, m)
			if m != http.MethodGet {
				same(t, m+" body", e.Body, "payload "+m)
			} else {
				same(t, "GET body", e.Body, "")
			}
		}
	})
	add("stub/request-headers", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("headers"))
		_, body := call(t, o, stub, http.MethodGet, "https://peer/echo", nil,
			"X-Custom", "value", "x-lower", "Lower", "X-Multi", "a", "X-Multi", "b", "X-Spaces", "  trimmed  ")
		e := decodeEcho(t, body)
		names := make([]string, 0, len(e.Header))
		for name := range e.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		t.Logf("headers the peer received: %v", names)
		same(t, "X-Custom", e.Header["X-Custom"], []string{"value"})
		same(t, "X-Lower", e.Header["X-Lower"], []string{"Lower"})
		same(t, "X-Multi (merged as JavaScript's Headers does)", e.Header["X-Multi"], []string{"a, b"})
		same(t, "X-Spaces", e.Header["X-Spaces"], []string{"trimmed"})
	})
	add("stub/response-headers", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("rheaders"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/headers", nil)
		same(t, "body", body, "headers")
		names := make([]string, 0, len(resp.Header))
		for name := range resp.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		t.Logf("response headers: %v", names)
		same(t, "X-Multi", resp.Header.Values("X-Multi"), []string{"one, two"})
		same(t, "Set-Cookie", resp.Header.Values("Set-Cookie"), []string{"a=1", "b=2"})
		same(t, "X-Padded", resp.Header.Get("X-Padded"), "padded")
		same(t, "sniffed Content-Type", resp.Header.Get("Content-Type"), "text/plain; charset=utf-8")
		resp, _ = call(t, o, stub, http.MethodGet, "https://peer/echo?reply=pong", nil)
		same(t, "X-Reply", resp.Header.Get("X-Reply"), "pong")
	})
	add("stub/status-codes", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("status"))
		for _, code := range []int{200, 201, 202, 301, 400, 404, 418, 500, 503, 599} {
			resp, body := call(t, o, stub, http.MethodGet, "https://peer/status?code="+strconv.Itoa(code)+"&body=b"+strconv.Itoa(code)+"&type=text/plain", nil)
			same(t, "status", resp.StatusCode, code)
			same(t, "body", body, "b"+strconv.Itoa(code))
			same(t, "Status text", resp.Status, strings.TrimSpace(strconv.Itoa(code)+" "+http.StatusText(code)))
		}
	})
	add("stub/status-without-body", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("nobody"))
		for _, code := range []int{204, 304} {
			resp, body := call(t, o, stub, http.MethodGet, "https://peer/status?code="+strconv.Itoa(code)+"&body=ignored", nil)
			same(t, "status", resp.StatusCode, code)
			same(t, "body", body, "")
		}
	})
	add("stub/status-out-of-range-is-500", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("range"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/status?code=700&body=x", nil)
		t.Logf("status 700 became %d %q", resp.StatusCode, body)
		same(t, "status", resp.StatusCode, http.StatusInternalServerError)
	})
	add("stub/status-101-without-websocket-is-500", func(t T, o *Object) {
		// workerd's Response takes 101 only with a WebSocket, which a handler
		// cannot give here.
		stub := peerStub(t, o, PeerBinding, o.Unique("101"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/status?code=101&body=x", nil)
		t.Logf("status 101 became %d %q", resp.StatusCode, body)
		same(t, "status", resp.StatusCode, http.StatusInternalServerError)
	})
	add("stub/head-has-no-body", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("head"))
		resp, body := call(t, o, stub, http.MethodHead, "https://peer/status?code=200&body=not-for-head&type=text/plain", nil)
		same(t, "status", resp.StatusCode, http.StatusOK)
		same(t, "body", body, "")
		same(t, "Content-Type", resp.Header.Get("Content-Type"), "text/plain")
		_, body = call(t, o, stub, http.MethodGet, "https://peer/status?code=200&body=for-get", nil)
		same(t, "GET body", body, "for-get")
	})
	add("stub/host-in-request-host-only", func(t T, o *Object) {
		// As net/http's server does, the Host header becomes Request.Host.
		stub := peerStub(t, o, PeerBinding, o.Unique("host"))
		_, body := call(t, o, stub, http.MethodGet, "https://peer.example:8443/echo", nil)
		e := decodeEcho(t, body)
		same(t, "Request.Host", e.Host, "peer.example:8443")
		if v, ok := e.Header["Host"]; ok {
			t.Errorf("Host header %q in Request.Header", v)
		}
	})
	add("stub/headers-after-writeheader-not-sent", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("late"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/late-header", nil)
		same(t, "status", resp.StatusCode, http.StatusAccepted)
		same(t, "body", body, "late")
		same(t, "X-Early", resp.Header.Get("X-Early"), "sent")
		same(t, "X-Late", resp.Header.Values("X-Late"), []string(nil))
	})
	add("stub/get-with-body-refused", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("getbody"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/echo", text("body"))
		resp, err := stub.Fetch(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET with a body succeeded: %d", resp.StatusCode)
		}
		t.Logf("GET with a body: %v", err)
		if !strings.Contains(err.Error(), "GET or HEAD") {
			t.Errorf("error %q does not say why", err)
		}
	})
	add("stub/relative-url-refused", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("rel"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodGet, "/echo", nil)
		if _, err := stub.Fetch(req); err == nil || !strings.Contains(err.Error(), "absolute URL") {
			t.Errorf("relative URL: err = %v", err)
		}
	})
	add("stub/url-without-path", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("nopath"))
		resp, _ := call(t, o, stub, http.MethodGet, "https://peer", nil)
		same(t, "status of / on the peer mux", resp.StatusCode, http.StatusNotFound)
		_, body := call(t, o, stub, http.MethodGet, "https://PEER.Example/echo", nil)
		same(t, "host is lowercased", decodeEcho(t, body).Host, "peer.example")
	})
	add("stub/large-bodies", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("big"))
		payload := bytes.Repeat([]byte{1, 2, 3, 0, 255}, 200_000)
		resp, body := call(t, o, stub, http.MethodPost, "https://peer/big?n=1000000", bytes.NewReader(payload))
		same(t, "request length seen", resp.Header.Get("X-Request-Length"), strconv.Itoa(len(payload)))
		same(t, "response length", len(body), 1_000_000)
		if len(body) == 1_000_000 && (body[250] != byte(250%251) || body[999_999] != byte(999_999%251)) {
			t.Errorf("response bytes corrupted")
		}
	})
	add("stub/peer-panic-is-500", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("panicky"))
		_, before := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		resp, _ := call(t, o, stub, http.MethodGet, "https://peer/panic", nil)
		same(t, "status", resp.StatusCode, http.StatusInternalServerError)
		resp, after := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		same(t, "status after", resp.StatusCode, http.StatusOK)
		same(t, "same instance keeps serving", after, before)
	})
	add("stub/same-id-same-instance", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		name := o.Unique("shared")
		_, a := call(t, o, ns.Get(ns.IDFromName(name)), http.MethodGet, "https://peer/instance", nil)
		_, b := call(t, o, ns.Get(ns.IDFromName(name)), http.MethodGet, "https://peer/instance", nil)
		parsed, err := ns.IDFromString(ns.IDFromName(name).String())
		must(t, err, "IDFromString")
		_, c := call(t, o, ns.Get(parsed), http.MethodGet, "https://peer/instance", nil)
		alias := namespace(t, o, PeerAliasBinding)
		_, d := call(t, o, alias.Get(alias.IDFromName(name)), http.MethodGet, "https://peer/instance", nil)
		if a == "" || a != b || a != c || a != d {
			t.Errorf("instances %q %q %q %q, want one", a, b, c, d)
		}
		_, other := call(t, o, ns.Get(ns.IDFromName(o.Unique("other"))), http.MethodGet, "https://peer/instance", nil)
		if other == a {
			t.Errorf("two names share an instance")
		}
	})
	add("stub/unique-id-object", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		id := ns.NewUniqueID()
		stub := ns.Get(id)
		same(t, "stub ID", stub.ID().String(), id.String())
		call(t, o, stub, http.MethodPut, "https://peer/kv?key=k", text("stored"))
		_, body := call(t, o, ns.Get(id), http.MethodGet, "https://peer/kv?key=k", nil)
		same(t, "value", body, "stored")
		_, idBody := call(t, o, stub, http.MethodGet, "https://peer/id", nil)
		same(t, "peer's own ID (no name)", idBody, id.String()+" ")
	})
	add("stub/chain", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("first"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/call?name="+o.Unique("second")+"&path=/status%3Fcode%3D202%26body%3Dfrom-second", nil)
		same(t, "status", resp.StatusCode, 202)
		same(t, "body", body, "from-second")
	})
	add("stub/call-self", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("selfish"))
		_, direct := call(t, o, stub, http.MethodGet, "https://peer/instance", nil)
		resp, viaSelf := call(t, o, stub, http.MethodGet, "https://peer/call?self=1&path=/instance", nil)
		same(t, "status", resp.StatusCode, http.StatusOK)
		same(t, "instance reached through itself", viaSelf, direct)
	})
	add("stub/caller-deadline", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("slow"))
		ctx, cancel := context.WithTimeout(o.Ctx, 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://peer/sleep?ms=1500", nil)
		start := time.Now()
		resp, err := stub.Fetch(req)
		elapsed := time.Since(start)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("Fetch returned %d before the peer finished sleeping", resp.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if elapsed > time.Second {
			t.Errorf("Fetch took %v to honour a 100ms deadline", elapsed)
		}
	})
	add("stub/context-ends-with-the-event", func(t T, o *Object) {
		// As net/http's server does, the runtime cancels a request's context once
		// its handler has returned: a goroutine the handler left waiting on it
		// sees it end.
		stub := peerStub(t, o, PeerBinding, o.Unique("ctx"))
		resp, body := call(t, o, stub, http.MethodPost, "https://peer/watch-context", nil)
		same(t, "watch-context", fmt.Sprint(resp.StatusCode, " ", body), "200 watching")
		resp, body = call(t, o, stub, http.MethodGet, "https://peer/context-ended", nil)
		same(t, "what the goroutine saw", fmt.Sprint(resp.StatusCode, " ", body), "200 "+context.Canceled.Error())
	})
	add("stub/get-with-id-of-other-namespace", func(t T, o *Object) {
		// workerd does not check, in Get, that an ID belongs to the namespace: the
		// stub reaches the object of this class with that ID.
		peer, scenario := namespace(t, o, PeerBinding), namespace(t, o, ScenarioBinding)
		foreign := scenario.IDFromName(o.Unique("foreign"))
		resp, body := call(t, o, peer.Get(foreign), http.MethodGet, "https://peer/id", nil)
		t.Logf("peer reached through a Scenario ID: %d %q", resp.StatusCode, body)
		same(t, "status", resp.StatusCode, http.StatusOK)
		if !strings.HasPrefix(body, foreign.String()) {
			t.Errorf("peer ID %q, want %s", body, foreign)
		}
	})
	add("overlap/exact-counts", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("counter"))
		const n = 20
		var wg sync.WaitGroup
		results := make(chan string, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/incr", nil)
				resp, err := stub.Fetch(req)
				if err != nil {
					results <- "error: " + err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				results <- string(b)
			}()
		}
		wg.Wait()
		close(results)
		seen := map[string]bool{}
		for r := range results {
			seen[r] = true
		}
		for i := 1; i <= n; i++ {
			if !seen[strconv.Itoa(i)] {
				t.Errorf("no increment answered %d; answers: %v", i, seen)
				break
			}
		}
		_, final := call(t, o, stub, http.MethodGet, "https://peer/count", nil)
		same(t, "final count", final, strconv.Itoa(n))
	})
	add("overlap/interleave-while-awaiting", func(t T, o *Object) {
		// A's handler awaits a fetch to another object that takes long; B, sent
		// to the same peer once A is seen awaiting, runs and finishes while A
		// still waits. No step depends on a head start: the scenario learns
		// from the peer's own log that A is awaiting.
		p := peerStub(t, o, PeerBinding, o.Unique("p"))
		ctxA, cancelA := context.WithCancel(o.Ctx)
		defer cancelA()
		doneA := make(chan string, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctxA, http.MethodGet, "https://peer/call?log=1&name="+o.Unique("q")+"&path=/sleep%3Fms%3D30000", nil)
			resp, err := p.Fetch(req)
			if err != nil {
				doneA <- "error: " + err.Error()
				return
			}
			resp.Body.Close()
			doneA <- resp.Status
		}()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, events := call(t, o, p, http.MethodGet, "https://peer/events", nil); events == "call-start" {
				break
			} else if events != "" {
				t.Fatalf("peer log %q before A awaited", events)
			}
			select {
			case got := <-doneA:
				t.Fatalf("A ended (%s) before the peer logged it", got)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("A never reached the peer")
			}
		}
		_, count := call(t, o, p, http.MethodPost, "https://peer/incr?log=1", nil)
		same(t, "B's answer", count, "1")
		select {
		case got := <-doneA:
			t.Errorf("A ended (%s) before B did; it should still be awaiting a 30 s sleep", got)
		default:
		}
		_, events := call(t, o, p, http.MethodGet, "https://peer/events", nil)
		same(t, "peer log", events, "call-start,incr")
		cancelA() // A's Fetch gives up; the peer's call goes on in the background
		if got := <-doneA; !strings.Contains(got, "context canceled") {
			t.Errorf("A after cancelling: %s", got)
		}
	})
	add("overlap/serialized-without-await", func(t T, o *Object) {
		// A keeps the CPU busy without awaiting; B, sent meanwhile to the same
		// peer, must not run until A is done. The peer logs when each handler
		// runs, so the verdict does not depend on timing: the log must never
		// show B inside A. Whether B was sent while A ran does: nothing can tell
		// the scenario that A has started, since the peer serves no request
		// (not even a read of its log) while A spins, and A cannot signal
		// another object without awaiting. So when B arrived first, the attempt
		// proves nothing and is repeated with a longer head start (and a longer
		// spin), which a loaded machine cannot defeat for long.
		const attempts = 6
		headStart := 50 * time.Millisecond
		for attempt := 1; attempt <= attempts; attempt, headStart = attempt+1, 2*headStart {
			p := peerStub(t, o, PeerBinding, o.Unique(fmt.Sprintf("busy%d", attempt)))
			call(t, o, p, http.MethodGet, "https://peer/instance", nil) // construct first
			spin := 2*headStart + 250*time.Millisecond
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(o.Ctx, http.MethodGet, fmt.Sprintf("https://peer/spin?ms=%d&log=1", spin.Milliseconds()), nil)
				if resp, err := p.Fetch(req); err == nil {
					resp.Body.Close()
				}
			}()
			time.Sleep(headStart)
			call(t, o, p, http.MethodPost, "https://peer/incr?log=1", nil)
			wg.Wait()
			_, events := call(t, o, p, http.MethodGet, "https://peer/events", nil)
			switch events {
			case "spin-start,spin-end,incr":
				return
			case "incr,spin-start,spin-end":
				t.Logf("attempt %d: B arrived before A started (head start %v); trying again", attempt, headStart)
			default:
				t.Errorf("handler log %q: B ran while A was running without awaiting", events)
				return
			}
		}
		t.Errorf("in %d attempts B never arrived while A ran; serialization is unchecked", attempts)
	})
}
