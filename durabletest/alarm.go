package durabletest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// Alarms run on the runtime's Clock, by workerd's rules (its alarm scheduler,
// src/workerd/server/alarm-scheduler.c++): one alarm per object, stored in
// the object's database (table _cf_METADATA, as workerd stores it), so that
// it survives restarts and, with Options.Dir, the Runtime; SetAlarm replaces
// it; a time in the past becomes now. A failed attempt (an error or a panic)
// is retried after 2 s, 4 s, 8 s, 16 s, 32 s and 64 s of clock time, then the
// alarm is dropped: workerd's schedule without its random jitter (up to 25%),
// so that tests can advance the clock to an exact retry.

// alarmRetries is how many times a failing alarm is retried (workerd's
// ALARM_RETRY_MAX_TRIES).
const alarmRetries = 6

// alarmFirstRetry is the wait before the first retry; each next wait doubles
// (workerd's ALARM_RETRY_START_SECONDS).
const alarmFirstRetry = 2 * time.Second

// retryDelay is the wait before retry n (0-based).
func retryDelay(n int) time.Duration { return alarmFirstRetry << n }

func (s *storage) SetAlarm(t time.Time) error {
	o := s.obj
	ms := t.UnixMilli()
	if now := o.rt.clock.Now().UnixMilli(); ms < now {
		ms = now
	}
	if err := s.db.setAlarm(ms, true); err != nil {
		return fmt.Errorf("durable: set alarm: %w", err)
	}
	o.scheduleAlarm(ms, 0)
	return nil
}

func (s *storage) Alarm() (time.Time, bool, error) {
	ms, ok, err := s.db.alarm()
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	return time.UnixMilli(ms), true, nil
}

func (s *storage) DeleteAlarm() error {
	if err := s.db.setAlarm(0, false); err != nil {
		return fmt.Errorf("durable: delete alarm: %w", err)
	}
	s.obj.stopAlarm()
	return nil
}

// DeleteAll drops every table, index, view and trigger (the KV and alarm
// tables among them) and cancels the alarm, as workerd's deleteAll resets an
// object's database.
func (s *storage) DeleteAll() error {
	if err := s.db.deleteAll(); err != nil {
		return fmt.Errorf("durable: delete all: %w", err)
	}
	s.obj.stopAlarm()
	return nil
}

// setAlarm stores the alarm time (ms since the epoch) or, when set is false,
// removes it.
func (db *database) setAlarm(ms int64, set bool) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	if !set {
		if !db.hasTable("_cf_METADATA") {
			return nil
		}
		_, err := db.execTrusted(`DELETE FROM _cf_METADATA WHERE key = 1`)
		return err
	}
	if _, err := db.execTrusted(`CREATE TABLE IF NOT EXISTS _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB)`); err != nil {
		return err
	}
	_, err := db.execTrusted(`INSERT INTO _cf_METADATA VALUES (1, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, ms)
	return err
}

// alarm reads the stored alarm time.
func (db *database) alarm() (int64, bool, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0, false, errClosed
	}
	if !db.hasTable("_cf_METADATA") {
		return 0, false, nil
	}
	res, err := db.execTrusted(`SELECT value FROM _cf_METADATA WHERE key = 1`)
	if err != nil || len(res.Rows) == 0 {
		return 0, false, err
	}
	ms, ok := res.Rows[0][0].(int64)
	return ms, ok, nil
}

// hasTable reports whether the table exists. db.mu must be held.
func (db *database) hasTable(name string) bool {
	res, err := db.execTrusted(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, name)
	return err == nil && len(res.Rows) > 0
}

// deleteAll empties the database. Dropping a table that others still
// reference fails while foreign keys are enforced, so the drops repeat until
// every table is gone or a round drops none.
func (db *database) deleteAll() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	if db.txDepth > 0 {
		return errors.New("cannot delete all inside Storage.Transaction: its function runs synchronously on workerd and must not wait")
	}
	var errs []error
	for _, kind := range []string{"view", "trigger", "table"} {
		for {
			res, err := db.execTrusted(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, kind)
			if err != nil {
				return err
			}
			if len(res.Rows) == 0 {
				break
			}
			errs = errs[:0]
			for _, row := range res.Rows {
				name, _ := row[0].(string)
				if _, err := db.execTrusted(fmt.Sprintf(`DROP %s "%s"`, kind, quoteIdent(name))); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) == len(res.Rows) {
				return errors.Join(errs...)
			}
		}
	}
	if db.hasTable("sqlite_sequence") {
		db.execTrusted(`DELETE FROM sqlite_sequence`)
	}
	db.kvReady = false
	return nil
}

func quoteIdent(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// scheduleAlarm arms the clock for attempt retry (0: the first) at the alarm
// time ms, replacing any attempt already armed.
func (o *object) scheduleAlarm(ms int64, retry int) {
	l := o.life
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	at := time.UnixMilli(ms)
	if retry > 0 {
		at = o.rt.clock.Now().Add(retryDelay(retry - 1))
	}
	l.timer = o.rt.clock.AfterFunc(at.Sub(o.rt.clock.Now()), func() { o.fireAlarm(ms, retry) })
}

func (o *object) stopAlarm() {
	l := o.life
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
}

// loadAlarm arms the clock for an alarm found in the database.
func (o *object) loadAlarm() {
	if ms, ok, err := o.state.storage.db.alarm(); err == nil && ok {
		o.scheduleAlarm(ms, 0)
	}
}

// fireAlarm runs one attempt at the alarm set for ms. It runs on the goroutine
// that moves the clock, as an event of the object: it waits for the object's
// gate, constructs the instance if needed and calls its Alarm method.
func (o *object) fireAlarm(ms int64, retry int) {
	rt := o.rt
	rt.mu.Lock()
	closed := rt.closed
	rt.mu.Unlock()
	if closed {
		return
	}
	if stored, ok, err := o.state.storage.db.alarm(); err != nil || !ok || stored != ms {
		return // deleted or replaced since (a replacement has its own timer)
	}
	info := durable.AlarmInfo{RetryCount: retry, IsRetry: retry > 0, ScheduledTime: time.UnixMilli(ms)}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.acquire()
	ev := &event{owner: o.owner, held: true, resets: o.resetCount()}
	defer ev.finish()
	ctx = context.WithValue(ctx, eventKey{}, ev)

	h, err := o.handler()
	if err == nil {
		err = serving.RunAlarm(ctx, h, info)
	}
	if errors.Is(err, serving.ErrNoAlarmHandler) {
		rt.logf("durable: %s object %s: %v", o.class, o.state.id.String(), err)
		err = nil
	}
	// What happens to the alarm is decided in the attempt's last turn, so
	// that it commits (or is rolled back) with the handler's writes.
	stored, ok, _ := o.state.storage.db.alarm()
	unchanged := ok && stored == ms
	if err == nil && unchanged {
		o.state.storage.db.setAlarm(0, false)
	}
	ev.finish()
	if rerr := o.resetSince(ev.resets); rerr != nil && err == nil {
		err = rerr
		stored, ok, _ = o.state.storage.db.alarm()
		unchanged = ok && stored == ms
	}
	switch {
	case err == nil:
		if unchanged { // the commit failed to delete it: stop the timer
			o.stopAlarm()
		}
	case !unchanged:
		// The handler set a new alarm or deleted this one: workerd runs the
		// new one instead of retrying.
		rt.logf("durable: %s object %s: alarm attempt %d failed: %v", o.class, o.state.id.String(), retry+1, err)
	case retry >= alarmRetries:
		rt.logf("durable: %s object %s: alarm attempt %d failed: %v; giving up after %d retries, as workerd does, and deleting the alarm", o.class, o.state.id.String(), retry+1, err, alarmRetries)
		o.state.storage.db.setAlarm(0, false)
	default:
		rt.logf("durable: %s object %s: alarm attempt %d failed: %v; retrying in %v", o.class, o.state.id.String(), retry+1, err, retryDelay(retry))
		o.scheduleAlarm(ms, retry+1)
	}
}
