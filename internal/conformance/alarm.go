package conformance

import (
	"errors"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Alarms and DeleteAll. The alarms set here lie an hour ahead, so they never
// go off while the suite runs; the one in the past is deleted at once.

// alarmAt reads the object's alarm, failing the step on error.
func alarmAt(t T, o *Object) (time.Time, bool) {
	t.Helper()
	at, ok, err := o.State.Storage().Alarm()
	must(t, err, "Alarm")
	return at, ok
}

func init() {
	add("alarm/set-get-delete", func(t T, o *Object) {
		s := o.State.Storage()
		if _, ok := alarmAt(t, o); ok {
			t.Errorf("a new object has an alarm")
		}
		want := time.Now().Add(time.Hour).Add(123456 * time.Nanosecond)
		must(t, s.SetAlarm(want), "SetAlarm")
		got, ok := alarmAt(t, o)
		if !ok || got.UnixMilli() != want.UnixMilli() || got.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("Alarm() = %v, %v; want %v to the millisecond", got, ok, want)
		}
		must(t, s.DeleteAlarm(), "DeleteAlarm")
		if got, ok := alarmAt(t, o); ok {
			t.Errorf("Alarm() after DeleteAlarm = %v", got)
		}
		must(t, s.DeleteAlarm(), "DeleteAlarm with no alarm")
	})
	add("alarm/set-replaces", func(t T, o *Object) {
		s := o.State.Storage()
		first := time.Now().Add(2 * time.Hour)
		second := time.Now().Add(time.Hour)
		must(t, s.SetAlarm(first), "SetAlarm")
		must(t, s.SetAlarm(second), "SetAlarm again")
		got, _ := alarmAt(t, o)
		same(t, "alarm", got.UnixMilli(), second.UnixMilli())
		must(t, s.DeleteAlarm(), "DeleteAlarm")
	})
	add("alarm/past-becomes-now", func(t T, o *Object) {
		s := o.State.Storage()
		before := time.Now()
		must(t, s.SetAlarm(time.Unix(12345, 0)), "SetAlarm in the past")
		got, ok := alarmAt(t, o)
		// It may already have gone off; if not, it reads as (about) now. The
		// native runtime's clock stands still from the Runtime's start.
		if ok && (got.Before(before.Add(-time.Minute)) || got.After(time.Now().Add(time.Second))) {
			t.Errorf("Alarm() = %v; want about now (%v), not the past time", got, before)
		}
		must(t, s.DeleteAlarm(), "DeleteAlarm")
	})
	add("alarm/zero-time-refused", func(t T, o *Object) {
		err := o.State.Storage().SetAlarm(time.Time{})
		if !errors.Is(err, durable.ErrAlarmTime) {
			t.Errorf("SetAlarm(time.Time{}) = %v, want ErrAlarmTime", err)
		}
		if at, ok := alarmAt(t, o); ok {
			t.Errorf("an alarm was set: %v", at)
		}
	})
	add("alarm/survives-restart",
		func(t T, o *Object) {
			recordInstance(t, o)
			at := time.Now().Add(time.Hour)
			must(t, o.State.Storage().SetAlarm(at), "SetAlarm")
			must(t, o.KV().Put("alarm", []byte(at.Format(time.RFC3339Nano))), "Put")
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			v, _, _ := o.KV().Get("alarm")
			want, _ := time.Parse(time.RFC3339Nano, string(v))
			got, ok := alarmAt(t, o)
			if !ok || got.UnixMilli() != want.UnixMilli() {
				t.Errorf("Alarm() after restart = %v, %v; want %v", got, ok, want)
			}
			must(t, o.State.Storage().DeleteAlarm(), "DeleteAlarm")
		})
	add("storage/delete-all", func(t T, o *Object) {
		s := o.State.Storage()
		exec(t, o, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`)
		exec(t, o, `CREATE TABLE child (p INTEGER REFERENCES parent (id))`)
		exec(t, o, `CREATE INDEX child_p ON child (p)`)
		exec(t, o, `CREATE VIEW parents AS SELECT id FROM parent`)
		exec(t, o, `INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1)`)
		put(t, o, "a", "b")
		must(t, s.SetAlarm(time.Now().Add(time.Hour)), "SetAlarm")
		must(t, s.DeleteAll(), "DeleteAll")
		same(t, "schema", exec(t, o, `SELECT type, name FROM sqlite_master`).Rows, []durable.Row{})
		same(t, "keys", keys(t, o, nil), []string{})
		if at, ok := alarmAt(t, o); ok {
			t.Errorf("alarm after DeleteAll: %v", at)
		}
		// The object goes on with an empty database.
		exec(t, o, `CREATE TABLE parent (id INTEGER PRIMARY KEY, v TEXT)`)
		exec(t, o, `INSERT INTO parent VALUES (7, 'again')`)
		put(t, o, "c")
		same(t, "rows", exec(t, o, `SELECT id, v FROM parent`).Rows, []durable.Row{{int64(7), "again"}})
		same(t, "keys", keys(t, o, nil), []string{"c"})
		must(t, s.DeleteAll(), "DeleteAll twice")
	})
	add("storage/delete-all-in-transaction-fails", func(t T, o *Object) {
		put(t, o, "kept")
		var inner error
		err := o.State.Storage().Transaction(func() error {
			inner = o.State.Storage().DeleteAll()
			return nil
		})
		must(t, err, "Transaction")
		if inner == nil {
			t.Errorf("DeleteAll inside Transaction succeeded")
		}
		same(t, "keys", keys(t, o, nil), []string{"kept"})
	})
}
