package durabletest

import (
	"sync"
	"time"
)

// Clock is a test clock: time stands still until the test moves it with
// [Clock.Advance] or [Clock.Set], and functions scheduled with [Clock.AfterFunc]
// run when it passes their time. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*Timer
	seq    int
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is treated as 0) and returns
// the new time. Timers that fall due run in order of their time (then of their
// scheduling), on the calling goroutine, each with the clock reading its time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	target := c.now
	if d > 0 {
		target = target.Add(d)
	}
	c.mu.Unlock()
	return c.runUntil(target)
}

// Set moves the clock to t and returns it. Moving forward runs the timers that
// fall due, as [Clock.Advance] does; moving backward runs none.
func (c *Clock) Set(t time.Time) time.Time {
	c.mu.Lock()
	if !t.After(c.now) {
		c.now = t
		c.mu.Unlock()
		return t
	}
	c.mu.Unlock()
	return c.runUntil(t)
}

func (c *Clock) runUntil(target time.Time) time.Time {
	for {
		c.mu.Lock()
		next := -1
		for i, t := range c.timers {
			if t.when.After(target) {
				continue
			}
			if next < 0 || t.when.Before(c.timers[next].when) || (t.when.Equal(c.timers[next].when) && t.seq < c.timers[next].seq) {
				next = i
			}
		}
		if next < 0 {
			if target.After(c.now) {
				c.now = target
			}
			now := c.now
			c.mu.Unlock()
			return now
		}
		t := c.timers[next]
		c.timers = append(c.timers[:next], c.timers[next+1:]...)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
	}
}

// AfterFunc schedules f to run when the clock reaches Now()+d. A d <= 0 makes f
// run at the next Advance or forward Set.
func (c *Clock) AfterFunc(d time.Duration, f func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &Timer{c: c, when: c.now.Add(max(d, 0)), f: f, seq: c.seq}
	c.timers = append(c.timers, t)
	return t
}

// Timer is a function scheduled on a [Clock].
type Timer struct {
	c    *Clock
	when time.Time
	f    func()
	seq  int
}

// When is the time the timer fires at.
func (t *Timer) When() time.Time { return t.when }

// Stop cancels the timer. It reports whether it did so, false when the timer had
// already run or been stopped.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, other := range t.c.timers {
		if other == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}
