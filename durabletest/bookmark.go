package durabletest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Point-in-time recovery as local workerd has it: Bookmark returns increasing
// stand-in bookmarks in Cloudflare's format, and the calls that would restore
// fail with durable.ErrNoPITR. (workerd keeps its counter in the database,
// so that it also increases across sessions; here it lives as long as the
// Runtime.)

func (s *storage) Bookmark(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("durable: Bookmark: %w", err)
	}
	db := s.db
	db.mu.Lock()
	n := db.bookmark
	db.bookmark++
	db.mu.Unlock()
	// workerd's ActorSqlite::getCurrentBookmark, digit for digit.
	const max32 = 1<<32 - 1
	return fmt.Sprintf("%08x-%08x-%08x-%s", n/max32, n%max32, 0, strings.Repeat("0", 32)), nil
}

func (s *storage) BookmarkForTime(ctx context.Context, t time.Time) (string, error) {
	return "", fmt.Errorf("durable: BookmarkForTime: %w (durabletest, like local workerd, keeps no history)", durable.ErrNoPITR)
}

func (s *storage) OnNextSessionRestoreBookmark(ctx context.Context, bookmark string) (string, error) {
	return "", fmt.Errorf("durable: OnNextSessionRestoreBookmark: %w (durabletest, like local workerd, keeps no history)", durable.ErrNoPITR)
}
