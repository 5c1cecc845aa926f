package durable_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// Account is a Durable Object served by RPC: its exported methods (other than
// ServeHTTP) are callable as stub.deposit(...) from JavaScript and with
// durable.Call from Go.
type Account struct{ sql durable.SQL }

// ErrOverdrawn crosses the call by its code: the caller matches it with
// errors.Is.
var ErrOverdrawn = &durable.RPCError{Code: "overdrawn", Message: "not enough money"}

func NewAccount(state durable.State, _ durable.Env) (durable.Object, error) {
	sql := state.Storage().SQL()
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS balance (cents INTEGER NOT NULL)`)
	return &Account{sql: sql}, err
}

func (a *Account) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// Balance is RPC method "balance".
func (a *Account) Balance() (int64, error) {
	var cents int64
	res, err := a.sql.Exec(`SELECT coalesce(sum(cents), 0) FROM balance`)
	if err == nil {
		err = res.One(&cents)
	}
	return cents, err
}

// Deposit is RPC method "deposit"; a negative amount is a withdrawal.
func (a *Account) Deposit(ctx context.Context, cents int64) (int64, error) {
	have, err := a.Balance()
	if err != nil {
		return 0, err
	}
	if have+cents < 0 {
		return have, fmt.Errorf("withdraw %d: %w", -cents, ErrOverdrawn)
	}
	if _, err := a.sql.Exec(`INSERT INTO balance VALUES (?)`, cents); err != nil {
		return 0, err
	}
	return have + cents, nil
}

// callWithRetry follows Cloudflare's guidance for stub errors: retry a
// retryable error with exponential backoff, never an overloaded one, and
// after a reset retry through a new stub, since the old one stays broken.
// Only idempotent calls should be retried this way.
func callWithRetry[R any](ctx context.Context, ns durable.Namespace, name, method string, args ...any) (R, error) {
	stub := ns.Get(ns.IDFromName(name))
	backoff := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		r, err := durable.Call[R](ctx, stub, method, args...)
		var se *durable.StubError
		if err == nil || !errors.As(err, &se) || se.Overloaded || !(se.Retryable || se.Reset) || attempt == 5 {
			return r, err
		}
		fmt.Printf("attempt %d failed: %v\n", attempt, err)
		if se.Reset {
			stub = ns.Get(ns.IDFromName(name))
		}
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}
}

func ExampleCall() {
	rt := durabletest.New(&testing.T{}, durable.Worker{
		Objects: map[string]durable.Constructor{"Account": NewAccount},
		RPC:     map[string]any{"Account": (*Account)(nil)},
	}, nil)
	ctx := context.Background()
	accounts := rt.Namespace("Account")

	n, err := callWithRetry[int64](ctx, accounts, "alice", "deposit", 500)
	fmt.Println(n, err)
	_, err = callWithRetry[int64](ctx, accounts, "alice", "deposit", -800)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ErrOverdrawn))
	n, err = durable.Call[int64](ctx, accounts.Get(accounts.IDFromName("alice")), "balance")
	fmt.Println(n, err)
	// Output:
	// 500 <nil>
	// durable: deposit: withdraw 800: not enough money
	// true
	// 500 <nil>
}

// Flaky resets itself on its first call ever, as an object does when
// workerd restarts it mid-call.
type Flaky struct{ state durable.State }

var flakyFailed atomic.Bool

func (f *Flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// Ping answers pong, except the first time.
func (f *Flaky) Ping() string {
	if flakyFailed.CompareAndSwap(false, true) {
		f.state.Abort("simulated restart")
	}
	return "pong"
}

func ExampleStubError() {
	rt := durabletest.New(&testing.T{}, durable.Worker{
		Objects: map[string]durable.Constructor{"Flaky": func(state durable.State, _ durable.Env) (durable.Object, error) {
			return &Flaky{state: state}, nil
		}},
		RPC: map[string]any{"Flaky": (*Flaky)(nil)},
	}, &durabletest.Options{Logf: func(string, ...any) {}})

	s, err := callWithRetry[string](context.Background(), rt.Namespace("Flaky"), "f", "ping")
	fmt.Println(s, err)
	// Output:
	// attempt 1 failed: durable: ping: simulated restart (object reset)
	// pong <nil>
}
