package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// reminder is an object that, asked to remind in d, sets its alarm; the alarm
// writes the reminder. It shows alarms driven by the test clock.
type reminder struct{ state durable.State }

func newReminder(state durable.State, _ durable.Env) (durable.Object, error) {
	return &reminder{state: state}, nil
}

func (r *reminder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	d, _ := time.ParseDuration(req.URL.Query().Get("in"))
	if err := r.state.Storage().SetAlarm(clock.Now().Add(d)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (r *reminder) Alarm(ctx context.Context, info durable.AlarmInfo) error {
	return r.state.Storage().KV().Put("reminded", []byte(info.ScheduledTime.Format(time.TimeOnly)))
}

// clock is the example's test clock; the object reads it to set its alarm.
var clock = durabletest.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))

func Example_alarm() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"Reminder": newReminder}},
		&durabletest.Options{Clock: clock})
	defer rt.Close()
	ns := rt.Namespace("Reminder")
	id := ns.IDFromName("tea")
	resp, _ := ns.Get(id).Fetch(httptest.NewRequest("POST", "https://reminder/?in=5m", nil))
	resp.Body.Close()

	storage := rt.State("Reminder", id).Storage()
	at, _, _ := storage.Alarm()
	fmt.Println("alarm set for", at.UTC().Format(time.TimeOnly))

	rt.Clock().Advance(4 * time.Minute)
	_, reminded, _ := storage.KV().Get("reminded")
	fmt.Println("after 4 minutes, reminded:", reminded)

	rt.Clock().Advance(time.Minute) // the alarm runs on this goroutine
	v, _, _ := storage.KV().Get("reminded")
	_, set, _ := storage.Alarm()
	fmt.Println("after 5 minutes:", string(v), "alarm still set:", set)
	// Output:
	// alarm set for 09:05:00
	// after 4 minutes, reminded: false
	// after 5 minutes: 09:05:00 alarm still set: false
}

// life is an object for the lifecycle calls: its requests write, then abort,
// block or wait as the path says.
type life struct {
	state    durable.State
	instance time.Time
}

func newLife(state durable.State, _ durable.Env) (durable.Object, error) {
	_, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS t (v TEXT)`)
	return &life{state: state, instance: time.Now()}, err
}

func (l *life) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sql := l.state.Storage().SQL()
	switch r.URL.Path {
	case "/write-then-abort":
		sql.Exec(`INSERT INTO t VALUES ('before abort')`)
		l.state.Abort("stop")
		sql.Exec(`INSERT INTO t VALUES ('after abort')`)
	case "/bcw-fail":
		err := l.state.BlockConcurrencyWhile(func(context.Context) error { panic("boom") })
		fmt.Fprint(w, errors.Is(err, durable.ErrReset))
	case "/wait-until":
		l.state.WaitUntil(func(context.Context) {
			time.Sleep(10 * time.Millisecond)
			sql.Exec(`INSERT INTO t VALUES ('waited')`)
		})
	case "/instance":
		fmt.Fprint(w, l.instance.UnixNano(), " ", l.state.Class())
	case "/write":
		sql.Exec(`INSERT INTO t VALUES ('write')`)
	}
}

func lifeRuntime(t *testing.T) (*durabletest.Runtime, durable.Namespace, durable.ID) {
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"Life": newLife}}, nil)
	ns := rt.Namespace("Life")
	return rt, ns, ns.IDFromName("x")
}

func fetch(t *testing.T, ns durable.Namespace, id durable.ID, path string) (string, error) {
	t.Helper()
	resp, err := ns.Get(id).Fetch(httptest.NewRequest("POST", "https://life"+path, nil))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), nil
}

func rows(t *testing.T, rt *durabletest.Runtime, id durable.ID) string {
	t.Helper()
	res, err := rt.State("Life", id).Storage().SQL().Exec(`SELECT group_concat(v, ',') FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(res.Rows[0][0])
}

func TestAbortDiscardsTheTurnAndResets(t *testing.T) {
	rt, ns, id := lifeRuntime(t)
	fetch(t, ns, id, "/write")
	before, _ := fetch(t, ns, id, "/instance")
	_, err := fetch(t, ns, id, "/write-then-abort")
	if err == nil || !strings.Contains(err.Error(), "stop") {
		t.Fatalf("the caller's error = %v, want one carrying the reason", err)
	}
	if got := rows(t, rt, id); got != "write" {
		t.Errorf("rows = %q: the aborting turn's writes were kept", got)
	}
	after, err := fetch(t, ns, id, "/instance")
	if err != nil || after == before || !strings.HasSuffix(after, " Life") {
		t.Errorf("instance after abort = %q, %v (before %q)", after, err, before)
	}
}

func TestBlockConcurrencyWhilePanicResets(t *testing.T) {
	_, ns, id := lifeRuntime(t)
	before, _ := fetch(t, ns, id, "/instance")
	if body, err := fetch(t, ns, id, "/bcw-fail"); err == nil {
		t.Fatalf("the caller got %q, not an error", body)
	}
	after, err := fetch(t, ns, id, "/instance")
	if err != nil || after == before {
		t.Errorf("instance = %q, %v; want a new one (before %q)", after, err, before)
	}
}

func TestWaitUntilRunsAfterTheResponse(t *testing.T) {
	rt, ns, id := lifeRuntime(t)
	fetch(t, ns, id, "/wait-until")
	rt.Wait()
	if got := rows(t, rt, id); got != "waited" {
		t.Errorf("rows = %q", got)
	}
}
