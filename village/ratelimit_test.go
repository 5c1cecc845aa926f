package main

import (
	"testing"
	"time"
)

func TestBucketAllowsABurstThenOnePerInterval(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := fullBucket(start)
	for i := range MessageBurst {
		if ok, _ := b.take(start); !ok {
			t.Fatalf("message %d of the burst refused", i+1)
		}
	}
	ok, wait := b.take(start)
	if ok || wait != MessageInterval {
		t.Fatalf("message after the burst: ok=%v wait=%v, want refused with wait %v", ok, wait, MessageInterval)
	}
	if ok, wait := b.take(start.Add(MessageInterval / 2)); ok || wait != MessageInterval/2 {
		t.Fatalf("half an interval later: ok=%v wait=%v, want refused with wait %v", ok, wait, MessageInterval/2)
	}
	if ok, _ := b.take(start.Add(MessageInterval)); !ok {
		t.Fatal("one interval later: refused, want one more message")
	}
	if ok, _ := b.take(start.Add(time.Hour)); !ok {
		t.Fatal("an hour later: refused")
	}
	if b.Milli != (MessageBurst-1)*1000 {
		t.Fatalf("an hour's refill filled %d milli-tokens, want the burst (%d) less the one taken", b.Milli, (MessageBurst-1)*1000)
	}
}

func TestBucketIgnoresAClockThatGoesBack(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := bucket{Milli: 0, Filled: start.UnixMilli()}
	if ok, _ := b.take(start.Add(-time.Minute)); ok {
		t.Fatal("an earlier clock refilled the bucket")
	}
}
