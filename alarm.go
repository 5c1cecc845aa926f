package durable

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Alarms: each object has at most one alarm, a point in time at which the
// runtime calls the object's Alarm method (see [Alarmer]). The alarm lives in
// the object's storage, so it survives restarts and eviction, and
// [Storage.DeleteAll] removes it.

// alarmRuntime is implemented by the storage of runtimes that have alarms. It
// is separate from storageRuntime so that adding alarms changed no existing
// interface.
type alarmRuntime interface {
	SetAlarm(t time.Time) error
	Alarm() (time.Time, bool, error)
	DeleteAlarm() error
	DeleteAll() error
}

// ErrNoAlarmSupport is matched by the errors of the alarm methods and of
// [Storage.DeleteAll] when the runtime that made the Storage does not
// implement them.
var ErrNoAlarmSupport = errors.New("durable: this runtime does not support alarms")

// ErrAlarmTime is matched by the error of [Storage.SetAlarm] for a time before
// the year 1700, such as the zero time.Time: workerd refuses dates before 1687
// ("This API doesn't support dates before 1687"), and both runtimes refuse
// the same range rather than treat such a time as merely in the past.
var ErrAlarmTime = errors.New("durable: alarm time before the year 1700")

// Alarmer is implemented by an [Object] that handles alarms. The runtime calls
// Alarm when the time set with [Storage.SetAlarm] comes, as workerd calls a
// Durable Object's alarm() handler.
//
// Delivery is at least once. A returned error or a panic counts as a failure:
// the runtime logs it and calls Alarm again later, with info.IsRetry set and
// info.RetryCount counting the earlier failures; workerd waits 2 s, 4 s, 8 s,
// ... (plus up to 25% jitter) between attempts and gives up after 6 retries,
// deleting the alarm. What a failed attempt wrote to storage is kept (workerd
// does not roll it back), so make the handler idempotent. While the alarm is
// being retried, [Storage.Alarm] still reports it; once an attempt succeeds,
// the alarm is cleared unless the handler set a new one.
//
// ctx ends when the attempt ends. Other events of the object interleave with
// the handler wherever it waits, as they do with requests.
type Alarmer interface {
	Alarm(ctx context.Context, info AlarmInfo) error
}

// AlarmInfo describes one attempt to run an alarm.
type AlarmInfo struct {
	// RetryCount is the number of earlier attempts at this alarm that failed.
	RetryCount int
	// IsRetry reports whether an earlier attempt failed (RetryCount > 0).
	IsRetry bool
	// ScheduledTime is when the alarm was set to go off; a retry keeps it.
	ScheduledTime time.Time
}

// SetAlarm sets the object's alarm to t, replacing any alarm already set. The
// object must implement [Alarmer] for the alarm to be delivered.
//
// Times are kept to the millisecond (t is truncated). A time that is not in
// the future is moved to now, as workerd does: the alarm goes off at once and
// [Storage.Alarm] reports the current time. A time before the year 1700 (the
// zero time.Time among them) is refused with [ErrAlarmTime]. If the object
// does not implement [Alarmer], the runtime logs the alarm and drops it.
//
// On workerd SetAlarm waits for the runtime to answer, so it cannot be called
// inside [Storage.Transaction].
func (s Storage) SetAlarm(t time.Time) error {
	a, err := s.alarms()
	if err != nil {
		return err
	}
	if t.Year() < 1700 {
		return fmt.Errorf("%w: %v", ErrAlarmTime, t)
	}
	return a.SetAlarm(t)
}

// Alarm returns the time the object's alarm is set for, and false when no
// alarm is set.
func (s Storage) Alarm() (t time.Time, ok bool, err error) {
	a, err := s.alarms()
	if err != nil {
		return time.Time{}, false, err
	}
	return a.Alarm()
}

// DeleteAlarm removes the object's alarm, if any. An attempt already running
// goes on, but is not retried should it fail.
func (s Storage) DeleteAlarm() error {
	a, err := s.alarms()
	if err != nil {
		return err
	}
	return a.DeleteAlarm()
}

// DeleteAll deletes everything the object has stored: every SQL table, index,
// view and trigger, every KV entry, and the alarm (as workerd does from
// compatibility date 2026-02-24, flag delete_all_deletes_alarm). The object
// itself goes on running with an empty database. It cannot be called inside
// [Storage.Transaction].
func (s Storage) DeleteAll() error {
	a, err := s.alarms()
	if err != nil {
		return err
	}
	return a.DeleteAll()
}

func (s Storage) alarms() (alarmRuntime, error) {
	a, ok := s.runtime().(alarmRuntime)
	if !ok {
		return nil, ErrNoAlarmSupport
	}
	return a, nil
}
