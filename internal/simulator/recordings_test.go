package simulator

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func (e *testEnv) recording(sessionID string) recordingAnswer {
	e.t.Helper()
	r := e.bot(http.MethodGet, "v2/recordings?sessionId="+sessionID, nil)
	mustOK(e.t, r)
	var a recordingAnswer
	r.decode(e.t, &a)
	return a
}

// A call's recording: in progress while the call lasts, then being
// processed, then a signed link (or, for a few, never available). Chats
// have no media.
func TestRecordingStatusesFollowTheCall(t *testing.T) {
	e := newEnv(t, Options{Conversations: 1000})
	var call *session
	for _, ss := range e.sim.sessions {
		if ss.plan != nil && ss.voice() && ss.start.After(testAnchor) && !ss.rec.unavailable {
			call = ss
			break
		}
	}
	end := call.plannedEnd()
	steps := []struct {
		name   string
		at     time.Time
		status string
		files  int
	}{
		{"ringing the bot", call.start, recInCall, 0},
		{"with an agent", call.plan.start.Add(time.Second), recInCall, 0},
		{"just ended", end, recProcessing, 0},
		{"media ready", end.Add(call.rec.delay), recSuccess, 1},
		{"a month later", end.Add(30 * 24 * time.Hour), recSuccess, 1},
	}
	e.clock.Set(call.start.Add(-time.Millisecond))
	if r := e.bot(http.MethodGet, "v2/recordings?sessionId="+call.id, nil); r.status != http.StatusNotFound {
		t.Fatalf("before the call: status %d", r.status)
	}
	for _, st := range steps {
		e.clock.Set(st.at)
		a := e.recording(call.id)
		if a.Status != st.status || len(a.Recording) != st.files {
			t.Errorf("%s: %+v", st.name, a)
		}
	}
	e.clock.Set(testNow)
	statuses := map[string]int{}
	for _, ss := range e.sim.sessions {
		if !ss.exists(testNow) {
			continue
		}
		a := e.recording(ss.id)
		switch {
		case !ss.voice():
			if a.Status != recUnavailable || len(a.Recording) != 0 {
				t.Fatalf("chat %s: %+v", ss.id, a)
			}
		default:
			statuses[a.Status]++
			if a.Status == recSuccess && !strings.HasPrefix(a.Recording[0].FileName, ss.callID()) {
				t.Fatalf("call %s: file %s", ss.id, a.Recording[0].FileName)
			}
		}
	}
	if statuses[recSuccess] < 100 || statuses[recUnavailable] < 3 {
		t.Errorf("recording statuses of calls: %v", statuses)
	}
}

// The signed link needs no token, serves a small WAV with ranges, and
// refuses a tampered or expired link.
func TestRecordingMediaLink(t *testing.T) {
	e := newEnv(t, Options{Conversations: 400})
	call := findSession(t, e.sim, func(ss *session) bool { return ss.recordingAt(e.clock.Now()) == recSuccess })
	link := e.recording(call.id).Recording[0].FileURL
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := strconv.ParseInt(u.Query().Get("e"), 10, 64)
	if want := e.clock.Now().Add(MediaURLLifetime).Unix(); exp != want || u.Query().Get("s") == "" || u.Query().Get("n") == "" {
		t.Fatalf("link %s: e=%d, want %d", link, exp, want)
	}
	get := func(rawURL string, headers map[string]string) response {
		return e.doWith(http.MethodGet, rawURL, nil, headers)
	}

	r := get(link, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "audio/wav" || r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
		t.Fatalf("status %d, type %q, length %q for %d bytes", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Length"), len(r.body))
	}
	wav := r.body
	if len(wav) < 44 || string(wav[:4]) != "RIFF" || string(wav[8:16]) != "WAVEfmt " || string(wav[36:40]) != "data" ||
		int(binary.LittleEndian.Uint32(wav[4:8])) != len(wav)-8 || int(binary.LittleEndian.Uint32(wav[40:44])) != len(wav)-44 ||
		binary.LittleEndian.Uint32(wav[24:28]) != wavRate {
		t.Fatalf("not a valid WAV header: % x", wav[:min(len(wav), 44)])
	}
	if secs := (len(wav) - 44) / 2 / wavRate; secs < 2 || secs > 5 {
		t.Errorf("%d seconds of audio", secs)
	}
	if again := get(link, nil); !bytes.Equal(again.body, wav) {
		t.Error("the same link served different bytes")
	}
	part := get(link, map[string]string{"Range": "bytes=0-43"})
	if part.status != http.StatusPartialContent || !bytes.Equal(part.body, wav[:44]) {
		t.Errorf("range: status %d, %d bytes", part.status, len(part.body))
	}

	q := u.Query()
	tamper := func(key, value string) string {
		v := url.Values{}
		for k := range q {
			v.Set(k, q.Get(k))
		}
		v.Set(key, value)
		return u.Scheme + "://" + u.Host + u.Path + "?" + v.Encode()
	}
	sig := q.Get("s")
	flipped := string(sig[0]^1) + sig[1:]
	tests := []struct {
		name string
		link string
	}{
		{"tampered signature", tamper("s", flipped)},
		{"extended expiry", tamper("e", strconv.FormatInt(exp+3600, 10))},
		{"another nonce", tamper("n", "1")},
		{"another file", strings.Replace(link, call.rec.fileID, "f-00000000-0000-5000-8000-000000000000", 1)},
		{"no signature", u.Scheme + "://" + u.Host + u.Path},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := get(tt.link, nil); r.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", r.status)
			}
		})
	}
	e.clock.Set(time.Unix(exp, 0))
	if r := get(link, nil); r.status != http.StatusOK {
		t.Fatalf("at its expiry second: status %d", r.status)
	}
	e.clock.Advance(time.Second)
	if r := get(link, nil); r.status != http.StatusForbidden {
		t.Fatalf("expired: status %d, want 403", r.status)
	}
}
