package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// alarmObject records each alarm attempt in SQL and fails the first `fail`
// attempts (panicking when panics is set); its requests set the alarm.
type alarmObject struct {
	state  durable.State
	mu     sync.Mutex
	fail   int
	panics bool
}

func newAlarmObject(state durable.State, _ durable.Env) (durable.Object, error) {
	_, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS attempts (retry INTEGER, is_retry INTEGER, scheduled INTEGER)`)
	return &alarmObject{state: state}, err
}

func (a *alarmObject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, _ := time.ParseDuration(r.URL.Query().Get("in"))
	fmt.Sscan(r.URL.Query().Get("fail"), &a.fail)
	a.panics = r.URL.Query().Get("panic") != ""
	if err := a.state.Storage().SetAlarm(time.Now().Add(in)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (a *alarmObject) Alarm(ctx context.Context, info durable.AlarmInfo) error {
	_, err := a.state.Storage().SQL().Exec(`INSERT INTO attempts VALUES (?, ?, ?)`, info.RetryCount, info.IsRetry, info.ScheduledTime.UnixMilli())
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail > 0 {
		a.fail--
		if a.panics {
			panic("alarm panics on purpose")
		}
		return errors.New("alarm fails on purpose")
	}
	return nil
}

func alarmRuntime(t *testing.T) (*durabletest.Runtime, durable.Stub, durable.ID) {
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{"A": newAlarmObject}}, &durabletest.Options{
		Clock: durabletest.NewClock(time.Now().Truncate(time.Millisecond)),
	})
	ns := rt.Namespace("A")
	id := ns.IDFromName("a")
	return rt, ns.Get(id), id
}

func attempts(t *testing.T, rt *durabletest.Runtime, id durable.ID) []string {
	t.Helper()
	res, err := rt.State("A", id).Storage().SQL().Exec(`SELECT retry, is_retry FROM attempts ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range res.Rows {
		out = append(out, fmt.Sprint(row[0], "/", row[1]))
	}
	return out
}

func set(t *testing.T, stub durable.Stub, query string) {
	t.Helper()
	resp, err := stub.Fetch(httptest.NewRequest(http.MethodPost, "https://a/?"+query, nil))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("setting the alarm: %v %v", resp, err)
	}
}

func TestAlarmFiresOnClock(t *testing.T) {
	rt, stub, id := alarmRuntime(t)
	rt.Clock().Set(time.Now()) // the handler sets its alarm by time.Now
	set(t, stub, "in=10s")
	at, ok, err := rt.State("A", id).Storage().Alarm()
	if err != nil || !ok {
		t.Fatalf("Alarm() = %v, %v, %v", at, ok, err)
	}
	rt.Clock().Set(at.Add(-time.Millisecond))
	if got := attempts(t, rt, id); len(got) != 0 {
		t.Fatalf("the alarm went off early: %v", got)
	}
	rt.Clock().Set(at)
	if got := strings.Join(attempts(t, rt, id), ","); got != "0/0" {
		t.Fatalf("attempts = %q, want one first attempt", got)
	}
	if _, ok, _ := rt.State("A", id).Storage().Alarm(); ok {
		t.Errorf("the alarm is still set after a successful attempt")
	}
}

func TestAlarmInThePastFiresAtNextAdvance(t *testing.T) {
	rt, stub, id := alarmRuntime(t)
	rt.Clock().Set(time.Now().Add(time.Hour))
	set(t, stub, "in=0s") // an hour behind the clock
	at, ok, _ := rt.State("A", id).Storage().Alarm()
	if !ok || at.UnixMilli() != rt.Clock().Now().UnixMilli() {
		t.Errorf("Alarm() = %v, %v; want the clock's now %v", at, ok, rt.Clock().Now())
	}
	rt.Clock().Advance(0)
	if got := attempts(t, rt, id); len(got) != 1 {
		t.Errorf("attempts = %v, want one", got)
	}
}

func TestAlarmRetries(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprint("panics=", panics), func(t *testing.T) {
			rt, stub, id := alarmRuntime(t)
			q := "in=1s&fail=2"
			if panics {
				q += "&panic=1"
			}
			rt.Clock().Set(time.Now())
			set(t, stub, q)
			at, _, _ := rt.State("A", id).Storage().Alarm()
			rt.Clock().Set(at)
			rt.Clock().Advance(2*time.Second - time.Millisecond)
			if got := strings.Join(attempts(t, rt, id), ","); got != "0/0" {
				t.Fatalf("before the first retry: %q", got)
			}
			if still, ok, _ := rt.State("A", id).Storage().Alarm(); !ok || !still.Equal(at) {
				t.Errorf("while retrying, Alarm() = %v, %v; want %v", still, ok, at)
			}
			rt.Clock().Advance(time.Millisecond) // first retry, 2 s after
			rt.Clock().Advance(4 * time.Second)  // second retry, 4 s later: succeeds
			rt.Clock().Advance(time.Hour)        // nothing more
			if got := strings.Join(attempts(t, rt, id), ","); got != "0/0,1/1,2/1" {
				t.Fatalf("attempts = %q", got)
			}
			if _, ok, _ := rt.State("A", id).Storage().Alarm(); ok {
				t.Errorf("the alarm is still set")
			}
		})
	}
}

func TestAlarmGivesUpAfterSixRetries(t *testing.T) {
	rt, stub, id := alarmRuntime(t)
	rt.Clock().Set(time.Now())
	set(t, stub, "in=0s&fail=100")
	rt.Clock().Advance(24 * time.Hour)
	if got := attempts(t, rt, id); len(got) != 7 {
		t.Errorf("attempts = %v, want 7 (one and 6 retries)", got)
	}
	if _, ok, _ := rt.State("A", id).Storage().Alarm(); ok {
		t.Errorf("the alarm is still set after giving up")
	}
}

func TestAlarmSurvivesRuntime(t *testing.T) {
	dir := t.TempDir()
	w := durable.Worker{Objects: map[string]durable.Constructor{"A": newAlarmObject}}
	start := time.Now().Truncate(time.Millisecond)
	rt := durabletest.New(t, w, &durabletest.Options{Dir: dir, Clock: durabletest.NewClock(start)})
	ns := rt.Namespace("A")
	id := ns.IDFromName("a")
	set(t, ns.Get(id), "in=1h")
	rt.Close()

	rt2 := durabletest.New(t, w, &durabletest.Options{Dir: dir, Clock: durabletest.NewClock(start)})
	st := rt2.State("A", id) // opening the object arms its alarm
	rt2.Clock().Advance(2 * time.Hour)
	res, err := st.Storage().SQL().Exec(`SELECT count(*) FROM attempts`)
	if err != nil || res.Rows[0][0] != int64(1) {
		t.Errorf("attempts after reopening: %v, %v", res, err)
	}
}

func TestAlarmWithoutHandlerIsDropped(t *testing.T) {
	var logs []string
	clock := durabletest.NewClock(time.Now())
	rt := durabletest.New(t, counterWorker(), &durabletest.Options{
		Bindings: map[string]string{"COUNTER": "Counter"},
		Clock:    clock,
		Logf:     func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) },
	})
	st := rt.State("COUNTER", rt.Namespace("COUNTER").IDFromName("no-handler"))
	if err := st.Storage().SetAlarm(clock.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if _, ok, _ := st.Storage().Alarm(); ok {
		t.Errorf("the alarm is still set")
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "does not implement durable.Alarmer") {
		t.Errorf("logs = %q, want one saying the object has no Alarm method", logs)
	}
}
