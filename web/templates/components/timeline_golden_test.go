package components

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teamlead/dashboard/internal/timeline"
)

// Golden files: the exact HTML TimelineChart renders for fixed timelines,
// laid out by LayoutTimeline. After an intended change to the layout or the
// template, rewrite them with
//
//	go test ./web/templates/components -run TestTimelineGolden -update
//
// and review the diff like any other change.
var update = flag.Bool("update", false, "rewrite testdata/*.golden.html from the current output")

// Each golden file holds the rendered bytes with a newline added after
// every '>', so that a diff shows one tag per line. The mapping is exact
// and reversible (goldenLines refuses output that already has a newline
// right after a '>'), so comparing the line form compares the bytes.
func goldenLines(t *testing.T, html string) string {
	t.Helper()
	if strings.Contains(html, ">\n") {
		t.Fatal("the rendered chart has a newline right after a '>'; the golden line form cannot represent it")
	}
	return strings.ReplaceAll(html, ">", ">\n")
}

// multiTransferJSON: a closed call that goes Billing → Ann, a manual agent
// transfer to Bob, a manual queue transfer to Escalations where Cara is
// offered it and does not accept, then the OVERDUE system transfer to
// Priority Support where Dev finishes it. Upstream also reports a waitTime.
const multiTransferJSON = `{"_id":"c-multi","status":"CLOSED","conversationType":"voice",
 "startTime":"2025-08-24T13:00:00Z","endTime":"2025-08-24T13:33:45Z","waitTime":452000,
 "participants":[
  {"queueId":"qu-b","queueName":"Billing","queueStartTime":"2025-08-24T13:00:00Z","agentId":"u-ann","name":"Ann Agent",
   "assignedAt":"2025-08-24T13:00:40Z","startTimeStamp":"2025-08-24T13:00:52Z","endTimeStamp":"2025-08-24T13:06:10Z","conversationTransferred":true},
  {"agentId":"u-bob","name":"Bob Builder",
   "assignedAt":"2025-08-24T13:06:10.200Z","startTimeStamp":"2025-08-24T13:06:18Z","endTimeStamp":"2025-08-24T13:14:00Z","conversationTransferred":true},
  {"queueId":"qu-e","queueName":"Escalations","queueStartTime":"2025-08-24T13:14:00Z","agentId":"u-cara","name":"Cara Ng",
   "assignedAt":"2025-08-24T13:19:30Z","endTimeStamp":"2025-08-24T13:20:00Z","reason":"OVERDUE"},
  {"queueId":"qu-p","queueName":"Priority Support","queueStartTime":"2025-08-24T13:20:00Z","agentId":"u-dev","name":"Dev Patel",
   "assignedAt":"2025-08-24T13:21:05Z","startTimeStamp":"2025-08-24T13:21:09Z","endTimeStamp":"2025-08-24T13:33:45Z","endedChat":true}],
 "transferDetails":[
  {"fromAgent":"u-ann","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-bob"}],"transferredBy":"u-ann",
   "priority":"MEDIUM","transferredAt":"2025-08-24T13:06:10Z"},
  {"fromAgent":"u-bob","transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-e","name":"Escalations"}],
   "transferredByAgentName":"Bob Builder","priority":"HIGH","transferredAt":"2025-08-24T13:14:00Z"},
  {"fromQueue":"qu-e","transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-p","name":"Priority Support"}],
   "priority":"HIGHEST","transferredAt":"2025-08-24T13:20:00Z","systemTransferReason":"OVERDUE","systemTransfer":true}]}`

// liveJSON: still running at tlNow. Ann took it from Support and sent it to
// Tier 2, where it has been waiting since, nobody assigned yet.
const liveJSON = `{"_id":"c-live","status":"ACTIVE","conversationType":"messaging","startTime":"2025-08-23T06:30:00Z",
 "queues":[{"type":"ASSIGNED","id":"qu-s","name":"Support","startTime":"2025-08-23T06:30:00Z"},
           {"type":"WAITING","id":"qu-t2","name":"Tier 2","startTime":"2025-08-23T06:32:34Z"}],
 "participants":[
  {"queueId":"qu-s","queueName":"Support","queueStartTime":"2025-08-23T06:30:00Z","agentId":"u-ann","name":"Ann Agent",
   "assignedAt":"2025-08-23T06:30:30Z","startTimeStamp":"2025-08-23T06:30:34Z","endTimeStamp":"2025-08-23T06:32:34Z","conversationTransferred":true}],
 "transferDetails":[
  {"fromAgent":"u-ann","transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-t2","name":"Tier 2"}],"transferredBy":"u-ann",
   "priority":"HIGH","transferredAt":"2025-08-23T06:32:34Z"}]}`

// burstJSON: three agent transfers within 40 seconds on a half-hour axis
// that crosses midnight, then a hand-over to a bot at the very end. The
// markers overlap, so only the labels with room are drawn.
const burstJSON = `{"_id":"c-burst","status":"CLOSED","startTime":"2025-08-23T23:50:00Z","endTime":"2025-08-24T00:20:00Z",
 "participants":[
  {"queueId":"qu-s","queueName":"Support","queueStartTime":"2025-08-23T23:50:00Z","agentId":"u-ann","name":"Ann Agent",
   "assignedAt":"2025-08-23T23:51:00Z","startTimeStamp":"2025-08-23T23:51:05Z","endTimeStamp":"2025-08-24T00:05:00Z"},
  {"agentId":"u-bob","name":"Bob Builder","assignedAt":"2025-08-24T00:05:00.500Z","startTimeStamp":"2025-08-24T00:05:02Z","endTimeStamp":"2025-08-24T00:05:20Z"},
  {"agentId":"u-cara","name":"Cara Ng","assignedAt":"2025-08-24T00:05:20.300Z","startTimeStamp":"2025-08-24T00:05:25Z","endTimeStamp":"2025-08-24T00:05:40Z"},
  {"agentId":"u-dev","name":"Dev Patel","assignedAt":"2025-08-24T00:05:40.100Z","startTimeStamp":"2025-08-24T00:05:41Z","endTimeStamp":"2025-08-24T00:20:00Z"}],
 "transferDetails":[
  {"fromAgent":"u-ann","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-bob"}],"transferredBy":"u-ann","transferredAt":"2025-08-24T00:05:00Z"},
  {"fromAgent":"u-bob","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-cara"}],"transferredBy":"u-bob","transferredAt":"2025-08-24T00:05:20Z"},
  {"fromAgent":"u-cara","transferredType":"AGENT","transferredTo":[{"type":"AGENT","id":"u-dev"}],"transferredBy":"u-cara","transferredAt":"2025-08-24T00:05:40Z"},
  {"fromAgent":"u-dev","transferredType":"OTHERS","transferredTo":[{"type":"BOT","id":"st-survey","name":"Survey bot"}],"transferredBy":"u-dev","transferredAt":"2025-08-24T00:20:00Z"}]}`

// emptyJSON has nothing to draw, only a transfer without a time.
const emptyJSON = `{"_id":"c-e","status":"CLOSED","transferDetails":[{"transferredType":"QUEUE","transferredTo":[{"type":"QUEUE","id":"qu-9"}]}]}`

type goldenCase struct {
	name string // testdata/<name>.golden.html
	tl   func(t *testing.T) timeline.Timeline
	loc  *time.Location
}

func goldenCases() []goldenCase {
	build := func(js string, now time.Time) func(t *testing.T) timeline.Timeline {
		return func(t *testing.T) timeline.Timeline { return timeline.Build(tlConversation(t, js), now) }
	}
	return []goldenCase{
		{"vendor-sample", func(t *testing.T) timeline.Timeline { return timeline.Build(tlVendorSample(t), tlNow) }, nil},
		{"vendor-sample-ist", func(t *testing.T) timeline.Timeline { return timeline.Build(tlVendorSample(t), tlNow) },
			time.FixedZone("IST", 5*3600+1800)},
		{"multi-transfer", build(multiTransferJSON, tlNow), time.FixedZone("EDT", -4*3600)},
		{"live", build(liveJSON, tlNow), time.UTC},
		{"overlapping-markers", build(burstJSON, tlNow), time.UTC},
		{"hostile-labels", func(t *testing.T) timeline.Timeline { return timeline.Build(tlHostileConversation(t), tlHostileNow) }, time.UTC},
		{"empty", build(emptyJSON, tlNow), nil},
		{"vendor-sample-all-sources", tlAllSources, time.UTC},
	}
}

func TestTimelineGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			vm := LayoutTimeline(tc.tl(t), tc.loc)
			if !vm.Empty {
				checkGeometry(t, vm)
			}
			_, html := renderDoc(t, TimelineChart(vm))
			got := goldenLines(t, html)
			path := filepath.Join("testdata", tc.name+".golden.html")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from the rendered chart (run with -update to accept the new output):\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows where want and got part: the first and last differing
// lines with a little context, "-" for the golden file, "+" for the output.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	pre := 0
	for pre < len(w) && pre < len(g) && w[pre] == g[pre] {
		pre++
	}
	suf := 0
	for suf < len(w)-pre && suf < len(g)-pre && w[len(w)-1-suf] == g[len(g)-1-suf] {
		suf++
	}
	const context, most = 3, 25
	var b strings.Builder
	fmt.Fprintf(&b, "@@ golden lines %d–%d, output lines %d–%d @@\n", pre+1, len(w)-suf, pre+1, len(g)-suf)
	for i := max(pre-context, 0); i < pre; i++ {
		fmt.Fprintf(&b, "  %s\n", w[i])
	}
	show := func(sign string, lines []string) {
		for i, l := range lines {
			if i == most {
				fmt.Fprintf(&b, "%s … %d more lines\n", sign, len(lines)-most)
				break
			}
			fmt.Fprintf(&b, "%s %s\n", sign, visible(l))
		}
	}
	show("-", w[pre:len(w)-suf])
	show("+", g[pre:len(g)-suf])
	for i := len(w) - suf; i < min(len(w)-suf+context, len(w)); i++ {
		fmt.Fprintf(&b, "  %s\n", w[i])
	}
	return b.String()
}

// visible is l as is, or Go-quoted when it holds something a terminal
// would hide: control or format characters (the labels' bidi isolates),
// invalid UTF-8, trailing white space.
func visible(l string) string {
	if !utf8.ValidString(l) || strings.TrimRightFunc(l, unicode.IsSpace) != l ||
		strings.IndexFunc(l, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return strconv.Quote(l)
	}
	return l
}

func TestTimelineGoldenDiffHint(t *testing.T) {
	lines := []string{"<svg>", "<g class=\"a\">", "<g class=\"b\">", "<g class=\"c\">", "<g class=\"d\">",
		"<rect x=\"1.0\">", "</rect>", "</g>", "</g>", "</g>", "</g>", "</svg>", ""}
	want := strings.Join(lines, "\n")
	got := strings.Replace(want, `x="1.0"`, `x="1.5"`, 1)
	hint := lineDiff(want, got)
	for _, line := range []string{"@@ golden lines 6–6, output lines 6–6 @@", `- <rect x="1.0">`, `+ <rect x="1.5">`,
		`  <g class="b">`, `  <g class="d">`, "  </rect>"} {
		if !strings.Contains(hint, line+"\n") {
			t.Errorf("hint lacks %q:\n%s", line, hint)
		}
	}
	if strings.Contains(hint, `class="a"`) || strings.Contains(hint, "</svg>") {
		t.Errorf("hint shows more than 3 lines of context:\n%s", hint)
	}
	if got := lineDiff("<text>\n\u2068Ann\u2069</text>\n", "<text>\n\u2068Ann \u2069</text>\n"); !strings.Contains(got, `+ "\u2068Ann \u2069</text>"`) {
		t.Errorf("invisible characters are not spelled out:\n%s", got)
	}
	// The line form is the bytes, reversibly.
	html := `<p>a &gt; b</p> <svg><title>x\ny</title></svg>`
	if lines := goldenLines(t, html); strings.ReplaceAll(lines, ">\n", ">") != html {
		t.Errorf("goldenLines(%q) = %q does not map back", html, lines)
	}
}
