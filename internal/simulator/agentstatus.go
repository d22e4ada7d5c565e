package simulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// agentstatusdetails: each agent's status changes over the requested days.
//
// Presence is planned per agent and UTC day from the agent's own stream: a
// shift of 7 to 9 hours starting between 06:00 and 16:00 UTC, made of
// AVAILABLE and BUSY stretches with the odd AWAY break (secondary status
// Lunch or Break) and BUSY "NBK", sometimes with gaps between them. The day
// of the clock stops at now, and an agent who is not OFFLINE then has one
// more, open interval (endTime and duration "-") in the presence the agent
// endpoints report.

const maxStatusAgents = 50

type statusInterval struct {
	PrimaryStatus   string `json:"primaryStatus"`
	SecondaryStatus string `json:"secondaryStatus"`
	StartTime       string `json:"startTime"`
	EndTime         string `json:"endTime"`
	Duration        string `json:"duration"`
	start           time.Time
}

type agentStatusRow struct {
	UserID    string           `json:"userId"`
	FirstName string           `json:"firstName"`
	LastName  string           `json:"lastName"`
	Email     string           `json:"email"`
	CustomID  string           `json:"customId,omitempty"`
	Status    []statusInterval `json:"status,omitempty"`
}

type agentStatusRequest struct {
	Filter struct {
		Agents     []string `json:"agents"`
		DateFilter struct {
			StartDate      string   `json:"startDate"`
			EndDate        string   `json:"endDate"`
			Date           string   `json:"date"`
			TimeZoneOffSet *float64 `json:"timeZoneOffSet"`
			TimeZoneOffset *float64 `json:"timeZoneOffset"`
		} `json:"dateFilter"`
	} `json:"filter"`
}

func hms(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// agentStatusDetails serves agentstatusdetails; offset counts agents.
func (s *Simulator) agentStatusDetails(w http.ResponseWriter, r *http.Request) {
	var req agentStatusRequest
	if err := decodeBody(r, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q, "limit", maxStatusAgents, 1)
	if err == nil && limit > maxStatusAgents {
		err = fmt.Errorf("limit must be at most %d agents", maxStatusAgents)
	}
	offset := 0
	if err == nil {
		offset, err = intParam(q, "offset", 0, 0)
	}
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	df := req.Filter.DateFilter
	tz := df.TimeZoneOffSet
	if tz == nil {
		tz = df.TimeZoneOffset
	}
	o, err := parseOffset(tz)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	start, end := df.StartDate, df.EndDate
	if df.Date != "" {
		start, end = df.Date, df.Date
	}
	from, to, err := parseLocalRange(start, end, o, maxAnalyticsSpan)
	if err != nil {
		invalid(w, "%v", err)
		return
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var rows []agentStatusRow
	for ai, a := range s.agents {
		email := docString(a.doc, "emailId")
		if len(req.Filter.Agents) > 0 && !slices.Contains(req.Filter.Agents, email) {
			continue
		}
		rows = append(rows, agentStatusRow{
			UserID: docString(a.doc, "userId"), FirstName: docString(a.doc, "firstName"), LastName: docString(a.doc, "lastName"),
			Email: email, CustomID: docString(a.doc, "customId"), Status: s.presenceHistory(ai, a.presence, from, to, now, o),
		})
	}
	lo, hi := window(len(rows), offset, limit)
	writeJSON(w, http.StatusOK, map[string]any{"hasMore": hi < len(rows), "limit": limit, "offset": offset, "data": nonNil(rows[lo:hi])})
}

// presenceHistory is agent ai's planned status intervals starting in
// [from, to), as of now.
func (s *Simulator) presenceHistory(ai int, presence string, from, to, now time.Time, o localClock) []statusInterval {
	var out []statusInterval
	last := time.Time{}
	for day := from.Truncate(24 * time.Hour); day.Before(to) && !day.After(now); day = day.Add(24 * time.Hour) {
		r := rand.New(rand.NewPCG(uint64(s.opts.Seed), 0xa9<<48|uint64(ai)<<24|uint64(day.Unix()/86400)&0xffffff))
		t := day.Add(time.Duration(6+(ai*3)%10)*time.Hour + between(r, 0, 30*time.Minute))
		shiftEnd := t.Add(between(r, 7*time.Hour, 9*time.Hour))
		lunch := false
		for t.Before(shiftEnd) {
			primary, secondary := "AVAILABLE", "AVAILABLE"
			dur := between(r, 5*time.Minute, 50*time.Minute)
			switch x := r.Float64(); {
			case x < 0.3:
				primary, secondary = "BUSY", "BUSY"
				if r.Float64() < 0.2 {
					secondary = "NBK"
				}
			case x < 0.4:
				primary, secondary = "AWAY", "Break"
				if !lunch {
					secondary, dur, lunch = "Lunch", between(r, 30*time.Minute, 45*time.Minute), true
				}
			}
			end := earliest(t.Add(dur), shiftEnd)
			if t.After(now) {
				break
			}
			iv := statusInterval{PrimaryStatus: primary, SecondaryStatus: secondary, StartTime: o.format(t), start: t}
			if end.After(now) {
				end = now
			}
			iv.EndTime, iv.Duration = o.format(end), hms(end.Sub(t))
			if !t.Before(from) && t.Before(to) {
				out = append(out, iv)
			}
			last = end
			t = end
			if r.Float64() < 0.15 {
				t = t.Add(between(r, 10*time.Second, 3*time.Minute)) // a gap: the desktop was closed
			}
		}
	}
	if presence != "OFFLINE" && !now.Before(from) && now.Before(to) {
		open := statusInterval{PrimaryStatus: presence, SecondaryStatus: presence, EndTime: "-", Duration: "-"}
		start := later(last, now.Add(-time.Duration(1+ai%50)*time.Minute))
		if n := len(out); n > 0 && out[n-1].EndTime == o.format(now) {
			start = out[n-1].start // the interval running now is the open one
			out = out[:n-1]
		}
		open.StartTime, open.start = o.format(start), start
		out = append(out, open)
	}
	return out
}
