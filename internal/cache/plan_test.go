package cache

import (
	"context"
	"strings"
	"testing"
)

// TestLookupPathUsesIndexes checks SQLite's plan for every statement of a
// cached page view: each table is searched through an index, none scanned,
// so a view costs the same with three thousand cached conversations as
// with three million.
func TestLookupPathUsesIndexes(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		name  string
		query string
		arg   string
	}{
		{"session key", sqlSessionKey, "646af57bcc41e5bfbd5e1234"},
		{"load", sqlLoad, "conversation:c-3c04346-e522"},
		{"snapshots", sqlSnapshots, "c-3c04346-e522"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.Read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+tt.query, tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				// "SCAN (subquery-N)" walks a subquery's few rows, not a table.
				if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN (subquery") {
					t.Errorf("plan scans a table: %q (whole plan: %q)", step, plan)
				}
			}
		})
	}
}
