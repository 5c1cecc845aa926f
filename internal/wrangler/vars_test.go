package wrangler

import (
	"maps"
	"testing"
)

func TestParseDotenv(t *testing.T) {
	got := parseDotenv("# a comment\nAPI_KEY=abc123\nexport TOKEN = \"two\\nlines\" # trailing\nSINGLE='a # b'\nEMPTY=\nURL=https://x.example/?a=1#frag\r\n")
	want := map[string]string{"API_KEY": "abc123", "TOKEN": "two\nlines", "SINGLE": "a # b", "EMPTY": "", "URL": "https://x.example/?a=1"}
	if !maps.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
