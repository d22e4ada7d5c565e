package cache

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamlead/dashboard/internal/store"
)

// FuzzFTSQuery: whatever is typed in the search box, FTSQuery builds an
// FTS5 query SQLite accepts (checked against the real index table), of at
// most 12 quoted words, only the last a prefix.
func FuzzFTSQuery(f *testing.F) {
	for _, s := range []string{"refund", "Customer 123457", `"quoted" words`, "a OR b NOT c", "NEAR(x y)", "-", `"`, "col:term",
		"x* y^ z(", "ünïcödé 漢字", strings.Repeat("w ", 20), "\x00\xff"} {
		f.Add(s)
	}
	db, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fts.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, text string) {
		q := FTSQuery(text)
		if q == "" {
			return
		}
		words := strings.Split(q, " ")
		if len(words) > 12 {
			t.Fatalf("FTSQuery(%q) = %q: %d words", text, q, len(words))
		}
		for i, w := range words {
			last := i == len(words)-1
			if last {
				if !strings.HasSuffix(w, "*") {
					t.Fatalf("FTSQuery(%q) = %q: the last word is not a prefix", text, q)
				}
				w = strings.TrimSuffix(w, "*")
			}
			if len(w) < 3 || w[0] != '"' || w[len(w)-1] != '"' || strings.Contains(w[1:len(w)-1], `"`) {
				t.Fatalf("FTSQuery(%q) = %q: word %q is not one quoted string", text, q, w)
			}
		}
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM conv_index_fts WHERE conv_index_fts MATCH ?`, q).Scan(&n); err != nil {
			t.Fatalf("FTSQuery(%q) = %q: SQLite refuses it: %v", text, q, err)
		}
	})
}
