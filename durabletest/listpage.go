package durabletest

import (
	"encoding/base64"
	"fmt"
)

// The in-memory Workers KV and R2 list in pages of at most 1,000 keys; a
// page's cursor is the last key it holds, opaque to callers.

// pageStart returns the page size for a requested limit (0, negative or over
// 1,000 means 1,000) and the key the page starts after ("" for the first
// page); what names the call in the error for a cursor this fake did not make.
func pageStart(what string, limit int, cursor string) (int, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if cursor == "" {
		return limit, "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, "", fmt.Errorf("durable: %s: invalid cursor %q", what, cursor)
	}
	return limit, string(b), nil
}

// pageCursor is the cursor of a page that ends at lastKey.
func pageCursor(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}
