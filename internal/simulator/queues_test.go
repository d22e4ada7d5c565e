package simulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type queueStats struct {
	QueueID     string `json:"queueId"`
	Waiting     int    `json:"waiting"`
	Engaged     int    `json:"engaged"`
	DropOff     int    `json:"dropOff"`
	NoOfAgents  int    `json:"noOfAgents"`
	AgentStatus struct {
		Available, Offline, Busy, Away int
	} `json:"agentStatus"`
	QueueSummary struct {
		AvgWait int `json:"avgWait"`
		MaxWait int `json:"maxWait"`
		ASA     int `json:"ASA"`
	} `json:"queueSummary"`
}

func (e *testEnv) queueStats(queueID string, body any) queueStats {
	e.t.Helper()
	r := e.do(http.MethodPost, e.url("/monitor/queueStatsById/"+queueID), body)
	mustOK(e.t, r)
	var out []queueStats
	r.decode(e.t, &out)
	if len(out) != 1 || out[0].QueueID != queueID {
		e.t.Fatalf("answer %s", r.body)
	}
	return out[0]
}

// queueStatsById agrees with the conversations and agents as they stand,
// at any hour; assigning a waiting conversation moves it to engaged.
func TestQueueStatsAgreeWithTheFloor(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	for _, hour := range []int{3, 11, 19} {
		e.clock.Set(testAnchor.Add(time.Duration(hour) * time.Hour))
		now := e.clock.Now()
		convs := e.sim.Conversations()
		for _, q := range e.sim.cat.queues {
			got := e.queueStats(q.ID, nil)
			var waiting, engaged int
			var maxWait time.Duration
			for _, c := range convs {
				if c.EndTime.IsZero() && c.QueueID == q.ID {
					if c.Status == "OPEN" {
						waiting++
						p := e.sim.planByID[c.ID]
						cq, _ := p.viewAt(now).currentQueue()
						maxWait = max(maxWait, now.Sub(cq.StartTime.Time()))
					} else {
						engaged++
					}
				}
			}
			presence := map[string]int{}
			members := 0
			for _, a := range e.sim.Agents() {
				if slices.Contains(a.QueueIDs, q.ID) {
					presence[a.OnlineStatus]++
					members++
				}
			}
			if got.Waiting != waiting || got.Engaged != engaged || got.NoOfAgents != members ||
				got.AgentStatus.Available != presence["AVAILABLE"] || got.AgentStatus.Busy != presence["BUSY"] ||
				got.AgentStatus.Away != presence["AWAY"] || got.AgentStatus.Offline != presence["OFFLINE"] ||
				got.QueueSummary.MaxWait != int(maxWait/time.Second) || got.QueueSummary.AvgWait > got.QueueSummary.MaxWait {
				t.Errorf("%s at %02d:00: %+v; want waiting %d, engaged %d, %d agents %v, max wait %v", q.Name, hour, got, waiting, engaged, members, presence, maxWait)
			}
		}
	}
	def := e.sim.cat.queues[0]
	before := e.queueStats(def.ID, nil)
	if before.DropOff == 0 || before.QueueSummary.ASA == 0 {
		t.Errorf("by 19:00 the default queue has %d drop-offs today, ASA %d s", before.DropOff, before.QueueSummary.ASA)
	}
	var waiting ConversationInfo
	for _, c := range e.sim.Conversations() {
		if c.Guarantee == guaranteeWaiting && c.Status == "OPEN" {
			waiting = c
			break
		}
	}
	agent := pickAgent(t, e.sim, func(a AgentInfo) bool { return a.OnlineStatus == "AVAILABLE" && slices.Contains(a.QueueIDs, def.ID) })
	if err := e.sim.AssignNow(waiting.ID, agent.ID); err != nil {
		t.Fatal(err)
	}
	after := e.queueStats(def.ID, nil)
	if after.Waiting != before.Waiting-1 || after.Engaged != before.Engaged+1 {
		t.Errorf("after assigning a waiting conversation: %d waiting, %d engaged (before %d, %d)", after.Waiting, after.Engaged, before.Waiting, before.Engaged)
	}
	if filtered := e.queueStats(def.ID, map[string]any{"languages": []string{"fr"}}); filtered.Waiting != 0 || filtered.Engaged != 0 {
		t.Errorf("no French conversation waits in the default queue, got %+v", filtered)
	}
	if r := e.do(http.MethodPost, e.url("/monitor/queueStatsById/qu-0000000-0000-4000-8000-000000000000"), nil); r.status != http.StatusNotFound {
		t.Errorf("unknown queue: status %d", r.status)
	}
}

type perfPage struct {
	FinalResult []map[string]any `json:"finalResult"`
	HasMore     bool             `json:"hasMore"`
	Offset      int              `json:"offset"`
	Limit       int              `json:"limit"`
	Total       int              `json:"totalResults"`
}

// queue-performance's period counts add up to the queue visits of the
// day, and its requests are validated.
func TestQueuePerformance(t *testing.T) {
	e := newEnv(t, Options{Conversations: 2000})
	from, to := testAnchor.Add(-24*time.Hour), testAnchor.Add(-time.Millisecond)
	body := map[string]any{"startDate": formatJS(from), "endDate": formatJS(to)}
	r := e.analytics("queue-performance", body)
	mustOK(t, r)
	var p perfPage
	r.decode(t, &p)
	got := map[string]int{}
	for _, row := range p.FinalResult {
		got[row["queueId"].(string)] += int(row["totalConversation"].(float64))
		sum := 0
		for _, k := range []string{"completed", "transferred", "abandonedInQueue", "expired"} {
			sum += int(row[k].(float64))
		}
		sum += int(row["systemTermination"].(map[string]any)["Others"].(float64))
		if sum != int(row["totalConversation"].(float64)) || row["accepted"] != row["answered"] {
			t.Errorf("row %v/%v: outcomes add to %d of %v", row["queueName"], row["channel"], sum, row["totalConversation"])
		}
	}
	want := map[string]int{}
	for _, c := range e.sim.Conversations() {
		for _, q := range e.sim.planByID[c.ID].viewAt(testNow).Queues {
			if !q.StartTime.Time().Before(from) && !q.StartTime.Time().After(to) && !c.EndTime.IsZero() {
				want[q.ID]++
			}
		}
	}
	for _, q := range e.sim.cat.queues {
		if got[q.ID] != want[q.ID] {
			t.Errorf("%s: %d visits counted, %d entered that day", q.Name, got[q.ID], want[q.ID])
		}
	}
	names := func(p perfPage) []string {
		var out []string
		for _, row := range p.FinalResult {
			out = append(out, row["queueName"].(string)+"/"+row["channel"].(string))
		}
		return out
	}
	if !slices.IsSortedFunc(p.FinalResult, func(a, b map[string]any) int {
		return strings.Compare(a["queueName"].(string), b["queueName"].(string))
	}) {
		t.Errorf("not sorted by queue name: %v", names(p))
	}
	tests := []struct {
		name   string
		query  string
		set    map[string]any
		status int
		check  func(t *testing.T, q perfPage)
	}{
		{"more than a day", "", map[string]any{"startDate": formatJS(from.Add(-time.Hour))}, http.StatusPreconditionFailed, nil},
		{"limit above 1000", "", map[string]any{"limit": 1001}, http.StatusPreconditionFailed, nil},
		{"bad sortBy", "?sortBy=agents:asc", nil, http.StatusPreconditionFailed, nil},
		{"paged", "", map[string]any{"limit": 3, "offset": 3}, http.StatusOK, func(t *testing.T, q perfPage) {
			if !slices.Equal(names(q), names(p)[3:6]) || !q.HasMore || q.Total != p.Total {
				t.Fatalf("page %v of %v", names(q), names(p))
			}
		}},
		{"descending", "?sortBy=queueName:desc", nil, http.StatusOK, func(t *testing.T, q perfPage) {
			if n := names(q); n[0] != names(p)[len(names(p))-1] {
				t.Fatalf("first %s", n[0])
			}
		}},
		{"voice only", "", map[string]any{"channels": []string{"Voice"}}, http.StatusOK, func(t *testing.T, q perfPage) {
			if len(q.FinalResult) == 0 || slices.ContainsFunc(q.FinalResult, func(r map[string]any) bool { return r["channel"] != "Voice" }) {
				t.Fatalf("rows %v", names(q))
			}
		}},
		{"outbound only", "", map[string]any{"direction": []string{"Outbound"}}, http.StatusOK, func(t *testing.T, q perfPage) {
			if len(q.FinalResult) != 0 {
				t.Fatalf("rows %v", names(q))
			}
		}},
		{"projection", "", map[string]any{"projection": []string{"ASA", "SLA"}}, http.StatusOK, func(t *testing.T, q perfPage) {
			for _, row := range q.FinalResult {
				if len(row) != 6 || row["ASA"] == nil || row["SLA"] == nil {
					t.Fatalf("projected row %v", row)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := map[string]any{}
			for k, v := range body {
				b[k] = v
			}
			for k, v := range tt.set {
				b[k] = v
			}
			r := e.analytics("queue-performance"+tt.query, b)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.check != nil {
				var q perfPage
				r.decode(t, &q)
				tt.check(t, q)
			}
		})
	}
}

type volumePage struct {
	HasMore    bool `json:"hasMore"`
	TotalCount int  `json:"totalCount"`
	Rows       []struct {
		Start     string `json:"intervalStartTimeStamp"`
		End       string `json:"intervalEndTimeStamp"`
		QueueID   string `json:"queueId"`
		Source    string `json:"source"`
		Offered   int    `json:"offeredContacts"`
		Answered  int    `json:"answeredContacts"`
		Abandoned int    `json:"abandonedContacts"`
		Completed int    `json:"completedContacts"`
		Handle    int64  `json:"conversationHandleTime"`
		Talk      int64  `json:"conversationTalkTime"`
		ACW       int64  `json:"acwDuration"`
	} `json:"CallVolumeUpdate"`
}

// callvolume counts every queue visit once, in the 15-minute interval it
// entered, and only intervals that have ended.
func TestCallVolume(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	e.clock.Set(testAnchor.Add(10*time.Hour + 7*time.Minute))
	now := e.clock.Now()
	from := testAnchor.Add(-48 * time.Hour)
	offered := 0
	var last string
	for skip := 0; ; skip += 500 {
		r := e.analytics("callvolume", map[string]any{"orgId": e.creds.OrgID, "fromTimeStamp": formatJS(from), "toTimeStamp": formatJS(now.Add(time.Hour)), "skip": skip, "limit": 500})
		mustOK(t, r)
		var p volumePage
		r.decode(t, &p)
		for _, row := range p.Rows {
			start, _ := time.Parse(jsTimeLayout, row.Start)
			end, _ := time.Parse(jsTimeLayout, row.End)
			if start.Minute()%15 != 0 || end.Sub(start) != volumeInterval || end.After(now) || start.Before(from) || row.Start < last {
				t.Fatalf("interval %s…%s (now %v)", row.Start, row.End, now)
			}
			if row.Answered > row.Offered || row.Abandoned+row.Completed > row.Offered || row.Handle != row.Talk+row.ACW {
				t.Fatalf("row %+v", row)
			}
			last = row.Start
			offered += row.Offered
		}
		if !p.HasMore {
			break
		}
	}
	want := 0
	cutoff := now.Truncate(volumeInterval)
	for _, c := range e.sim.Conversations() {
		for _, q := range e.sim.planByID[c.ID].viewAt(now).Queues {
			if at := q.StartTime.Time(); !at.Before(from) && at.Before(cutoff) {
				want++
			}
		}
	}
	if offered != want || want < 50 {
		t.Fatalf("%d contacts offered, %d queue visits entered in ended intervals", offered, want)
	}
	if r := e.analytics("callvolume", map[string]any{"orgId": "o-someone-else"}); r.status != http.StatusPreconditionFailed {
		t.Errorf("another org: status %d", r.status)
	}
}

func TestAgentStatusDetails(t *testing.T) {
	e := newEnv(t, Options{Conversations: 50})
	e.clock.Set(testAnchor.Add(13 * time.Hour))
	agents := e.sim.Agents()
	type row struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
		Status []struct {
			Primary   string `json:"primaryStatus"`
			Secondary string `json:"secondaryStatus"`
			Start     string `json:"startTime"`
			End       string `json:"endTime"`
			Duration  string `json:"duration"`
		} `json:"status"`
	}
	var page struct {
		HasMore bool  `json:"hasMore"`
		Data    []row `json:"data"`
	}
	r := e.analytics("agentstatusdetails?limit=50&offset=0", map[string]any{"filter": map[string]any{"dateFilter": map[string]any{
		"startDate": testAnchor.AddDate(0, 0, -1).Format(time.DateOnly), "endDate": testAnchor.Format(time.DateOnly), "timeZoneOffSet": 0}}})
	mustOK(t, r)
	r.decode(t, &page)
	if len(page.Data) != len(agents) || page.HasMore {
		t.Fatalf("%d agents, hasMore %v", len(page.Data), page.HasMore)
	}
	for i, d := range page.Data {
		a := agents[i]
		if d.UserID != a.UserID || d.Email != a.Email || len(d.Status) == 0 {
			t.Fatalf("row %d: %+v for %s", i, d, a.Email)
		}
		for k, s := range d.Status {
			if k > 0 && s.Start < d.Status[k-1].End {
				t.Fatalf("%s: interval %d starts before the last ended", a.Email, k)
			}
			open := s.End == "-"
			if open != (k == len(d.Status)-1 && a.OnlineStatus != "OFFLINE") || open && (s.Primary != a.OnlineStatus || s.Duration != "-") {
				t.Fatalf("%s (%s): interval %d %+v", a.Email, a.OnlineStatus, k, s)
			}
			if !open {
				st, _ := time.Parse("2006-01-02T15:04:05", s.Start)
				en, _ := time.Parse("2006-01-02T15:04:05", s.End)
				if got := hms(en.Sub(st)); got != s.Duration && hms(en.Sub(st)-time.Second) != s.Duration {
					t.Fatalf("%s: %s…%s lasts %s, says %s", a.Email, s.Start, s.End, got, s.Duration)
				}
			}
		}
	}
	r = e.analytics("agentstatusdetails?limit=2&offset=1", map[string]any{"filter": map[string]any{
		"agents": []string{agents[0].Email, agents[1].Email, agents[2].Email}, "dateFilter": map[string]any{"date": testAnchor.Format(time.DateOnly), "timeZoneOffSet": -330}}})
	mustOK(t, r)
	r.decode(t, &page)
	if len(page.Data) != 2 || page.Data[0].Email != agents[1].Email || page.HasMore {
		t.Fatalf("filtered page %+v", page)
	}
	if r := e.analytics("agentstatusdetails?limit=51", map[string]any{}); r.status != http.StatusPreconditionFailed {
		t.Errorf("limit 51: status %d", r.status)
	}
}
