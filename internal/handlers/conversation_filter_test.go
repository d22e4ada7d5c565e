package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/cache"
)

func TestParseListFilter(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		query   string
		wantErr string
		check   func(t *testing.T, q cache.Query)
	}{
		{"", "", func(t *testing.T, q cache.Query) {
			if q.Limit != convDefaultLimit || q.Sort != "" || q.Asc || len(q.Statuses) != 0 {
				t.Errorf("%+v", q)
			}
		}},
		{"from=2025-08-01&to=2025-08-01", "", func(t *testing.T, q cache.Query) {
			if !q.From.Equal(time.Date(2025, 8, 1, 0, 0, 0, 0, berlin)) || !q.To.Equal(time.Date(2025, 8, 2, 0, 0, 0, 0, berlin)) {
				t.Errorf("dates %v %v", q.From, q.To)
			}
		}},
		{"status=closed&status=OPEN,ACTIVE&status=CLOSED", "", func(t *testing.T, q cache.Query) {
			if strings.Join(q.Statuses, ",") != "CLOSED,OPEN,ACTIVE" {
				t.Errorf("statuses %v", q.Statuses)
			}
		}},
		{"queue=qu-241a4d7-e5d0-45a9-8032-823845051234&agent=u-abc-1&channel=voice&language=de&disposition=DROP-OFF&text=refund+late", "", func(t *testing.T, q cache.Query) {
			if q.Queue != "qu-241a4d7-e5d0-45a9-8032-823845051234" || q.Agent != "u-abc-1" || q.Channel != "voice" || q.Language != "de" || q.Disposition != "DROP-OFF" || q.Text != "refund late" {
				t.Errorf("%+v", q)
			}
		}},
		{"sort=wait&dir=asc&limit=10&after=1500_42", "", func(t *testing.T, q cache.Query) {
			if q.Sort != "wait" || !q.Asc || q.Limit != 10 || q.After == nil || *q.After != (cache.Cursor{Value: 1500, N: 42}) {
				t.Errorf("%+v", q)
			}
		}},
		{"from=01/08/2025", "is not a date", nil},
		{"from=2025-08-05&to=2025-08-01", "ends before it starts", nil},
		{"status=DONE", "is not one of", nil},
		{"queue=billing", "not a queue id", nil},
		{"agent=a-123", "not an agent user id", nil},
		{"channel=voice%3Bdrop", "not a valid value", nil},
		{"sort=customer", "not one of start, end, wait", nil},
		{"dir=up", "not asc or desc", nil},
		{"after=zzz", "page position", nil},
		{"limit=0", "limit", nil},
		{"limit=5000", "limit", nil},
		{"text=" + strings.Repeat("x", 201), "longer than 200", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			f, q, err := parseListFilter(v, berlin)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, q)
			// The URL round-trips (shareable links).
			f2, _, err := parseListFilter(f.values(), berlin)
			if err != nil || f2.values().Encode() != f.values().Encode() {
				t.Errorf("round trip %q → %q (%v)", f.values().Encode(), f2.values().Encode(), err)
			}
		})
	}
}

func TestViewerLocation(t *testing.T) {
	for _, tt := range []struct{ cookie, want string }{
		{"Europe%2FBerlin", "Europe/Berlin"},
		{"Asia/Kolkata", "Asia/Kolkata"},
		{"../../etc/passwd", "UTC"},
		{"Local", "UTC"},
		{"", "UTC"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.cookie != "" {
			r.AddCookie(&http.Cookie{Name: "tz", Value: tt.cookie})
		}
		if got := viewerLocation(r).String(); got != tt.want {
			t.Errorf("cookie %q: %s, want %s", tt.cookie, got, tt.want)
		}
	}
}
