package timeline

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWriteCSV(t *testing.T) {
	tl := Build(loadConversation(t, "get-conversation-details.response.json"), time.Now())
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"utc", nil, `participant,participant_id,kind,start,end,duration_ms,open,transfer_type,from,to,by,priority,system,reason
Default Queue,qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx,queue,2025-08-23T06:23:45.100Z,2025-08-23T06:23:45.595Z,495,false,,,,,,,
SmartAssist QA,u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx,accept,2025-08-23T06:23:45.595Z,2025-08-23T06:23:55.593Z,9998,false,,,,,,,
SmartAssist QA,u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx,handling,2025-08-23T06:23:55.593Z,2025-08-23T06:27:13.724Z,198131,false,,,,,,,
Default Queue,qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx,queue,2025-08-23T06:27:13.707Z,2025-08-23T06:33:49.658Z,395951,false,,,,,,,
SmartAssist QA,u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx,accept,2025-08-23T06:33:49.658Z,2025-08-23T06:33:52.136Z,2478,false,,,,,,,
SmartAssist QA,u-4149b5e5-9bbd-502d-b0ab-bfbd01d6xxxx,handling,2025-08-23T06:33:52.136Z,2025-08-23T06:33:54.960Z,2824,false,,,,,,,
Default Queue,qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx,transfer,2025-08-23T06:27:13.707Z,2025-08-23T06:27:13.707Z,0,false,QUEUE,Default Queue,Default Queue,SmartAssist QA,HIGHEST,true,OVERDUE
`},
		{"viewer zone", ist, `participant,participant_id,kind,start,end,duration_ms,open,transfer_type,from,to,by,priority,system,reason
Default Queue,qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx,queue,2025-08-23T11:53:45.100+05:30,2025-08-23T11:53:45.595+05:30,495,false,,,,,,,
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tl.WriteCSV(&buf, tt.loc); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), tt.want) {
				t.Errorf("got\n%s\nwant prefix\n%s", buf.String(), tt.want)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1+6+1 {
				t.Errorf("%d records", len(recs))
			}
		})
	}
}

func TestWriteCSVHostile(t *testing.T) {
	c := decode(t, conv(`"status":"CLOSED","participants":[{"agentId":"u-1","name":"=HYPERLINK(\"http://x\",\"a, b\")","queueName":"+q","queueId":"qu-1",
		"queueStartTime":"2025-08-23T06:00:00Z","assignedAt":"2025-08-23T06:00:01Z","startTimeStamp":"2025-08-23T06:00:02Z","endTimeStamp":"2025-08-23T06:00:03Z"}],
		"transferDetails":[{"transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-2","name":"@Bob"},{"type":"AGENT","id":"u-3","name":"Cy\nline"}],"transferredByAgentName":"-1"}]`))
	var buf bytes.Buffer
	if err := Build(c, time.Now()).WriteCSV(&buf, time.UTC); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	for _, r := range recs[1:] {
		if len(r) != len(CSVHeader) {
			t.Errorf("ragged record %q", r)
		}
		for _, f := range r {
			if f != "" && strings.ContainsRune("=+-@", rune(f[0])) {
				t.Errorf("formula-like cell %q", f)
			}
		}
	}
	tr := recs[4]
	if tr[2] != "transfer" || tr[3] != "" || tr[0] != "'@Bob; Cy\nline" || tr[1] != "u-2; u-3" || tr[10] != "'-1" {
		t.Errorf("transfer row %q", tr)
	}
	if recs[2][0] != `'=HYPERLINK("http://x","a, b")` {
		t.Errorf("participant cell %q", recs[2][0])
	}
}

func TestExportJSON(t *testing.T) {
	tl := Build(loadConversation(t, "get-conversation-details.response.json"), time.Now())
	b, err := json.Marshal(tl.Export())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	segs := got["segments"].([]any)
	first := segs[0].(map[string]any)
	want := map[string]any{"participant": "Default Queue", "participantId": "qu-a8203c2-aee7-4aa0-bb95-64e5c17exxxx", "queue": "Default Queue",
		"kind": "queue", "start": "2025-08-23T06:23:45.1Z", "end": "2025-08-23T06:23:45.595Z", "durationMs": 495.0, "open": false}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("segments[0].%s = %v, want %v", k, first[k], v)
		}
	}
	if len(segs) != 6 || segs[2].(map[string]any)["durationMs"] != 198131.0 {
		t.Errorf("segments %v", segs)
	}
	tr := got["transfers"].([]any)[0].(map[string]any)
	wantTr := map[string]any{"at": "2025-08-23T06:27:13.707Z", "type": "QUEUE", "from": "Default Queue", "to": "Default Queue",
		"by": "SmartAssist QA", "priority": "HIGHEST", "system": true, "reason": "OVERDUE"}
	for k, v := range wantTr {
		if tr[k] != v {
			t.Errorf("transfers[0].%s = %v, want %v", k, tr[k], v)
		}
	}
	totals := got["totals"].(map[string]any)
	wantTot := map[string]any{"start": "2025-08-23T06:23:45.1Z", "end": "2025-08-23T06:33:54.96Z", "timeToFirstAgentMs": 10493.0,
		"totalWaitMs": 396446.0, "totalAcceptMs": 12476.0, "totalHandleMs": 200955.0, "transfers": 1.0, "systemTransfers": 1.0, "waitTimeReportedMs": 0.0}
	for k, v := range wantTot {
		if totals[k] != v {
			t.Errorf("totals.%s = %v, want %v", k, totals[k], v)
		}
	}
	if w, ok := got["warnings"].([]any); !ok || len(w) != 0 {
		t.Errorf("warnings %v", got["warnings"])
	}

	// Never accepted: null, not 0; empty lists encode as [].
	empty, err := json.Marshal(Build(decode(t, conv(`"status":"CLOSED"`)), time.Now()).Export())
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"segments":[]`, `"transfers":[]`, `"timeToFirstAgentMs":null`, `"start":""`} {
		if !bytes.Contains(empty, []byte(frag)) {
			t.Errorf("%s lacks %s", empty, frag)
		}
	}
}
