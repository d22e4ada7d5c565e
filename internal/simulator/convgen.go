package simulator

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// agentRef is what a conversation needs to know about an agent.
type agentRef struct {
	userID, name, first, last, email string
	chatLangs                        []string
	presence                         string
}

// convGen plans the world. Each conversation draws from its own random
// streams (ids and data, keyed by its index), so the world is a pure function
// of the seed, the anchor and the sizes.
type convGen struct {
	seed        int64
	cat         *catalog
	ids         *idSource  // the current conversation's id stream
	r           *rand.Rand // the current conversation's data stream
	anchor      time.Time
	queueAgents map[string][]agentRef
	agents      []agentRef // every agent, in the agents' order
	supervisors []agentRef // agents whose role is Supervisor (planned reassignments are theirs)
}

// Planning horizon around the anchor.
const (
	pastSpan   = 30 * 24 * time.Hour // Options.Conversations start in [anchor − pastSpan, anchor)
	futureSpan = 7 * 24 * time.Hour  // the same daily rate goes on over [anchor, anchor + futureSpan)
)

func newWorld(seed int64, cat *catalog, anchor time.Time, agents []*agentRecord) *convGen {
	g := &convGen{seed: seed, cat: cat, anchor: anchor, queueAgents: map[string][]agentRef{}}
	for _, a := range agents {
		ref := agentRef{
			userID: docString(a.doc, "userId"), name: agentName(a.doc),
			first: docString(a.doc, "firstName"), last: docString(a.doc, "lastName"),
			email: docString(a.doc, "emailId"), presence: a.presence,
		}
		for _, l := range docObjects(a.doc, "chatLanguageSupport") {
			ref.chatLangs = append(ref.chatLangs, docString(l, "language"))
		}
		for _, qid := range agentQueueIDs(a.doc) {
			g.queueAgents[qid] = append(g.queueAgents[qid], ref)
		}
		g.agents = append(g.agents, ref)
		if docString(a.doc, "role") == "Supervisor" {
			g.supervisors = append(g.supervisors, ref)
		}
	}
	return g
}

// use points the generator at conversation i's own random streams.
func (g *convGen) use(i int) {
	g.ids = newIDStream(g.seed, uint64(i)+1)
	g.r = rand.New(rand.NewPCG(uint64(g.seed), 0xc0a7<<32|uint64(i)))
}

// generate plans the world, newest start first. Index 0 is the replica of
// the vendor's documented conversation (seed 000); then come the natural
// conversations before the anchor, those after it, and last the chains of
// the live-traffic guarantee. n counts everything that starts by the anchor.
func (g *convGen) generate(n int) []*convPlan {
	if n == 0 {
		return nil
	}
	waiting, held := g.planChains()
	pre := 0
	for _, m := range append(slices.Clone(waiting), held...) {
		if !m.start.After(g.anchor) {
			pre++
		}
	}
	before := max(0, n-1-pre)
	after := int(math.Round(float64(n) * float64(futureSpan) / float64(pastSpan)))
	out := make([]*convPlan, 0, 1+before+after+len(waiting)+len(held))
	add := func(p *convPlan, i int) {
		p.idx = i
		out = append(out, p)
	}
	g.use(0)
	add(g.vendorSample(), 0)
	i := 1
	for range before {
		g.use(i)
		add(g.one(i, g.sampleStart(g.anchor.Add(-pastSpan), pastSpan)), i)
		i++
	}
	for range after {
		g.use(i)
		// Strictly after the anchor, so that exactly n exist at the anchor.
		add(g.one(i, g.sampleStart(g.anchor.Add(time.Millisecond), futureSpan-time.Millisecond)), i)
		i++
	}
	for k, m := range waiting {
		g.use(i)
		add(g.waitingMember(i, k, m), i)
		i++
	}
	for k, m := range held {
		g.use(i)
		add(g.heldMember(i, k, m), i)
		i++
	}
	slices.SortStableFunc(out, byNewest)
	return out
}

func jt(t time.Time) jsTime { return jsTime(t) }

func ms(d int64) time.Duration { return time.Duration(d) * time.Millisecond }

// between returns a uniform duration in [lo, hi).
func (g *convGen) between(lo, hi time.Duration) time.Duration { return between(g.r, lo, hi) }

func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// expDur draws an exponential duration with the given mean, clamped.
func (g *convGen) expDur(mean, lo, hi time.Duration) time.Duration {
	d := time.Duration(g.r.ExpFloat64() * float64(mean))
	return min(max(d, lo), hi)
}

// logNormDur draws a long-tailed handling time around median.
func (g *convGen) logNormDur(median time.Duration, lo, hi time.Duration) time.Duration {
	d := time.Duration(float64(median) * math.Exp(g.r.NormFloat64()*0.6))
	return min(max(d, lo), hi)
}

func (g *convGen) pick(items []string) string { return items[g.r.IntN(len(items))] }

// hourWeight shapes traffic like a contact center's day (UTC).
var hourWeight = [24]float64{0.12, 0.1, 0.1, 0.1, 0.12, 0.2, 0.35, 0.55, 0.8, 1, 1, 1, 0.95, 1, 1, 0.95, 0.9, 0.8, 0.65, 0.5, 0.4, 0.3, 0.2, 0.15}

// sampleStart draws a start time in [from, from+span), shaped by time of day
// and weekday.
func (g *convGen) sampleStart(from time.Time, span time.Duration) time.Time {
	for {
		t := from.Add(g.between(0, span))
		w := hourWeight[t.UTC().Hour()]
		if wd := t.UTC().Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.55
		}
		if g.r.Float64() < w {
			return t
		}
	}
}

func (g *convGen) agentFor(q *queueDef, lang string, not string) agentRef {
	all := g.queueAgents[q.ID]
	var fit []agentRef
	for _, a := range all {
		if a.userID != not && slices.Contains(a.chatLangs, lang) {
			fit = append(fit, a)
		}
	}
	if len(fit) == 0 {
		for _, a := range all {
			if a.userID != not {
				fit = append(fit, a)
			}
		}
	}
	if len(fit) == 0 {
		fit = all
	}
	return fit[g.r.IntN(len(fit))]
}

func (g *convGen) queueFor(channel, lang string) *queueDef {
	var fit []*queueDef
	for i := range g.cat.queues {
		q := &g.cat.queues[i]
		if q.Voice != (channel == "voice") || len(g.queueAgents[q.ID]) == 0 {
			continue
		}
		if slices.Contains(q.Languages, lang) {
			fit = append(fit, q)
		}
	}
	if len(fit) == 0 {
		for i := range g.cat.queues {
			if len(g.queueAgents[g.cat.queues[i].ID]) > 0 {
				fit = append(fit, &g.cat.queues[i])
			}
		}
	}
	// The default queue takes the bulk of the traffic.
	for _, q := range fit {
		if q.IsDefault && g.r.Float64() < 0.4 {
			return q
		}
	}
	return fit[g.r.IntN(len(fit))]
}

func (g *convGen) otherQueue(channel, lang string, not *queueDef) *queueDef {
	for range 8 {
		if q := g.queueFor(channel, lang); q.ID != not.ID {
			return q
		}
	}
	for i := range g.cat.queues {
		if q := &g.cat.queues[i]; q.ID != not.ID && len(g.queueAgents[q.ID]) > 0 {
			return q
		}
	}
	return not
}

// builder accumulates one conversation's planned history.
type builder struct {
	g      *convGen
	c      *conversation
	q      *queueDef
	a      agentRef     // agent of the latest leg
	legs   []legPlan    // parallel to c.Participants
	visits []queueVisit // parallel to c.Queues
}

func (b *builder) enqueue(q *queueDef, at time.Time, typ string) {
	for i := range b.c.Queues {
		b.c.Queues[i].Status = "INACTIVE"
	}
	b.c.Queues = append(b.c.Queues, queueEntry{
		Type: typ, Status: "ACTIVE", IsPreferredAgentTimeoutExpired: b.g.r.Float64() < 0.8,
		ID: q.ID, Name: q.Name, StartTime: jt(at),
	})
	b.visits = append(b.visits, queueVisit{})
	b.q = q
}

// leg appends a participant with its whole planned life. A zero accepted
// time means the agent never accepted the offer.
func (b *builder) leg(a agentRef, queued, assigned, accepted, ended time.Time, fromQueue bool) *participant {
	p := participant{
		QueueID: b.q.ID, QueueName: b.q.Name, AgentID: a.userID, Name: a.name, Status: "ACTIVE",
		AssignedAt: jt(assigned), StartTimeStamp: jt(accepted), EndTimeStamp: jt(ended),
	}
	if fromQueue {
		p.QueueStartTime = jt(queued)
	}
	p.IsTransferred, p.OnInterrupt = ptr(false), ptr(b.g.r.Float64() < 0.3)
	if accepted.IsZero() {
		p.Status = "ABANDONED"
	}
	if !accepted.IsZero() && b.c.AcceptedAt.IsZero() {
		b.c.AcceptedAt = jt(accepted)
		b.c.WaitTime = accepted.Sub(b.c.StartTime.Time()).Milliseconds()
	}
	b.c.Participants = append(b.c.Participants, p)
	b.legs = append(b.legs, legPlan{})
	b.a = a
	return &b.c.Participants[len(b.c.Participants)-1]
}

// closing marks the latest leg as the one whose end closes the conversation.
func (b *builder) closing() { b.legs[len(b.legs)-1].closing = true }

// spell adds an IDLE or OVERDUE stretch to the latest leg.
func (b *builder) spell(from, to time.Time, status string) {
	l := &b.legs[len(b.legs)-1]
	l.spells = append(l.spells, spell{from: from, to: to, status: status})
}

var transferPriorities = []string{"LOW", "MEDIUM", "HIGH", "HIGHEST"}

func (b *builder) agentTransfer(from agentRef, to agentRef, at time.Time) {
	email := to.email
	b.c.TransferDetails = append(b.c.TransferDetails, transferDetail{
		FromQueue: b.q.ID, FromAgent: jsonString(from.userID), TransferredType: "AGENT",
		TransferredTo: []transferTarget{{Type: "AGENT", ID: to.userID, Name: to.name, EmailID: &email}},
		TransferredBy: from.userID, Priority: b.g.pick(transferPriorities), TransferredAt: jt(at), IsManager: ptr(false),
	})
}

func (b *builder) queueTransfer(from agentRef, to *queueDef, at time.Time) {
	b.c.TransferDetails = append(b.c.TransferDetails, transferDetail{
		FromQueue: b.q.ID, FromAgent: jsonString(from.userID), TransferredType: "QUEUE",
		TransferredTo: []transferTarget{{Type: "QUEUE", ID: to.ID, Name: to.Name}},
		TransferredBy: from.userID, Priority: b.g.pick(transferPriorities), TransferredAt: jt(at), IsManager: ptr(false),
	})
}

func (b *builder) overdueTransfer(from agentRef, to *queueDef, at time.Time) {
	b.c.TransferDetails = append(b.c.TransferDetails, transferDetail{
		FromQueue: b.q.ID, TransferredByAgentName: from.name, TransferredType: "QUEUE",
		TransferredTo: []transferTarget{{Type: "QUEUE", ID: to.ID, Name: to.Name}},
		Priority:      "HIGHEST", TransferredAt: jt(at), SystemTransferReason: "OVERDUE", SystemTransfer: true,
	})
}

func (b *builder) last() *participant { return &b.c.Participants[len(b.c.Participants)-1] }

func (g *convGen) waitDur() time.Duration {
	return g.expDur(40*time.Second, 300*time.Millisecond, 12*time.Minute)
}
func (g *convGen) ringDur() time.Duration { return g.between(800*time.Millisecond, 20*time.Second) }

func (g *convGen) handleDur(channel string) time.Duration {
	switch channel {
	case "voice":
		return g.logNormDur(5*time.Minute, 20*time.Second, 70*time.Minute)
	case "messaging":
		return g.logNormDur(11*time.Minute, 30*time.Second, 3*time.Hour)
	}
	return g.logNormDur(7*time.Minute, 20*time.Second, 90*time.Minute)
}

const dropOffRemarks = "I'm sorry. It seems like there are no agents that can help you at this time. Please reach out us a bit later."

var (
	channels      = []string{"livechat", "livechat", "livechat", "livechat", "messaging", "messaging", "messaging", "voice", "voice", "voice"}
	languagePool  = []string{"en", "en", "en", "en", "en", "en", "en", "en", "en", "en", "en", "en", "es", "es", "es", "de", "de", "fr", "fr", "ar"}
	intentInputs  = []string{"I want to talk to an agent", "agent please", "I need help with my bill", "my internet is down", "cancel my subscription", "I was charged twice", "talk to a human", "where is my order?"}
	customerFirst = []string{"Alex", "Maria", "Wei", "Sam", "Fatou", "Jonas", "Lucía", "Kenji", "Amir", "Chloé", "Liam", "Ana", "Nikhil", "Sara", "Olu", "Emma"}
	customerLast  = []string{"Walker", "Santos", "Zhang", "Ng", "Diop", "Berg", "Ruiz", "Sato", "Rahimi", "Laurent", "Murphy", "Costa", "Rao", "Lind", "Adeyemi", "Fischer"}
	cities        = []struct{ city, country, isp string }{{"Bengaluru", "India", "Bharti Airtel Ltd., Telemedia Services"}, {"Austin", "United States", "Comcast Cable"}, {"Berlin", "Germany", "Deutsche Telekom AG"}, {"Madrid", "Spain", "Telefonica de Espana"}, {"Lyon", "France", "Orange S.A."}, {"Dubai", "United Arab Emirates", "Emirates Telecommunications"}}
	profColours   = []string{"#ff4500", "#2e8b57", "#ffd700", "#40e0d0", "#1e90ff", "#8a2be2"}
	tones         = []sentimentTone{{"neutral", "😐", 1}, {"joy", "😊", 2}, {"anger", "😠", 3}, {"fear", "😨", 2}, {"sadness", "😢", 2}}
	noteTexts     = []string{"Customer asked about a duplicate charge; refund initiated.", "Reset the router remotely, connection restored.", "Escalated to tier 2 for a firmware issue.", "Customer will call back after checking the invoice.", "Explained the new plan pricing.", "Verified identity and updated the billing address."}
	customSets    = []string{"ThroughWeb", "ThroughApp", "Callback"}
	hostileTexts  = []string{hostileScript, hostileQuotes, hostileArabic, hostileHebrew, hostileEmoji, hostileLong}
)

// hostileIndex picks which conversations carry hostile strings: one of each
// kind among the first few, then a sprinkling.
func hostileIndex(i int) int {
	switch {
	case i >= 1 && i <= len(hostileTexts):
		return i - 1
	case i%53 == 7:
		return (i / 53) % len(hostileTexts)
	}
	return -1
}

func (g *convGen) base(i int, channel, lang string, start time.Time) *conversation {
	ids := g.ids
	c := &conversation{
		BotSessionID: ids.objectID(), BotID: g.cat.creds.BotID, UserID: "u-" + ids.uuid(),
		OrgID: g.cat.creds.OrgID, ID: "c-" + ids.uuidLike(), AccountID: g.cat.creds.AccountID,
		Participants: []participant{}, TransferDetails: []transferDetail{}, ContactFlow: []any{},
		IsProactiveAgentAssistEnabled: true, CallbackOpted: g.r.Float64() < 0.1,
		SurveyRequired: g.pick([]string{"YES", "NO"}), Language: lang,
		KeyIntentName: "TalkToAgent", KeyIntentUserInput: g.pick(intentInputs),
		ConversationType: channel, Queues: []queueEntry{}, FormData: []any{}, Skills: []string{},
		Notes: []note{}, Summary: []string{}, StartTime: jt(start), TimestampValue: start.UnixMilli(),
		CreatedAt: jt(start.Add(3 * time.Millisecond)), StartSessionTime: jt(start.Add(-g.between(15*time.Second, 4*time.Minute))),
	}
	if g.r.Float64() < 0.85 {
		c.Priority = ptr(1 + g.r.IntN(10))
	}
	if g.r.Float64() < 0.7 {
		t := tones[g.r.IntN(len(tones))]
		c.SentimentTone = &t
	}
	loc := cities[g.r.IntN(len(cities))]
	ui := userInfo{
		WorkingHours: workingHours{"mon,tue,wed,thu,fri", "8:00 AM", "5:00 PM"},
		ProfImage:    "no-avatar", ProfColour: g.pick(profColours), ActivationStatus: "active",
		OrgID: g.cat.endUserOrgID, ID: c.UserID, City: loc.city, Country: loc.country, ISP: loc.isp,
		IPAddress:  fmt.Sprintf("%d.%d.%d.%d", 20+g.r.IntN(200), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)),
		HostDomain: "https://platform.kore.ai", OS: g.pick([]string{"Windows", "macOS", "Android", "iOS", "Linux"}), Device: "NA",
		Identities: []identity{{Val: g.cat.creds.ClientID + "/" + ids.uuid(), Type: "mapped"}},
	}
	ui.AgentTransferConfig = agentTransferConfig{
		SkillsIDs: []string{}, OverrideValues: []string{}, AutomationBotID: g.cat.automationBotID,
		LastIntentName: c.KeyIntentName, LastIntentUserInput: c.KeyIntentUserInput, DialogTone: []dialogTone{},
		AccountID: g.cat.creds.AccountID,
	}
	ui.AgentTransferConfig.AssistEvents.StartEvent = startEvent{IsEnabled: true, BotID: g.cat.automationBotID, DialogID: g.cat.dialogID, DialogRefID: g.cat.dialogRefID}
	if c.SentimentTone != nil && g.r.Float64() < 0.7 {
		ui.AgentTransferConfig.DialogTone = []dialogTone{{ToneName: c.SentimentTone.Sentiment, Level: c.SentimentTone.Strength, Count: 1 + g.r.IntN(3), TotalLevel: c.SentimentTone.Strength * 2}}
	}
	if g.r.Float64() > 0.18 { // the rest chat anonymously, like the vendor samples
		ui.FirstName, ui.LastName = g.pick(customerFirst), g.pick(customerLast)
		ui.Email = strings.ToLower(ui.FirstName+"."+ui.LastName) + "@example.net"
		ui.PhoneNumber = fmt.Sprintf("+1%010d", g.r.Int64N(1e10))
	}
	if h := hostileIndex(i); h >= 0 {
		ui.FirstName = hostileTexts[h]
		if ui.LastName == "" {
			ui.LastName = g.pick(customerLast)
		}
	}
	if channel == "voice" {
		c.Source = "audiocodes"
		c.PhoneNumber = "+18448735673"
		c.ConversationID = ids.uuid()
		c.BotSIPURI = "sip:+12056064378@audiocodes-sbc-prod.kore.ai:5060"
		c.CallIDData = ids.hex(32)
		caller := fmt.Sprintf("+1%010d", g.r.Int64N(1e10))
		ui.Caller, ui.Callee, ui.CallerHost, ui.UserID = caller, c.BotID, "Twilio-US", c.UserID
		if ui.PhoneNumber == "" {
			ui.PhoneNumber = caller
		}
		ui.Identities = append(ui.Identities, identity{Val: g.cat.creds.AccountID + "/audiocodes/" + c.CallIDData, Type: "mapped"})
	} else {
		c.Source = "rtm"
		if channel == "messaging" && g.r.Float64() < 0.3 {
			c.Source = "whatsapp"
		}
		c.AgentDesktopMeta = &desktopMeta{PagesVisited: []pageVisit{{
			Page: "Kore.ai Web Client", Timestamp: jt(c.StartSessionTime.Time().Add(-g.between(time.Minute, 3*24*time.Hour))),
			Timespent: float64(g.r.IntN(600000000)) / 1000,
		}}}
	}
	c.UserInfo = ui
	return c
}

// one plans natural conversation i (i ≥ 1) starting at start, with a random
// but consistent history.
func (g *convGen) one(i int, start time.Time) *convPlan {
	channel := g.pick(channels)
	lang := g.pick(languagePool)
	if channel == "voice" && lang != "es" {
		lang = "en"
	}
	c := g.base(i, channel, lang, start)
	b := &builder{g: g, c: c}
	g.history(b, g.queueFor(channel, lang))
	return g.finish(b, i)
}

func (g *convGen) history(b *builder, q *queueDef) {
	c := b.c
	start := c.StartTime.Time()
	c.Status = "CLOSED"
	b.enqueue(q, start, "ASSIGNED")
	a := g.agentFor(q, c.Language, "")
	wait, ring, handle := g.waitDur(), g.ringDur(), g.handleDur(c.ConversationType)
	assigned := start.Add(wait)
	accepted := assigned.Add(ring)
	scenario := g.r.Float64()
	if c.ConversationType == "voice" && g.r.Float64() < 0.12 {
		scenario = 2 // a direct hand-over from the IVR flow
	} else if c.ConversationType != "voice" && scenario >= 0.95 {
		scenario = 0 // direct hand-overs only happen on calls
	}
	switch {
	case scenario < 0.58: // queue, accept, handle, close
		p := b.leg(a, start, assigned, accepted, accepted.Add(handle), true)
		p.EndedChat = true
		b.closing()
		g.maybeIdle(b)
	case scenario < 0.66: // agent to agent transfer
		handoff := accepted.Add(handle / 3)
		p := b.leg(a, start, assigned, accepted, handoff.Add(25*time.Millisecond), true)
		p.Status, p.IsTransferred = "INACTIVE", ptr(true)
		g.maybeIdle(b)
		next := g.agentFor(q, c.Language, a.userID)
		b.agentTransfer(a, next, handoff)
		assigned2 := handoff.Add(80 * time.Millisecond)
		accepted2 := assigned2.Add(g.ringDur())
		p = b.leg(next, time.Time{}, assigned2, accepted2, accepted2.Add(handle), false)
		p.EndedChat = true
		b.closing()
		g.maybeIdle(b)
	case scenario < 0.73: // agent to queue transfer
		handoff := accepted.Add(handle / 2)
		p := b.leg(a, start, assigned, accepted, handoff.Add(30*time.Millisecond), true)
		p.Status, p.IsTransferred = "INACTIVE", ptr(true)
		g.maybeIdle(b)
		q2 := g.otherQueue(c.ConversationType, c.Language, q)
		b.queueTransfer(a, q2, handoff)
		b.enqueue(q2, handoff, "TRANSFERRED")
		next := g.agentFor(q2, c.Language, a.userID)
		assigned2 := handoff.Add(g.waitDur())
		accepted2 := assigned2.Add(g.ringDur())
		p = b.leg(next, handoff, assigned2, accepted2, accepted2.Add(handle), true)
		p.EndedChat = true
		b.closing()
		g.maybeIdle(b)
	case scenario < 0.79: // OVERDUE: past its service level, the system pulls it back into a queue
		overdue := accepted.Add(g.between(5*time.Minute, 25*time.Minute))
		legEnd := overdue.Add(17 * time.Millisecond)
		p := b.leg(a, start, assigned, accepted, legEnd, true)
		p.Status, p.ConversationTransferred, p.Reason = "INACTIVE", true, "OVERDUE"
		b.spell(overdue.Add(-g.between(2*time.Minute, min(15*time.Minute, overdue.Sub(accepted)-30*time.Second))), legEnd, "OVERDUE")
		target := q
		if g.r.Float64() < 0.3 {
			target = g.otherQueue(c.ConversationType, c.Language, q)
		}
		b.overdueTransfer(a, target, overdue)
		b.enqueue(target, overdue, "TRANSFERRED")
		next := g.agentFor(target, c.Language, "")
		assigned2 := overdue.Add(g.waitDur())
		accepted2 := assigned2.Add(g.ringDur())
		p = b.leg(next, overdue, assigned2, accepted2, accepted2.Add(handle/2), true)
		p.EndedChat = true
		b.closing()
		g.maybeIdle(b)
	case scenario < 0.86: // gave up waiting in the queue
		c.WaitTime = wait.Milliseconds()
		c.EndTime = jt(start.Add(wait))
	case scenario < 0.90: // offered to an agent who never accepted
		giveUp := assigned.Add(g.between(10*time.Second, 30*time.Second))
		b.leg(a, start, assigned, time.Time{}, giveUp, true)
		c.WaitTime = giveUp.Sub(start).Milliseconds()
	case scenario < 0.92: // the vendor's seed 002 story: sent to a queue, nobody took it
		handoff := accepted.Add(handle)
		p := b.leg(a, start, assigned, accepted, handoff.Add(36*time.Millisecond), true)
		p.Status, p.IsTransferred, p.OnInterrupt = "INACTIVE", ptr(false), ptr(true)
		g.maybeIdle(b)
		q2 := g.otherQueue(c.ConversationType, c.Language, q)
		b.queueTransfer(a, q2, handoff)
		b.enqueue(q2, handoff, "TRANSFERRED")
	case scenario < 0.95: // the customer vanished mid-conversation and the system terminated it
		c.Status = "TERMINATED"
		b.leg(a, start, assigned, accepted, accepted.Add(handle/2), true)
		b.closing()
		g.maybeIdle(b)
	default: // direct hand-over (OTHERS), no queue wait
		to := a
		email := ""
		c.TransferDetails = append(c.TransferDetails, transferDetail{
			FromAgent: jsonNull, TransferredType: "OTHERS",
			TransferredTo: []transferTarget{{Type: "AGENT", ID: to.userID, Name: to.name, EmailID: &email}},
			TransferredBy: to.userID, Priority: "LOW", TransferredAt: jt(start), IsManager: ptr(true),
		})
		assignedD := start.Add(150 * time.Millisecond)
		acceptedD := assignedD.Add(g.ringDur())
		p := b.leg(a, time.Time{}, assignedD, acceptedD, acceptedD.Add(handle), false)
		p.QueueID, p.QueueName = "", ""
		p.EndedChat = true
		b.closing()
	}
}

// maybeIdle gives the latest leg, if a chat held for a while, a stretch in
// which the customer goes quiet and the conversation reads IDLE.
func (g *convGen) maybeIdle(b *builder) {
	p := b.last()
	if b.c.ConversationType == "voice" || p.StartTimeStamp.IsZero() || g.r.Float64() >= 0.3 {
		return
	}
	from, to := p.StartTimeStamp.Time(), p.EndTimeStamp.Time()
	if to.Sub(from) < 4*time.Minute {
		return
	}
	idle := from.Add(g.between(time.Minute, to.Sub(from)/2))
	back := idle.Add(g.between(time.Minute, min(10*time.Minute, to.Sub(idle)-30*time.Second)))
	b.spell(idle, back, "IDLE")
}

// finish sets the closing fields (end time, dispositions, notes, summary)
// and the plan's extras, and returns the plan.
func (g *convGen) finish(b *builder, i int) *convPlan {
	c := b.c
	if len(c.Queues) > 0 {
		c.UserInfo.Queue = c.Queues[0].ID
	}
	lastQueue := len(c.Queues) > 0 && c.Queues[len(c.Queues)-1].Type == "TRANSFERRED" &&
		!hasAcceptedAfter(c, c.Queues[len(c.Queues)-1].StartTime.Time())
	if c.EndTime.IsZero() {
		end := c.StartTime.Time()
		for _, p := range c.Participants {
			end = later(end, p.EndTimeStamp.Time())
		}
		for _, q := range c.Queues {
			end = later(end, q.StartTime.Time())
		}
		switch {
		case c.AcceptedAt.IsZero() || lastQueue: // nobody answered: the session times out
			end = end.Add(g.between(time.Second, 10*time.Minute))
		case c.Status == "TERMINATED": // the system notices the customer is gone
			end = end.Add(g.between(5*time.Second, 3*time.Minute))
		default:
			end = end.Add(g.between(10*time.Millisecond, 400*time.Millisecond))
		}
		c.EndTime = jt(end)
	}
	c.UpdatedAt = jt(c.EndTime.Time().Add(time.Millisecond))
	if g.r.Float64() < 0.01 && !c.AcceptedAt.IsZero() {
		c.ReconnectedAt = jt(c.AcceptedAt.Time().Add(c.EndTime.Time().Sub(c.AcceptedAt.Time()) / 2))
	}
	g.extras(b)
	hostile := hostileIndex(i)
	accepted := !c.AcceptedAt.IsZero()
	handedOver := lastQueue
	// Agents write notes while handling.
	if accepted && (g.r.Float64() < 0.35 || hostile >= 0) {
		for k := range 1 + g.r.IntN(2) {
			p := c.Participants[g.r.IntN(len(c.Participants))]
			if p.StartTimeStamp.IsZero() {
				continue
			}
			at := p.StartTimeStamp.Time().Add(time.Duration(k+1) * 20 * time.Second)
			if end := p.EndTimeStamp.Time(); !p.EndTimeStamp.IsZero() && at.After(end) {
				at = end.Add(-time.Millisecond)
			}
			if at.Before(p.StartTimeStamp.Time()) {
				continue
			}
			text := g.pick(noteTexts)
			if hostile >= 0 {
				text = "Customer wrote: " + hostileTexts[hostile] + " — " + text
			}
			first, last := splitName(p.Name, b, p.AgentID)
			c.Notes = append(c.Notes, note{
				ID: g.ids.objectID(), ConversationID: c.ID,
				Author: noteAuthor{ID: g.ids.objectID(), FirstName: first, LastName: last, UserID: p.AgentID},
				Note:   text, Timestamp: jt(at),
			})
		}
	}
	switch {
	case !accepted || handedOver:
		c.Dispositions = &dispositions{Status: "DROP-OFF", Remarks: dropOffRemarks, MetaStatus: "SYSTEM_DROP_OFF"}
	case c.Status == "TERMINATED":
		c.Dispositions = &dispositions{Status: "UnKnown", Remarks: "Conversation terminated: the customer disconnected.", MetaStatus: "SYSTEM_DROP_OFF"}
	default:
		status := g.pick([]string{"Resolved", "Resolved", "Resolved", "Unresolved", "UnKnown"})
		code := status
		if code == "UnKnown" {
			code = "Resolved"
		}
		d := &dispositions{Status: status, MetaStatus: "AGENT_CLOSED",
			DispositionSets: []dispositionSet{{DispositionsSet: "Resolution", DispositionCodes: code}}}
		if g.r.Float64() < 0.5 {
			d.DispositionSets = append(d.DispositionSets, dispositionSet{DispositionsSet: "Custom", DispositionCodes: g.pick(customSets)})
		}
		d.Remarks = "Customer contacted us about \"" + c.KeyIntentUserInput + "\"; the agent handled the request."
		c.Dispositions = d
		c.Summary = []string{g.summary(c, hostile)}
	}
	return b.plan()
}

// extras plans what no endpoint serves yet: after-call work after each
// answered leg, and offers that agents let time out during a queue wait.
func (g *convGen) extras(b *builder) {
	c := b.c
	for i, p := range c.Participants {
		if !p.StartTimeStamp.IsZero() {
			b.legs[i].wrapUp = g.between(5*time.Second, 3*time.Minute)
		}
	}
	for vi, q := range c.Queues {
		for _, p := range c.Participants {
			if p.QueueID != q.ID || !p.QueueStartTime.Time().Equal(q.StartTime.Time()) {
				continue
			}
			wait := p.AssignedAt.Time().Sub(q.StartTime.Time())
			if wait < 20*time.Second || g.r.Float64() >= 0.15 {
				break
			}
			qd, ok := g.cat.queue(q.ID)
			if !ok {
				break
			}
			if other := g.agentFor(qd, c.Language, p.AgentID); other.userID != p.AgentID {
				at := q.StartTime.Time().Add(g.between(time.Second, wait-10*time.Second))
				b.visits[vi].ignored = append(b.visits[vi].ignored, offer{agentUserID: other.userID, at: at})
			}
			break
		}
	}
}

// plan wraps the finished record into its plan.
func (b *builder) plan() *convPlan {
	return &convPlan{
		final: *b.c, start: b.c.StartTime.Time(), end: b.c.EndTime.Time(),
		legs: b.legs, visits: b.visits,
	}
}

func hasAcceptedAfter(c *conversation, t time.Time) bool {
	for _, p := range c.Participants {
		if !p.StartTimeStamp.IsZero() && !p.StartTimeStamp.Time().Before(t) {
			return true
		}
	}
	return false
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// splitName recovers first/last names for a note author from the agent pool.
func splitName(full string, b *builder, userID string) (string, string) {
	for _, refs := range b.g.queueAgents {
		for _, a := range refs {
			if a.userID == userID {
				return a.first, a.last
			}
		}
	}
	first, last, _ := strings.Cut(full, " ")
	return first, last
}

func (g *convGen) summary(c *conversation, hostile int) string {
	var s strings.Builder
	who := c.UserInfo.FirstName
	if who == "" {
		who = "The customer"
	}
	fmt.Fprintf(&s, "%s reached out via %s (%s) saying %q.", who, c.ConversationType, c.Language, c.KeyIntentUserInput)
	for _, t := range c.TransferDetails {
		switch {
		case t.SystemTransfer:
			fmt.Fprintf(&s, " The conversation became overdue and was moved to %s with %s priority.", t.TransferredTo[0].Name, strings.ToLower(t.Priority))
		case t.TransferredType == "QUEUE":
			fmt.Fprintf(&s, " The agent transferred the conversation to the %s queue.", t.TransferredTo[0].Name)
		case t.TransferredType == "AGENT":
			fmt.Fprintf(&s, " The conversation was handed over to %s.", t.TransferredTo[0].Name)
		}
	}
	s.WriteString(" The agent resolved the request and closed the conversation.")
	if hostile >= 0 {
		s.WriteString(" Quoted input: " + hostileTexts[hostile])
	}
	return s.String()
}

// vendorSample replicates the conversation of the vendor's "Get Conversation
// Details" sample (seed 000) to the millisecond: 0.495 s in queue, 9.998 s to
// accept, 3 min 18 s handling, an OVERDUE system transfer back into the same
// queue, 6 min 36 s waiting there, then accepted and ended by the same agent.
// It starts two days before the anchor, so it is final at any instant from
// then on.
func (g *convGen) vendorSample() *convPlan {
	// Same wall-clock minute shape as the sample (…:23:45.100).
	t0 := g.anchor.Add(-50 * time.Hour).Truncate(time.Hour).Add(23*time.Minute + 45100*time.Millisecond)
	c := g.base(0, "livechat", "en", t0)
	c.vendorSample = true
	c.Status = "CLOSED"
	c.Priority = ptr(5)
	c.KeyIntentUserInput = "I want to talk to an agent"
	c.UserInfo.FirstName, c.UserInfo.LastName = "Test", "User"
	c.UserInfo.Email, c.UserInfo.PhoneNumber = "Test.user@test.com", "9999999999"
	var q *queueDef
	for i := range g.cat.queues {
		if g.cat.queues[i].IsDefault {
			q = &g.cat.queues[i]
		}
	}
	if len(g.queueAgents[q.ID]) == 0 {
		q = g.queueFor("livechat", "en")
	}
	b := &builder{g: g, c: c}
	b.enqueue(q, t0, "ASSIGNED")
	a := g.agentFor(q, "en", "")
	assigned := t0.Add(ms(495))
	accepted := assigned.Add(ms(9998))
	ended := accepted.Add(ms(198131))
	transferAt := ended.Add(-ms(17))
	b.c.Participants = append(b.c.Participants, participant{
		QueueID: q.ID, QueueStartTime: jt(t0), QueueName: q.Name, AgentID: a.userID, Name: a.name,
		Status: "INACTIVE", AssignedAt: jt(assigned), StartTimeStamp: jt(accepted),
		ConversationTransferred: true, Reason: "OVERDUE", EndTimeStamp: jt(ended),
	})
	// Past its service level for the last minute and a half of the first leg.
	b.legs = append(b.legs, legPlan{spells: []spell{{from: transferAt.Add(-90 * time.Second), to: ended, status: "OVERDUE"}}})
	c.AcceptedAt = jt(accepted)
	c.WaitTime = accepted.Sub(t0).Milliseconds()
	b.overdueTransfer(a, q, transferAt)
	b.enqueue(q, transferAt, "TRANSFERRED")
	assigned2 := transferAt.Add(ms(395951))
	accepted2 := assigned2.Add(ms(2478))
	ended2 := accepted2.Add(ms(2824))
	b.c.Participants = append(b.c.Participants, participant{
		QueueID: q.ID, QueueStartTime: jt(transferAt), QueueName: q.Name, AgentID: a.userID, Name: a.name,
		Status: "ACTIVE", AssignedAt: jt(assigned2), StartTimeStamp: jt(accepted2), EndTimeStamp: jt(ended2),
		EndedChat: true,
	})
	b.legs = append(b.legs, legPlan{closing: true})
	c.EndTime = jt(ended2.Add(ms(31)))
	c.UpdatedAt = jt(ended2.Add(ms(10043)))
	c.UserInfo.Queue = q.ID
	c.Summary = []string{"The customer was initially connected to " + a.name + " in " + q.Name +
		"; the conversation became overdue and was transferred back to the queue with the highest priority. " +
		"The customer was asked to stand by while being transferred to the new queue."}
	c.Dispositions = &dispositions{
		Status: "Resolved", MetaStatus: "AGENT_CLOSED",
		Remarks: "The customer was initially connected and later transferred; the agent resolved the request, advising the customer to reach out again if further assistance is needed.",
		DispositionSets: []dispositionSet{
			{DispositionsSet: "Resolution", DispositionCodes: "Resolved"},
			{DispositionsSet: "Custom", DispositionCodes: "ThroughWeb"},
		},
	}
	return b.plan()
}

// byNewest orders plans newest start first.
func byNewest(a, b *convPlan) int {
	return cmp.Or(b.start.Compare(a.start), strings.Compare(a.final.ID, b.final.ID))
}
