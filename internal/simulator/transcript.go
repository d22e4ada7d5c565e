package simulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"
)

// Transcripts.
//
// A session's transcript is planned from the session's own streams when
// first asked for (and cached): it is a pure function of the seed and the
// session's plan. Turns fall inside the segments of the plan:
//
//   - bot turns only before the hand-off (the whole session for a bot-only
//     one), the last of them the ConnectToAgent task;
//   - customer turns throughout, except inside IDLE spells; some while
//     waiting in a queue;
//   - an agent's turns only inside the leg that agent handles: the first at
//     the leg's planned first response, the rest up to the leg's end;
//   - control messages (ctrlmsg) when an agent joins (accepts), when the
//     conversation is transferred, and when an agent leaves (the leg ends).
//
// A view at t shows the turns at or before t. A reassignment cuts the plan:
// planned turns from the cut on are dropped, and the legs the reassignments
// created get their own turns (a join, a greeting four seconds after the
// accept, then an exchange up to the clock, at most maxAssignedTurns).

type turnKind uint8

const (
	turnBot turnKind = iota
	turnCustomer
	turnAgent
	turnControl
)

func (k turnKind) String() string {
	return [...]string{"bot", "customer", "agent", "control"}[k]
}

type turn struct {
	at      time.Time
	kind    turnKind
	agent   string // agent turns: the agent's userId
	text    string
	task    string // bot turns: the task that spoke
	id, cp  string // ms-… and cp-… ids
	traceID string // customer turns
}

// assignedGreeting is how long after an assignment the agent writes first.
const assignedGreeting = 4 * time.Second

// maxAssignedTurns bounds the exchange after a reassignment, which has no
// planned end.
const maxAssignedTurns = 200

var (
	botWelcome = map[string]string{
		"en": "Hi! I'm the virtual assistant. How can I help you today?",
		"es": "¡Hola! Soy el asistente virtual. ¿En qué puedo ayudarte hoy?",
		"de": "Hallo! Ich bin der virtuelle Assistent. Wie kann ich helfen?",
		"fr": "Bonjour ! Je suis l'assistant virtuel. Comment puis-je vous aider ?",
		"ar": "مرحبًا! أنا المساعد الافتراضي. كيف يمكنني مساعدتك اليوم؟",
	}
	botLines = []string{"Let me look that up for you.", "Could you share your account number?", "Thanks! One moment please.",
		"I found your account.", "Is there anything else I can help you with?", "Sorry, I didn't get that. Could you rephrase?"}
	botIntentLines = map[string]string{
		"Check Balance": "what's my balance?", "Track Order": "where is my order?", "Reset Password": "I forgot my password",
		"Store Hours": "when are you open on Sunday?", "Pay Bill": "Can you pay my bill?", "Update Address": "I moved, update my address",
	}
	customerLines = []string{"ok", "thanks", "It still doesn't work.", "I already tried restarting it.", "How long will that take?",
		"The order number is 55120-B.", "yes", "no, that's not it", "Can you check again please?", "Great, that worked!",
		"I was charged twice last month.", "hello?", "Sure, one second.", "That's the one."}
	agentLines = []string{"Let me check that for you.", "Thanks for waiting.", "I can see the charge on your account.",
		"Could you confirm the email on the account?", "I've issued a refund; it takes 3-5 business days.",
		"Can you try unplugging the router for 30 seconds?", "Is there anything else I can help with?",
		"I'm escalating this to our technical team.", "You should receive a confirmation email shortly."}
	voiceCustomerLines = []string{"yeah", "uh, the bill from last month", "right", "can you repeat that?", "okay, thank you"}
	voiceAgentLines    = []string{"Sure, let me pull up your account.", "I see it here.", "Can I place you on a brief hold?", "Thanks for holding."}
	piiLine            = "You can reach me at jane.roe@example.com or +1 415 555 0134. My card is 4111 1111 1111 1111, exp 09/29."
)

// transcriptCache keeps planned transcripts: a plan's turns never change,
// so a cached transcript stays valid whatever the clock. It forgets
// everything when it holds more than maxCachedTurns.
type transcriptCache struct {
	mu    sync.Mutex
	turns map[*session][]turn
	size  int
}

const maxCachedTurns = 400_000

func newTranscriptCache() *transcriptCache { return &transcriptCache{turns: map[*session][]turn{}} }

func (c *transcriptCache) get(ss *session, plan func() []turn) []turn {
	c.mu.Lock()
	t, ok := c.turns[ss]
	c.mu.Unlock()
	if ok {
		return t
	}
	t = plan()
	c.mu.Lock()
	if c.size+len(t) > maxCachedTurns {
		clear(c.turns)
		c.size = 0
	}
	if _, dup := c.turns[ss]; !dup {
		c.turns[ss] = t
		c.size += len(t)
	}
	c.mu.Unlock()
	return t
}

func (c *transcriptCache) forget(ss *session) {
	c.mu.Lock()
	if t, ok := c.turns[ss]; ok {
		c.size -= len(t)
		delete(c.turns, ss)
	}
	c.mu.Unlock()
}

// turnsAt is the session's transcript as it reads at now, oldest first.
// Callers hold s.mu.
func (s *Simulator) turnsAt(ss *session, now time.Time) []turn {
	planned := s.transcripts.get(ss, func() []turn { return planTranscript(s.opts.Seed, ss) })
	p := ss.plan
	if p != nil && p.mutatedAt(now) {
		cut := sort.Search(len(planned), func(i int) bool { return !planned[i].at.Before(p.mut.at) })
		return append(slices.Clip(planned[:cut]), assignedTurns(s.opts.Seed, ss, now)...)
	}
	return planned[:sort.Search(len(planned), func(i int) bool { return planned[i].at.After(now) })]
}

// transcriptPlanner builds one session's planned transcript.
type transcriptPlanner struct {
	r     *rand.Rand
	ids   *idSource
	ss    *session
	turns []turn
}

func (tp *transcriptPlanner) add(at time.Time, kind turnKind, agent, text, task string) {
	tp.turns = append(tp.turns, turn{at: at.Truncate(time.Millisecond), kind: kind, agent: agent, text: text, task: task})
}

func (tp *transcriptPlanner) pick(lines []string) string { return lines[tp.r.IntN(len(lines))] }

// spread returns n instants in (from, to), sorted.
func (tp *transcriptPlanner) spread(from, to time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	span := to.Sub(from)
	if span <= 2*time.Millisecond || n <= 0 {
		return out
	}
	for range n {
		out = append(out, from.Add(time.Millisecond+time.Duration(tp.r.Int64N(int64(span-2*time.Millisecond)))))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

func planTranscript(seed int64, ss *session) []turn {
	tp := &transcriptPlanner{
		r:   rand.New(rand.NewPCG(uint64(seed), tagTranscript|ss.key)),
		ids: newIDStream(seed, streamTranscripts+ss.key),
		ss:  ss,
	}
	if ss.plan != nil {
		tp.conversation(ss.plan)
	} else {
		tp.botOnly(ss.bot)
	}
	tp.sprinkle()
	return tp.finish()
}

// botPhase writes the bot's part before a hand-off at end.
func (tp *transcriptPlanner) botPhase(start, end time.Time, lang, intentLine string) {
	welcome := botWelcome[lang]
	if welcome == "" {
		welcome = botWelcome["en"]
	}
	span := end.Sub(start)
	tp.add(start.Add(span/20), turnBot, "", welcome, "Welcome")
	tp.add(start.Add(span*3/10), turnCustomer, "", intentLine, "")
	tp.add(start.Add(span*6/10), turnBot, "", "I will need to get an agent on the line to help you with that. Please hold while I find an available agent.", "ConnectToAgent")
	tp.add(end.Add(-time.Millisecond), turnBot, "", "Agent transfer initiated", "ConnectToAgent")
}

func (tp *transcriptPlanner) botOnly(b *botOnly) {
	ss := tp.ss
	welcome := botWelcome[b.lang]
	if welcome == "" {
		welcome = botWelcome["en"]
	}
	tp.add(ss.start.Add(300*time.Millisecond), turnBot, "", welcome, "Welcome")
	if !b.interactive {
		tp.add(b.end.Add(-2*time.Second), turnBot, "", "Are you still there? I'll close this chat for now.", "Welcome")
		return
	}
	n := 2 + tp.r.IntN(6)
	at := tp.spread(ss.start.Add(2*time.Second), b.end.Add(-time.Second), 2*n)
	for k, t := range at {
		switch {
		case k == 0:
			tp.add(t, turnCustomer, "", botIntentLines[b.intent], "")
		case k%2 == 1:
			tp.add(t, turnBot, "", tp.pick(botLines), b.intent)
		case b.containment == "dropOff" && k == len(at)-1:
			// the customer left without answering
		default:
			tp.add(t, turnCustomer, "", tp.pick(customerLines), "")
		}
	}
}

func (tp *transcriptPlanner) conversation(p *convPlan) {
	c := &p.final
	voice := c.ConversationType == "voice"
	tp.botPhase(tp.ss.start, p.start, c.Language, c.KeyIntentUserInput)
	custLines, agentTexts := customerLines, agentLines
	if voice {
		custLines, agentTexts = voiceCustomerLines, voiceAgentLines
	}
	long, _ := longestLeg(p)
	for i, pt := range c.Participants {
		if pt.StartTimeStamp.IsZero() {
			continue
		}
		accepted, ended := pt.StartTimeStamp.Time(), pt.EndTimeStamp.Time()
		leg := p.legs[i]
		tp.add(accepted, turnControl, pt.AgentID, pt.Name+" joined the conversation", "")
		fr := leg.firstResponse
		if fr.IsZero() {
			fr = accepted.Add(time.Second)
		}
		tp.add(fr, turnAgent, pt.AgentID, "Hi, this is "+pt.Name+". How can I help you?", "")
		pace := 35 * time.Second
		if voice {
			pace = 12 * time.Second
		}
		n := min(max(int(ended.Sub(fr)/pace), 2), 60) * (6 + tp.r.IntN(7)) / 10
		if i == long && tp.ss.chatter > 0 {
			n = tp.ss.chatter - 6 // with the bot's four turns, the join and the leave
		}
		chatter := i == long && tp.ss.chatter > 0
		for _, t := range tp.spread(fr, ended.Add(-100*time.Millisecond), n) {
			idle := inSpell(leg.spells, t, "IDLE")
			switch {
			case tp.r.IntN(2) == 0, idle && chatter: // a long transcript keeps its length: the agent writes instead
				tp.add(t, turnAgent, pt.AgentID, tp.pick(agentTexts), "")
			case !idle:
				tp.add(t, turnCustomer, "", tp.pick(custLines), "")
			}
		}
		for _, sp := range leg.spells {
			if sp.status == "IDLE" && sp.to.Sub(sp.from) > 30*time.Second {
				tp.add(sp.from.Add(20*time.Second), turnAgent, pt.AgentID, "Are you still there?", "")
			}
		}
		verb := " left the conversation"
		if p.legs[i].closing {
			verb = " closed the conversation"
		}
		tp.add(ended, turnControl, pt.AgentID, pt.Name+verb, "")
	}
	for _, td := range c.TransferDetails {
		to := td.TransferredTo[0].Name
		text := "Conversation transferred to " + to
		if td.TransferredType == "QUEUE" {
			text = "Conversation transferred to queue " + to
		}
		if td.SystemTransfer {
			text += " (" + td.SystemTransferReason + ")"
		}
		tp.add(td.TransferredAt.Time(), turnControl, "", text, "")
	}
	// The customer writes while waiting in a queue, now and then.
	for _, w := range waits(p) {
		if w[1].Sub(w[0]) > time.Minute && tp.r.IntN(5) < 2 {
			tp.add(w[0].Add(w[1].Sub(w[0])/2), turnCustomer, "", tp.pick([]string{"hello?", "anyone there?", "still waiting..."}), "")
		}
	}
}

// waits are the stretches of a conversation in which no agent holds it.
func waits(p *convPlan) [][2]time.Time {
	var out [][2]time.Time
	from := p.start
	for _, pt := range p.final.Participants {
		if pt.StartTimeStamp.IsZero() {
			continue
		}
		if a := pt.StartTimeStamp.Time(); a.After(from) {
			out = append(out, [2]time.Time{from, a})
		}
		from = later(from, pt.EndTimeStamp.Time())
	}
	if p.end.After(from) && from.After(p.start) {
		out = append(out, [2]time.Time{from, p.end})
	}
	if len(out) == 0 && p.final.AcceptedAt.IsZero() {
		out = append(out, [2]time.Time{p.start, p.end})
	}
	return out
}

func inSpell(spells []spell, t time.Time, status string) bool {
	for _, sp := range spells {
		if sp.status == status && !t.Before(sp.from) && t.Before(sp.to) {
			return true
		}
	}
	return false
}

// sprinkle puts the planned hostile and personal-data lines into customer
// turns.
func (tp *transcriptPlanner) sprinkle() {
	var cust []int
	for i, t := range tp.turns {
		if t.kind == turnCustomer {
			cust = append(cust, i)
		}
	}
	if len(cust) == 0 {
		return
	}
	if h := tp.ss.hostile; h >= 0 {
		tp.turns[cust[tp.r.IntN(len(cust))]].text = hostileTexts[h]
	}
	if tp.ss.pii {
		tp.turns[cust[len(cust)-1-tp.r.IntN(min(len(cust), 3))]].text = piiLine
	}
}

// finish orders the turns, makes their times distinct and mints their ids.
func (tp *transcriptPlanner) finish() []turn {
	slices.SortStableFunc(tp.turns, func(a, b turn) int { return a.at.Compare(b.at) })
	for i := range tp.turns {
		t := &tp.turns[i]
		if i > 0 && !t.at.After(tp.turns[i-1].at) {
			t.at = tp.turns[i-1].at.Add(time.Millisecond)
		}
		t.id, t.cp = "ms-"+tp.ids.uuid(), "cp-"+tp.ids.uuid()
		if t.kind == turnCustomer {
			t.traceID = tp.ids.uuid()
		}
	}
	return tp.turns
}

// assignedTurns are the turns a reassigned conversation has had since the
// cut, up to now: transfers, and for each leg a reassignment created a
// join, a greeting and an exchange; and the leave of every leg that has
// ended since the cut.
func assignedTurns(seed int64, ss *session, now time.Time) []turn {
	p := ss.plan
	c := &p.mut.rec
	m := p.mut.at
	// Ids come from a stream of their own, so the turns so far keep theirs
	// as the clock moves on and more turns follow.
	tp := &transcriptPlanner{ids: newIDStream(seed^m.UnixMilli(), streamTranscripts+ss.key), ss: ss}
	for _, td := range c.TransferDetails {
		if at := td.TransferredAt.Time(); !at.Before(m) && !at.After(now) {
			tp.add(at, turnControl, "", "Conversation transferred to "+td.TransferredTo[0].Name+" by a supervisor", "")
		}
	}
	for i, pt := range c.Participants {
		if pt.StartTimeStamp.IsZero() {
			continue
		}
		accepted, ended := pt.StartTimeStamp.Time(), pt.EndTimeStamp.Time()
		if !pt.EndTimeStamp.IsZero() && !ended.Before(m) && !ended.After(now) {
			tp.add(ended, turnControl, pt.AgentID, pt.Name+" left the conversation", "")
		}
		if i < len(p.legs) || accepted.After(now) {
			continue
		}
		bound := now
		if !pt.EndTimeStamp.IsZero() {
			bound = ended.Add(-time.Millisecond)
		}
		tp.add(accepted, turnControl, pt.AgentID, pt.Name+" joined the conversation", "")
		t := accepted.Add(assignedGreeting)
		if t.After(bound) {
			continue
		}
		tp.r = rand.New(rand.NewPCG(uint64(seed)^uint64(accepted.UnixMilli()), tagTranscript|ss.key))
		tp.add(t, turnAgent, pt.AgentID, "Hi, this is "+pt.Name+". I'm taking over from here.", "")
		for range maxAssignedTurns - 1 {
			t = t.Add(between(tp.r, 15*time.Second, 75*time.Second))
			if t.After(bound) {
				break
			}
			if tp.r.IntN(2) == 0 {
				tp.add(t, turnAgent, pt.AgentID, tp.pick(agentLines), "")
			} else {
				tp.add(t, turnCustomer, "", tp.pick(customerLines), "")
			}
		}
	}
	return tp.finish()
}

// TranscriptMessage is one message of a session's transcript, for tests.
type TranscriptMessage struct {
	ID          string // ms-…
	At          time.Time
	Kind        string // bot, customer, agent or control
	AgentUserID string // the agent who wrote an agent message (u-…); for control messages, the agent who joined or left
	Text        string
}

// Transcript is the session's transcript as it reads at Clock.Now(),
// oldest first; nil for a session that does not exist (yet).
func (s *Simulator) Transcript(sessionID string) []TranscriptMessage {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	ss, ok := s.lookupSession(sessionID, now)
	if !ok {
		return nil
	}
	turns := s.turnsAt(ss, now)
	out := make([]TranscriptMessage, len(turns))
	for i, t := range turns {
		out[i] = TranscriptMessage{ID: t.id, At: t.at, Kind: t.kind.String(), AgentUserID: t.agent, Text: t.text}
	}
	return out
}

// describe is a short label for a turn in test failures.
func (t turn) describe() string { return fmt.Sprintf("%s %s at %s", t.kind, t.id, formatJS(t.at)) }
