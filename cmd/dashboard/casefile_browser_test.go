package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/app"
	"github.com/teamlead/dashboard/internal/app/apptest"
	"github.com/teamlead/dashboard/internal/simulator"
)

// TestBrowserTimelineSeeksTheTranscript opens a session of about 2,000
// messages: the page shows the first 200 and stays light; clicking a bar
// of the timeline scrolls the transcript to that moment, and clicking the
// last message's tick loads the further pages until that message is on
// screen. Timings are logged.
func TestBrowserTimelineSeeksTheTranscript(t *testing.T) {
	ctx := newBrowser(t)
	h := apptest.New(t, apptest.Options{Simulator: simulator.Options{Conversations: 3000},
		Tuning: app.Tuning{UserUpstreamPerMinute: 10000}})
	var long simulator.ConversationInfo
	for _, c := range h.Sim.Conversations() {
		if apptest.ClosedWithAgent(c) && len(h.Sim.Transcript(c.SessionID)) >= 1500 {
			long = c
			break
		}
	}
	if long.ID == "" {
		t.Fatal("the simulator's world has no long transcript")
	}
	total := len(h.Sim.Transcript(long.SessionID))
	browserLogin(t, ctx, h.URL(), "lead", apptest.Password)

	start := time.Now()
	steps(t, ctx,
		chromedp.Navigate(h.URL()+"/sessions/"+long.SessionID),
		chromedp.WaitVisible(`[data-testid=transcript]`),
		chromedp.WaitVisible(`[data-testid=timeline]`),
	)
	loaded := time.Since(start)
	shown := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=transcript-message]').length`))
	nodes := value(t, ctx, chromedp.Evaluate[int](`document.getElementsByTagName('*').length`))
	t.Logf("%d-message transcript: page ready in %s with %d messages and %d elements", total, loaded.Round(time.Millisecond), shown, nodes)
	if shown != 200 || nodes > 8000 {
		t.Errorf("the page shows %d messages in %d elements; want the first 200 and a light page", shown, nodes)
	}

	// A handling bar: the transcript scrolls to the first message at or
	// after its start, which is on screen and marked.
	seek := value(t, ctx, chromedp.Evaluate[string](`(function(){
		var s = document.querySelector('[data-testid=timeline] [data-testid=segment][data-kind=handling]');
		s.querySelector('rect').dispatchEvent(new MouseEvent('click', {bubbles: true}));
		return s.getAttribute('data-seek');
	})()`))
	waitFor(t, ctx, `document.querySelector('.msg-current') !== null`)
	checkCurrent(t, ctx, seek)

	// The last message's tick: the further pages load until it is there.
	start = time.Now()
	last := value(t, ctx, chromedp.Evaluate[string](`(function(){
		var ticks = document.querySelectorAll('[data-testid=message-tick]');
		var tk = ticks[ticks.length - 1];
		tk.dispatchEvent(new MouseEvent('click', {bubbles: true}));
		return tk.getAttribute('data-seek');
	})()`))
	waitFor(t, ctx, fmt.Sprintf(`(function(){ var m = document.querySelector('.msg-current'); return m && +m.getAttribute('data-at') >= %s; })()`, last))
	seeked := time.Since(start)
	shown = value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=transcript-message]').length`))
	t.Logf("seeking to the last message loaded %d messages in %s", shown, seeked.Round(time.Millisecond))
	if shown != total {
		t.Errorf("%d of %d messages loaded after seeking to the end", shown, total)
	}
	checkCurrent(t, ctx, last)
	if seeked > 20*time.Second {
		t.Errorf("seeking through %d messages took %s", total, seeked)
	}
}

// checkCurrent asserts the marked message is the first at or after seek
// (Unix ms) and is on screen, inside the transcript's box.
func checkCurrent(t *testing.T, ctx context.Context, seek string) {
	t.Helper()
	at, err := strconv.ParseInt(seek, 10, 64)
	if err != nil {
		t.Fatalf("seek %q", seek)
	}
	got := value(t, ctx, chromedp.Evaluate[map[string]any](fmt.Sprintf(`(function(){
		var m = document.querySelector('.msg-current');
		var items = document.querySelectorAll('[data-testid=transcript-message]');
		var first = null;
		for (var i = 0; i < items.length; i++) { if (+items[i].getAttribute('data-at') >= %d) { first = items[i]; break; } }
		var box = document.getElementById('transcript').getBoundingClientRect(), r = m.getBoundingClientRect();
		return {first: m === first, id: m.id,
			inBox: r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
			onScreen: r.top >= 0 && r.bottom <= window.innerHeight};
	})()`, at)))
	if got["first"] != true || got["inBox"] != true || got["onScreen"] != true {
		t.Errorf("seeking to %d: %v", at, got)
	}
}

// TestBrowserRecordingPlays plays a call's recording through the
// dashboard's own route: the audio element loads it (no media error, the
// CSP allows it) and its time advances once it plays.
func TestBrowserRecordingPlays(t *testing.T) {
	ctx := newBrowser(t)
	h := apptest.New(t, apptest.Options{Simulator: simulator.Options{Conversations: 400},
		Tuning: app.Tuning{UserUpstreamPerMinute: 10000}})
	var call simulator.SessionInfo
	for _, s := range h.Sim.Sessions(apptest.Anchor.AddDate(0, 0, -31), h.Clock.Now()) {
		if s.ConversationID != "" && s.Channel == "voice" && s.Recording == api.RecordingReady {
			call = s
			break
		}
	}
	if call.ID == "" {
		t.Fatal("no call with a ready recording")
	}
	browserLogin(t, ctx, h.URL(), "viewer", apptest.Password)
	steps(t, ctx,
		chromedp.Navigate(h.URL()+"/sessions/"+call.ID),
		chromedp.WaitVisible(`[data-testid=recording-player]`),
	)
	src := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=recording-player]').currentSrc`))
	if src != h.URL()+"/sessions/"+call.ID+"/recordings/1" {
		t.Errorf("player source %q", src)
	}
	steps(t, ctx, chromedp.Evaluate[chromedp.Void](`(function(){
		var a = document.querySelector('[data-testid=recording-player]');
		a.muted = true;
		var p = a.play();
		if (p) p.catch(function(){});
	})()`))
	waitFor(t, ctx, `(function(){ var a = document.querySelector('[data-testid=recording-player]'); return !!a.error || a.readyState >= 2; })()`)
	state := value(t, ctx, chromedp.Evaluate[map[string]any](`(function(){
		var a = document.querySelector('[data-testid=recording-player]');
		return {ready: a.readyState, error: a.error ? a.error.code : 0, duration: a.duration};
	})()`))
	if state["error"] != float64(0) || state["ready"].(float64) < 2 {
		t.Fatalf("player %v", state)
	}
	// Played (muted), its time advances; a browser without an audio
	// output may hold it at 0, which the loaded state above covers.
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	advanced, err := chromedp.Run(tctx, chromedp.Poll[bool](`(function(){ var a = document.querySelector('[data-testid=recording-player]'); return a.currentTime > 0.2 || a.ended; })()`, chromedp.WithPollingInterval(50*time.Millisecond)))
	t.Logf("recording: %v, time advanced: %v (%v)", state, advanced, err)
}
