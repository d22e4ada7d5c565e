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
}

type convGen struct {
	seed        int64
	cat         *catalog
	ids         *idSource // the current conversation's id stream
	r           *rand.Rand
	now         time.Time
	queueAgents map[string][]agentRef
}

func newConvGen(seed int64, cat *catalog, r *rand.Rand, now time.Time, agents []*agentRecord) *convGen {
	g := &convGen{seed: seed, cat: cat, r: r, now: now, queueAgents: map[string][]agentRef{}}
	for _, a := range agents {
		ref := agentRef{
			userID: docString(a.doc, "userId"), name: agentName(a.doc),
			first: docString(a.doc, "firstName"), last: docString(a.doc, "lastName"),
			email: docString(a.doc, "emailId"),
		}
		for _, l := range docObjects(a.doc, "chatLanguageSupport") {
			ref.chatLangs = append(ref.chatLangs, docString(l, "language"))
		}
		for _, qid := range agentQueueIDs(a.doc) {
			g.queueAgents[qid] = append(g.queueAgents[qid], ref)
		}
	}
	return g
}

// generate builds n conversations, newest first. The first one built is the
// replica of the vendor's documented conversation (seed 000).
func (g *convGen) generate(n int) []*conversation {
	out := make([]*conversation, 0, n)
	for i := range n {
		// Conversation i's ids come from its own stream, so they depend on
		// the seed only, while times and histories also depend on Now.
		g.ids = newIDStream(g.seed, uint64(i)+1)
		if i == 0 {
			out = append(out, g.vendorSample())
		} else {
			out = append(out, g.one(i))
		}
	}
	slices.SortStableFunc(out, byNewest)
	return out
}

func jt(t time.Time) jsTime { return jsTime(t) }

func ms(d int64) time.Duration { return time.Duration(d) * time.Millisecond }

// between returns a uniform duration in [lo, hi).
func (g *convGen) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.r.Int64N(int64(hi-lo)))
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

// sampleStart draws a start time within the last 30 days, shaped by time of day.
func (g *convGen) sampleStart() time.Time {
	for {
		t := g.now.Add(-g.between(0, 30*24*time.Hour))
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

// builder accumulates one conversation's history.
type builder struct {
	g *convGen
	c *conversation
	q *queueDef
	a agentRef // agent of the latest leg
}

func (b *builder) enqueue(q *queueDef, at time.Time, typ string) {
	for i := range b.c.Queues {
		b.c.Queues[i].Status = "INACTIVE"
	}
	b.c.Queues = append(b.c.Queues, queueEntry{
		Type: typ, Status: "ACTIVE", IsPreferredAgentTimeoutExpired: b.g.r.Float64() < 0.8,
		ID: q.ID, Name: q.Name, StartTime: jt(at),
	})
	b.q = q
}

// leg appends a participant. Zero times are left out (not accepted, still live).
func (b *builder) leg(a agentRef, queued, assigned, accepted, ended time.Time, fromQueue bool) *participant {
	p := participant{
		QueueID: b.q.ID, QueueName: b.q.Name, AgentID: a.userID, Name: a.name, Status: "ACTIVE",
		AssignedAt: jt(assigned), StartTimeStamp: jt(accepted), EndTimeStamp: jt(ended),
	}
	if fromQueue {
		p.QueueStartTime = jt(queued)
	}
	if !ended.IsZero() {
		p.IsTransferred, p.OnInterrupt = ptr(false), ptr(b.g.r.Float64() < 0.3)
	}
	if accepted.IsZero() && !ended.IsZero() {
		p.Status = "ABANDONED"
	}
	if !accepted.IsZero() && b.c.AcceptedAt.IsZero() {
		b.c.AcceptedAt = jt(accepted)
		b.c.WaitTime = accepted.Sub(b.c.StartTime.Time()).Milliseconds()
	}
	b.c.Participants = append(b.c.Participants, p)
	b.a = a
	return &b.c.Participants[len(b.c.Participants)-1]
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

// one builds conversation i (i ≥ 1) with a random but consistent history.
func (g *convGen) one(i int) *conversation {
	channel := g.pick(channels)
	lang := g.pick(languagePool)
	if channel == "voice" && lang != "es" {
		lang = "en"
	}
	live := g.r.Float64() < 0.04
	var start time.Time
	var liveStatus string
	if live {
		switch p := g.r.Float64(); {
		case p < 0.3:
			liveStatus = "OPEN"
			start = g.now.Add(-g.between(20*time.Second, 8*time.Minute))
		case p < 0.75:
			liveStatus = "ACTIVE"
			start = g.now.Add(-g.between(3*time.Minute, 30*time.Minute))
		case p < 0.85:
			liveStatus = "IDLE"
			start = g.now.Add(-g.between(5*time.Minute, 30*time.Minute))
		default:
			liveStatus = "OVERDUE"
			start = g.now.Add(-g.between(25*time.Minute, 90*time.Minute))
		}
	} else {
		start = g.sampleStart()
	}
	c := g.base(i, channel, lang, start)
	b := &builder{g: g, c: c}
	q := g.queueFor(channel, lang)
	if live {
		g.liveHistory(b, q, liveStatus)
	} else {
		g.closedHistory(b, q)
	}
	g.finish(b, i, live)
	if !live {
		// A closed conversation must be over by Now: slide it back if needed.
		if limit := g.now.Add(-30 * time.Second); c.EndTime.Time().After(limit) {
			shiftConversation(c, limit.Sub(c.EndTime.Time()))
		}
	}
	return c
}

func (g *convGen) liveHistory(b *builder, q *queueDef, status string) {
	c := b.c
	start := c.StartTime.Time()
	b.c.Status = status
	b.enqueue(q, start, "ASSIGNED")
	if status == "OPEN" {
		c.UpdatedAt = jt(start.Add(40 * time.Millisecond))
		return
	}
	elapsed := g.now.Sub(start)
	wait := min(g.waitDur(), elapsed/4)
	ring := min(g.ringDur(), elapsed/8)
	a := g.agentFor(q, c.Language, "")
	assigned := start.Add(wait)
	accepted := assigned.Add(ring)
	if g.r.Float64() < 0.2 { // handed over once already
		handoff := accepted.Add(elapsed / 4)
		p := b.leg(a, start, assigned, accepted, handoff.Add(20*time.Millisecond), true)
		p.Status, p.IsTransferred = "INACTIVE", ptr(true)
		next := g.agentFor(q, c.Language, a.userID)
		b.agentTransfer(a, next, handoff)
		a = next
		assigned = handoff.Add(60 * time.Millisecond)
		accepted = assigned.Add(min(g.ringDur(), elapsed/8))
		b.leg(a, time.Time{}, assigned, accepted, time.Time{}, false)
	} else {
		b.leg(a, start, assigned, accepted, time.Time{}, true)
	}
	c.UpdatedAt = jt(accepted.Add(5 * time.Millisecond))
}

func (g *convGen) closedHistory(b *builder, q *queueDef) {
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
	case scenario < 0.66: // agent to agent transfer
		handoff := accepted.Add(handle / 3)
		p := b.leg(a, start, assigned, accepted, handoff.Add(25*time.Millisecond), true)
		p.Status, p.IsTransferred = "INACTIVE", ptr(true)
		next := g.agentFor(q, c.Language, a.userID)
		b.agentTransfer(a, next, handoff)
		assigned2 := handoff.Add(80 * time.Millisecond)
		accepted2 := assigned2.Add(g.ringDur())
		p = b.leg(next, time.Time{}, assigned2, accepted2, accepted2.Add(handle), false)
		p.EndedChat = true
	case scenario < 0.73: // agent to queue transfer
		handoff := accepted.Add(handle / 2)
		p := b.leg(a, start, assigned, accepted, handoff.Add(30*time.Millisecond), true)
		p.Status, p.IsTransferred = "INACTIVE", ptr(true)
		q2 := g.otherQueue(c.ConversationType, c.Language, q)
		b.queueTransfer(a, q2, handoff)
		b.enqueue(q2, handoff, "TRANSFERRED")
		next := g.agentFor(q2, c.Language, a.userID)
		assigned2 := handoff.Add(g.waitDur())
		accepted2 := assigned2.Add(g.ringDur())
		p = b.leg(next, handoff, assigned2, accepted2, accepted2.Add(handle), true)
		p.EndedChat = true
	case scenario < 0.79: // OVERDUE: the system pulls it back into a queue
		overdue := accepted.Add(g.between(2*time.Minute, 12*time.Minute))
		p := b.leg(a, start, assigned, accepted, overdue.Add(17*time.Millisecond), true)
		p.Status, p.ConversationTransferred, p.Reason = "INACTIVE", true, "OVERDUE"
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
		q2 := g.otherQueue(c.ConversationType, c.Language, q)
		b.queueTransfer(a, q2, handoff)
		b.enqueue(q2, handoff, "TRANSFERRED")
	case scenario < 0.95: // terminated while being handled
		c.Status = "TERMINATED"
		b.leg(a, start, assigned, accepted, accepted.Add(handle/2), true)
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
	}
}

// finish sets the closing fields: end time, dispositions, notes, summary.
func (g *convGen) finish(b *builder, i int, live bool) {
	c := b.c
	if len(c.Queues) > 0 {
		c.UserInfo.Queue = c.Queues[0].ID
	}
	if !live {
		if c.EndTime.IsZero() {
			end := c.StartTime.Time()
			for _, p := range c.Participants {
				end = later(end, p.EndTimeStamp.Time())
			}
			for _, q := range c.Queues {
				end = later(end, q.StartTime.Time())
			}
			if c.AcceptedAt.IsZero() || c.Status == "TERMINATED" {
				end = end.Add(g.between(time.Second, 10*time.Minute)) // session timeout
			} else {
				end = end.Add(g.between(10*time.Millisecond, 400*time.Millisecond))
			}
			c.EndTime = jt(end)
		}
		c.UpdatedAt = jt(c.EndTime.Time().Add(time.Millisecond))
		if g.r.Float64() < 0.01 && !c.AcceptedAt.IsZero() {
			c.ReconnectedAt = jt(c.AcceptedAt.Time().Add(c.EndTime.Time().Sub(c.AcceptedAt.Time()) / 2))
		}
	}
	hostile := hostileIndex(i)
	accepted := !c.AcceptedAt.IsZero()
	handedOver := len(c.Queues) > 0 && c.Queues[len(c.Queues)-1].Type == "TRANSFERRED" && c.activeParticipant() < 0 && !hasAcceptedAfter(c, c.Queues[len(c.Queues)-1].StartTime.Time())
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
			if at.After(g.now) || at.Before(p.StartTimeStamp.Time()) {
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
	if live {
		return
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

// shiftConversation moves a whole history in time by d.
func shiftConversation(c *conversation, d time.Duration) {
	sh := func(t *jsTime) {
		if !t.IsZero() {
			*t = jt(t.Time().Add(d))
		}
	}
	sh(&c.StartSessionTime)
	sh(&c.StartTime)
	sh(&c.EndTime)
	sh(&c.ReconnectedAt)
	sh(&c.CreatedAt)
	sh(&c.UpdatedAt)
	sh(&c.AcceptedAt)
	c.TimestampValue = c.StartTime.Time().UnixMilli()
	for i := range c.Participants {
		p := &c.Participants[i]
		sh(&p.QueueStartTime)
		sh(&p.AssignedAt)
		sh(&p.StartTimeStamp)
		sh(&p.EndTimeStamp)
	}
	for i := range c.TransferDetails {
		sh(&c.TransferDetails[i].TransferredAt)
	}
	for i := range c.Queues {
		sh(&c.Queues[i].StartTime)
	}
	for i := range c.Notes {
		sh(&c.Notes[i].Timestamp)
	}
	if c.AgentDesktopMeta != nil {
		for i := range c.AgentDesktopMeta.PagesVisited {
			sh(&c.AgentDesktopMeta.PagesVisited[i].Timestamp)
		}
	}
}

// vendorSample replicates the conversation of the vendor's "Get Conversation
// Details" sample (seed 000) to the millisecond: 0.495 s in queue, 9.998 s to
// accept, 3 min 18 s handling, an OVERDUE system transfer back into the same
// queue, 6 min 36 s waiting there, then accepted and ended by the same agent.
func (g *convGen) vendorSample() *conversation {
	// Same wall-clock minute shape as the sample (…:23:45.100), two days ago.
	t0 := g.now.Add(-50 * time.Hour).Truncate(time.Hour).Add(23*time.Minute + 45100*time.Millisecond)
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
	return c
}

// byNewest orders conversations newest first.
func byNewest(a, b *conversation) int {
	return cmp.Or(b.StartTime.Time().Compare(a.StartTime.Time()), strings.Compare(a.ID, b.ID))
}
