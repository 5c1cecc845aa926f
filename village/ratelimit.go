package main

import "time"

// A client of the square may send MessageBurst messages at once, then one per
// MessageInterval: a token bucket, kept in the socket's attachment so that it
// survives the room's hibernation.
const (
	MessageBurst    = 5
	MessageInterval = time.Second
)

// bucket is one client's token bucket. Tokens are counted in thousandths so the
// attachment stays integers.
type bucket struct {
	Milli  int64 `json:"milli"`  // tokens × 1000
	Filled int64 `json:"filled"` // when Milli was last computed, Unix milliseconds
}

func fullBucket(now time.Time) bucket {
	return bucket{Milli: MessageBurst * 1000, Filled: now.UnixMilli()}
}

// take spends one token if there is one, refilling first; otherwise it reports
// how long until the next token.
func (b *bucket) take(now time.Time) (ok bool, wait time.Duration) {
	perToken := MessageInterval.Milliseconds()
	elapsed := max(now.UnixMilli()-b.Filled, 0)
	b.Milli = min(b.Milli+elapsed*1000/perToken, MessageBurst*1000)
	b.Filled = now.UnixMilli()
	if b.Milli >= 1000 {
		b.Milli -= 1000
		return true, 0
	}
	return false, time.Duration((1000-b.Milli)*perToken/1000) * time.Millisecond
}
