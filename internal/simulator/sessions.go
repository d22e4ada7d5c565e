package simulator

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Sessions: the bot's view of the world.
//
// Every conversation began as a bot session (botSessionId): the bot greets
// at the conversation's startSessionTime, learns the intent and hands the
// customer over at startTime. Other sessions never reach an agent: the bot
// resolves them (selfService) or the customer leaves (dropOff). The
// session-keyed endpoints (interactionDetails, transcripts, conversation
// details, recordings, getSessions, survey responses) read sessions; a
// session exists from its start and is final from its end, like a
// conversation.
//
// Random streams. Every session draws its extras from streams keyed by its
// own key (a conversation's generation index, or botOnlyKey + j for bot-only
// session j), never from a shared stream, so adding a kind of plan never
// shifts another's draws: the conversation records of a seed stay what they
// were before sessions were planned, except those given a supervisor
// reassignment below.
const (
	streamBotApp      = 1 << 40 // the second API app's id stream
	streamBotOnlyIDs  = 1 << 41 // + j: bot-only session j's ids
	streamTranscripts = 1 << 42 // + key: a session's message ids
	tagExtras         = 0xe7 << 48
	tagBotOnly        = 0xb0 << 48
	tagTranscript     = 0x7a << 48
	botOnlyKey        = 1 << 32
)

// session is one planned bot session.
type session struct {
	id    string
	key   uint64    // keys its random streams
	start time.Time // the bot greets
	plan  *convPlan // the conversation it became; nil for a bot-only session
	bot   *botOnly  // set for a bot-only session

	survey  *surveyPlan    // the customer's answer to the feedback survey, if any
	rec     *recordingPlan // voice sessions only
	chatter int            // planned turns in its longest agent leg (long transcripts); 0 = natural
	hostile int            // index into hostileTexts of a hostile message, or -1
	pii     bool           // the customer writes an email, a phone and a card-like number
}

// botOnly is what the plan knows of a session that never reached an agent.
type botOnly struct {
	userID, identity, email string
	channel, source, lang   string // channel as a conversationType: livechat, messaging, voice
	callID                  string // voice: 32 hex (the recording's file name)
	callRef                 string // voice: the call id conversationDetails accepts (a uuid)
	end                     time.Time
	containment             string // selfService or dropOff
	interactive             bool   // the customer wrote at least once
	intent                  string
}

type surveyPlan struct {
	id, typ, name string // typ: NPS, CSAT, Like/Dislike
	score         int
	comment       *string
	at            time.Time
}

type recordingPlan struct {
	unavailable bool          // the media never became available
	delay       time.Duration // from the call's end until the media is ready
	fileID      string        // f-… of the signed media path
	seconds     int
	tones       [2]float64 // Hz
}

// Accessors shared by both kinds of session.

func (ss *session) userID() string {
	if ss.plan != nil {
		return ss.plan.final.UserID
	}
	return ss.bot.userID
}

// channel is the conversationType: livechat, messaging or voice.
func (ss *session) channel() string {
	if ss.plan != nil {
		return ss.plan.final.ConversationType
	}
	return ss.bot.channel
}

func (ss *session) source() string {
	if ss.plan != nil {
		return ss.plan.final.Source
	}
	return ss.bot.source
}

func (ss *session) lang() string {
	if ss.plan != nil {
		return ss.plan.final.Language
	}
	return ss.bot.lang
}

func (ss *session) voice() bool { return ss.channel() == "voice" }

func (ss *session) callID() string {
	if ss.plan != nil {
		return ss.plan.final.CallIDData
	}
	return ss.bot.callID
}

// identity is the channel-specific user id: the caller's mapping on voice,
// the web client's identity otherwise.
func (ss *session) identity() string {
	if ss.plan != nil {
		ids := ss.plan.final.UserInfo.Identities
		return ids[len(ids)-1].Val
	}
	return ss.bot.identity
}

// email is the customer's email when the session knows it.
func (ss *session) email() string {
	if ss.plan != nil {
		return ss.plan.final.UserInfo.Email
	}
	return ss.bot.email
}

// plannedEnd is when the plan ends the session.
func (ss *session) plannedEnd() time.Time {
	if ss.plan != nil {
		return ss.plan.end
	}
	return ss.bot.end
}

// handoff is when the bot handed the customer to a queue (the
// conversation's startTime); zero for a bot-only session.
func (ss *session) handoff() time.Time {
	if ss.plan != nil {
		return ss.plan.start
	}
	return time.Time{}
}

// exists reports whether the session has started by t.
func (ss *session) exists(t time.Time) bool { return !t.Before(ss.start) }

// endAt is the session's end if it is final at t, else zero. A reassigned
// conversation stays live, so its session never ends.
func (ss *session) endAt(t time.Time) time.Time {
	if ss.plan != nil {
		if ss.plan.finalAt(t) {
			return ss.plan.end
		}
		return time.Time{}
	}
	if !t.Before(ss.bot.end) {
		return ss.bot.end
	}
	return time.Time{}
}

// handedOver reports whether the session has reached the queue by t.
func (ss *session) handedOver(t time.Time) bool { return ss.plan != nil && !t.Before(ss.plan.start) }

// containmentAt is getSessions' containmentType as of t: "agent" once handed
// over, the bot-only outcome once ended, "" while it is still with the bot.
func (ss *session) containmentAt(t time.Time) string {
	switch {
	case ss.handedOver(t):
		return "agent"
	case ss.bot != nil && !t.Before(ss.bot.end):
		return ss.bot.containment
	}
	return ""
}

// surveyAt is the survey answer if it has been given by t.
func (ss *session) surveyAt(t time.Time) *surveyPlan {
	if ss.survey == nil || ss.endAt(t).IsZero() || t.Before(ss.survey.at) {
		return nil
	}
	return ss.survey
}

// Recording statuses (recordings v2).
const (
	recSuccess     = "success"
	recUnavailable = "media_unavailable"
	recInCall      = "call_in_progress"
	recProcessing  = "media_in_progress"
)

// recordingAt is the recording's status at t ("" for a session that is
// not a call).
func (ss *session) recordingAt(t time.Time) string {
	if ss.rec == nil {
		return ""
	}
	end := ss.endAt(t)
	switch {
	case end.IsZero():
		return recInCall
	case ss.rec.unavailable:
		return recUnavailable
	case t.Before(end.Add(ss.rec.delay)):
		return recProcessing
	}
	return recSuccess
}

// visibleSessions returns the sessions that exist at t, newest first.
// Callers hold s.mu.
func (s *Simulator) visibleSessions(t time.Time) []*session {
	i := sort.Search(len(s.sessions), func(i int) bool { return !s.sessions[i].start.After(t) })
	return s.sessions[i:]
}

// sessionsStarting returns the sessions that exist at now and started in
// [from, to), newest first. Callers hold s.mu.
func (s *Simulator) sessionsStarting(now, from, to time.Time) []*session {
	vis := s.visibleSessions(now)
	lo := sort.Search(len(vis), func(i int) bool { return vis[i].start.Before(to) })
	hi := sort.Search(len(vis), func(i int) bool { return vis[i].start.Before(from) })
	return vis[lo:max(lo, hi)]
}

// lookupSession finds a session that exists at now. Callers hold s.mu.
func (s *Simulator) lookupSession(id string, now time.Time) (*session, bool) {
	ss, ok := s.sessionByID[id]
	if !ok || !ss.exists(now) {
		return nil, false
	}
	return ss, true
}

// planSessions plans every session: one per conversation, with the
// extras the session-keyed endpoints need, and the bot-only ones. n is
// Options.Conversations.
func (g *convGen) planSessions(plans []*convPlan, n int) []*session {
	out := make([]*session, 0, len(plans)+n/2)
	for _, p := range plans {
		out = append(out, g.conversationSession(p))
	}
	g.planLongTranscripts(plans)
	if n > 0 {
		before := int(math.Round(float64(n) * botOnlyShare))
		after := int(math.Round(float64(before) * float64(futureSpan) / float64(pastSpan)))
		for j := range before + after {
			from, span := g.anchor.Add(-pastSpan), pastSpan
			if j >= before {
				from, span = g.anchor.Add(time.Millisecond), futureSpan-time.Millisecond
			}
			out = append(out, g.botOnlySession(j, from, span))
		}
	}
	slices.SortStableFunc(out, func(a, b *session) int {
		return cmp.Or(b.start.Compare(a.start), strings.Compare(a.id, b.id))
	})
	return out
}

// botOnlyShare is how many bot-only sessions there are per conversation.
const botOnlyShare = 0.35

// conversationSession plans the session of conversation p and its extras:
// a supervisor reassignment or a re-offer on some queue waits, the first
// response and consults of each answered leg, the survey and the
// recording.
func (g *convGen) conversationSession(p *convPlan) *session {
	r := rand.New(rand.NewPCG(uint64(g.seed), tagExtras|uint64(p.idx)))
	c := &p.final
	ss := &session{id: c.BotSessionID, key: uint64(p.idx), start: c.StartSessionTime.Time(), plan: p, hostile: hostileIndex(p.idx)}
	p.sess = ss
	if !p.final.vendorSample && p.guarantee == "" {
		switch x := r.Float64(); {
		case x < 0.06:
			g.supervisorReassign(p, r)
		case x < 0.11:
			g.reoffer(p, r)
		}
	}
	for i := range c.Participants {
		pt := &c.Participants[i]
		if pt.StartTimeStamp.IsZero() {
			continue
		}
		accepted, ended := pt.StartTimeStamp.Time(), pt.EndTimeStamp.Time()
		fr := accepted.Add(between(r, 2*time.Second, 25*time.Second))
		if c.ConversationType == "voice" {
			fr = accepted.Add(between(r, 300*time.Millisecond, 2*time.Second))
		}
		if last := ended.Add(-200 * time.Millisecond); fr.After(last) {
			fr = last
		}
		p.legs[i].firstResponse = later(accepted, fr)
		if c.ConversationType == "voice" && ended.Sub(accepted) >= 90*time.Second && r.Float64() < 0.25 {
			p.legs[i].consults = []consult{g.consultFor(r, pt, accepted, ended)}
		}
	}
	surveyed := 0.08
	if c.Dispositions != nil && c.Dispositions.MetaStatus == "AGENT_CLOSED" {
		surveyed = 0.35
	}
	if r.Float64() < surveyed {
		ss.survey = planSurvey(r, p.end)
	}
	if c.ConversationType == "voice" {
		ss.rec = planRecording(r)
	}
	ss.pii = r.Float64() < 0.15
	if ss.hostile < 0 && r.Float64() < 0.03 {
		ss.hostile = r.IntN(len(hostileTexts))
	}
	return ss
}

// supervisorReassign plans a supervisor taking a conversation away from
// an agent who was offered it and had not accepted, and giving it to the
// agent who then answered: the offered agent's participant ends ABANDONED
// with isTransferred, and an AGENT transfer by the supervisor (isManager)
// is stamped 80 ms before the answering agent's offer, as assign-conversation
// would record it. The answering leg keeps its times but its queueStartTime,
// which becomes its offer, as in a leg assign-conversation creates.
func (g *convGen) supervisorReassign(p *convPlan, r *rand.Rand) {
	c := &p.final
	if len(c.Participants) == 0 || len(p.visits) == 0 || len(p.visits[0].ignored) > 0 {
		return
	}
	a := c.Participants[0]
	wait := a.AssignedAt.Time().Sub(a.QueueStartTime.Time())
	if a.QueueStartTime.IsZero() || a.StartTimeStamp.IsZero() || wait < 30*time.Second {
		return
	}
	q, ok := g.cat.queue(a.QueueID)
	if !ok {
		return
	}
	saved := g.r
	g.r = r
	x := g.agentFor(q, c.Language, a.AgentID)
	g.r = saved
	if x.userID == a.AgentID {
		return
	}
	sup := g.supervisor(r)
	at := a.AssignedAt.Time().Add(-80 * time.Millisecond)
	offered := at.Add(-between(r, 8*time.Second, min(25*time.Second, wait-5*time.Second)))
	offer := participant{
		QueueID: a.QueueID, QueueStartTime: a.QueueStartTime, QueueName: a.QueueName, AgentID: x.userID, Name: x.name,
		Status: "ABANDONED", AssignedAt: jt(offered), EndTimeStamp: jt(at), IsTransferred: ptr(true), OnInterrupt: ptr(false),
	}
	c.Participants = slices.Insert(slices.Clone(c.Participants), 0, offer)
	// Like assign-conversation's, the reassigned leg starts at its offer.
	c.Participants[1].QueueStartTime = c.Participants[1].AssignedAt
	p.legs = slices.Insert(slices.Clone(p.legs), 0, legPlan{})
	email := a.AgentID
	for _, ref := range g.agents {
		if ref.userID == a.AgentID {
			email = ref.email
		}
	}
	td := transferDetail{
		FromQueue: a.QueueID, FromAgent: jsonString(x.userID), TransferredByAgentName: sup.name, TransferredType: "AGENT",
		TransferredTo: []transferTarget{{Type: "AGENT", ID: a.AgentID, Name: a.Name, EmailID: &email}},
		TransferredBy: sup.userID, Priority: "MEDIUM", TransferredAt: jt(at), IsManager: ptr(true),
	}
	i := sort.Search(len(c.TransferDetails), func(i int) bool { return c.TransferDetails[i].TransferredAt.Time().After(at) })
	c.TransferDetails = slices.Insert(slices.Clone(c.TransferDetails), i, td)
}

// supervisor picks who carries out a planned reassignment.
func (g *convGen) supervisor(r *rand.Rand) agentRef {
	if len(g.supervisors) > 0 {
		return g.supervisors[r.IntN(len(g.supervisors))]
	}
	for _, a := range g.agents {
		if a.userID == g.cat.ownerUserID {
			return a
		}
	}
	return agentRef{userID: g.cat.ownerUserID, name: g.cat.ownerName}
}

// reoffer plans the answering agent of a queue visit letting a first offer
// time out before accepting a second one.
func (g *convGen) reoffer(p *convPlan, r *rand.Rand) {
	c := &p.final
	for vi, q := range c.Queues {
		if len(p.visits[vi].ignored) > 0 {
			continue
		}
		for _, pt := range c.Participants {
			if pt.QueueID != q.ID || !pt.QueueStartTime.Time().Equal(q.StartTime.Time()) || pt.StartTimeStamp.IsZero() {
				continue
			}
			wait := pt.AssignedAt.Time().Sub(q.StartTime.Time())
			if wait < 25*time.Second {
				return
			}
			at := q.StartTime.Time().Add(between(r, time.Second, wait-15*time.Second))
			p.visits[vi].ignored = append(p.visits[vi].ignored, offer{agentUserID: pt.AgentID, at: at})
			return
		}
	}
}

var consultNumbers = []string{"+1 555 0100 200", "+44 20 7946 0958", "+91 95500 12345", "+1 555 0100 377"}

func (g *convGen) consultFor(r *rand.Rand, pt *participant, accepted, ended time.Time) consult {
	name := consultNumbers[r.IntN(len(consultNumbers))]
	if r.Float64() < 0.6 {
		for range 4 {
			if a := g.agents[r.IntN(len(g.agents))]; a.userID != pt.AgentID {
				name = a.name
				break
			}
		}
	}
	assigned := accepted.Add(between(r, 10*time.Second, ended.Sub(accepted)-60*time.Second))
	acc := assigned.Add(between(r, 3*time.Second, 12*time.Second))
	end := acc.Add(between(r, 10*time.Second, min(3*time.Minute, ended.Sub(acc)-5*time.Second)))
	return consult{name: name, assigned: assigned, accepted: acc, ended: end, merged: r.Float64() < 0.3}
}

var (
	surveyComments = []string{"Quick and helpful, thanks!", "Took too long to get an answer.", "The agent was very friendly.",
		"Still not fixed.", "Great service", "I had to repeat myself twice."}
	surveyKinds = []struct{ typ, name string }{{"CSAT", "csat survey"}, {"CSAT", "csat survey"}, {"NPS", "nps survey"},
		{"NPS", "nps survey"}, {"Like/Dislike", "like dislike survey"}}
)

func planSurvey(r *rand.Rand, end time.Time) *surveyPlan {
	ids := &idSource{rng: r}
	k := surveyKinds[r.IntN(len(surveyKinds))]
	sv := &surveyPlan{id: ids.objectID(), typ: k.typ, name: k.name, at: end.Add(between(r, 5*time.Second, 10*time.Minute))}
	switch k.typ {
	case "NPS":
		sv.score = min(10, 4+r.IntN(8))
	case "CSAT":
		sv.score = 1 + r.IntN(5)
	default:
		sv.score = r.IntN(2)
	}
	switch x := r.Float64(); {
	case x < 0.1:
		sv.comment = ptr(hostileTexts[r.IntN(len(hostileTexts))])
	case x < 0.5:
		sv.comment = ptr(surveyComments[r.IntN(len(surveyComments))])
	}
	return sv
}

func planRecording(r *rand.Rand) *recordingPlan {
	ids := &idSource{rng: r}
	return &recordingPlan{
		unavailable: r.Float64() < 0.08, delay: between(r, 20*time.Second, 3*time.Minute), fileID: "f-" + ids.uuid(),
		seconds: 2 + r.IntN(3), tones: [2]float64{float64(300 + 20*r.IntN(20)), float64(500 + 20*r.IntN(30))},
	}
}

// planLongTranscripts gives the first suitable conversations (in
// generation order: answered chats final a day before the anchor) long
// transcripts: one of about 2,000 messages, then five of about 500.
func (g *convGen) planLongTranscripts(plans []*convPlan) {
	byIdx := slices.Clone(plans)
	slices.SortFunc(byIdx, func(a, b *convPlan) int { return cmp.Compare(a.idx, b.idx) })
	want := []struct {
		turns int
		leg   time.Duration
	}{{2000, 30 * time.Minute}, {500, 10 * time.Minute}, {500, 10 * time.Minute}, {500, 10 * time.Minute}, {500, 10 * time.Minute}, {500, 10 * time.Minute}}
	for _, p := range byIdx {
		if len(want) == 0 {
			return
		}
		c := &p.final
		if c.ConversationType == "voice" || c.Status != "CLOSED" || p.guarantee != "" || c.vendorSample ||
			!p.end.Before(g.anchor.Add(-24*time.Hour)) || p.sess.hostile >= 0 {
			continue
		}
		if _, d := longestLeg(p); d >= want[0].leg {
			p.sess.chatter = want[0].turns
			want = want[1:]
		}
	}
}

// longestLeg is the index and length of the longest answered leg, or -1.
func longestLeg(p *convPlan) (int, time.Duration) {
	best, d := -1, time.Duration(0)
	for i, pt := range p.final.Participants {
		if pt.StartTimeStamp.IsZero() {
			continue
		}
		if l := pt.EndTimeStamp.Time().Sub(pt.StartTimeStamp.Time()); l > d {
			best, d = i, l
		}
	}
	return best, d
}

var botIntents = []string{"Check Balance", "Track Order", "Reset Password", "Store Hours", "Pay Bill", "Update Address"}

// botOnlySession plans bot-only session j, starting in [from, from+span).
func (g *convGen) botOnlySession(j int, from time.Time, span time.Duration) *session {
	ids := newIDStream(g.seed, streamBotOnlyIDs+uint64(j))
	r := rand.New(rand.NewPCG(uint64(g.seed), tagBotOnly|uint64(j)))
	saved := g.r
	g.r = r
	start := g.sampleStart(from, span)
	g.r = saved
	b := &botOnly{channel: channels[r.IntN(len(channels))], lang: languagePool[r.IntN(len(languagePool))], intent: botIntents[r.IntN(len(botIntents))]}
	ss := &session{id: ids.objectID(), key: botOnlyKey + uint64(j), start: start, bot: b, hostile: -1}
	b.userID = "u-" + ids.uuid()
	b.identity = g.cat.creds.ClientID + "/" + ids.uuid()
	dur := between(r, 20*time.Second, 6*time.Minute)
	switch b.channel {
	case "voice":
		b.source, b.lang = "audiocodes", "en"
		b.callID, b.callRef = ids.hex(32), ids.uuid()
		b.identity = g.cat.creds.AccountID + "/audiocodes/" + b.callID
		ss.rec = planRecording(r)
	case "messaging":
		b.source = "rtm"
		if r.Float64() < 0.3 {
			b.source = "whatsapp"
		}
	default:
		b.source = "rtm"
	}
	if r.Float64() < 0.5 {
		b.email = strings.ToLower(customerFirst[r.IntN(len(customerFirst))]+"."+customerLast[r.IntN(len(customerLast))]) + "@example.net"
	}
	b.end = start.Add(dur)
	b.containment, b.interactive = "selfService", true
	switch x := r.Float64(); {
	case x < 0.3:
		b.containment = "dropOff"
	case x < 0.38:
		b.interactive = false // the bot spoke, the customer never answered
	}
	if b.containment == "selfService" && b.interactive && r.Float64() < 0.15 {
		ss.survey = planSurvey(r, b.end)
	}
	return ss
}

// SessionInfo describes a bot session as it stands at the simulator's
// Clock.Now(), for tests.
type SessionInfo struct {
	ID             string // botSessionId, 24 hex
	ConversationID string // c-…; "" for a session that never reached an agent
	UserID         string // the end user (u-…)
	Channel        string // livechat, messaging, voice
	Source         string // rtm, whatsapp, audiocodes
	Language       string
	Start          time.Time // the bot greets
	HandOff        time.Time // the conversation's startTime; zero for a bot-only session
	End            time.Time // zero while live
	// Containment is getSessions' containmentType now: agent, selfService,
	// dropOff, or "" while the session is still with the bot.
	Containment string
	Survey      string // NPS, CSAT or Like/Dislike once answered, else ""
	Recording   string // recordings v2 status now for a call, "" otherwise
	// NonResponses are the nonResponseEvent of every offer made so far
	// that its agent did not take ("Ignored", "Supervisor Reassigned"), in
	// the order interactionDetails lists them by queue entry.
	NonResponses []string
}

// Sessions lists every session that exists at Clock.Now() and started in
// [from, to), newest first: one per conversation (from the bot's greeting,
// before the conversation itself exists) and those that never reached an
// agent.
func (s *Simulator) Sessions(from, to time.Time) []SessionInfo {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := s.sessionsStarting(now, from, to)
	out := make([]SessionInfo, 0, len(list))
	for _, ss := range list {
		info := SessionInfo{
			ID: ss.id, UserID: ss.userID(), Channel: ss.channel(), Source: ss.source(), Language: ss.lang(),
			Start: ss.start, HandOff: ss.handoff(), End: ss.endAt(now), Containment: ss.containmentAt(now),
			Recording: ss.recordingAt(now),
		}
		if ss.handedOver(now) {
			info.ConversationID = ss.plan.final.ID
			info.NonResponses = nonResponses(ss.plan, ss.plan.viewAt(now), now)
		}
		if sv := ss.surveyAt(now); sv != nil {
			info.Survey = sv.typ
		}
		out = append(out, info)
	}
	return out
}

// nonResponses lists the offers of c made by now that their agent did not
// take, as destinations reports them.
func nonResponses(p *convPlan, c *conversation, now time.Time) []string {
	var out []string
	for i := range c.Queues {
		if i >= len(p.visits) {
			break
		}
		for _, off := range p.visits[i].ignored {
			if !off.at.After(now) && (p.mut == nil || off.at.Before(p.mut.at)) {
				out = append(out, "Ignored")
			}
		}
	}
	for _, pt := range c.Participants {
		if !pt.StartTimeStamp.IsZero() || pt.EndTimeStamp.IsZero() {
			continue
		}
		entered := false
		for _, q := range c.Queues {
			entered = entered || !q.StartTime.Time().After(pt.AssignedAt.Time())
		}
		if !entered {
			continue
		}
		if pt.IsTransferred != nil && *pt.IsTransferred {
			out = append(out, "Supervisor Reassigned")
		} else {
			out = append(out, "Ignored")
		}
	}
	return out
}

// ErrNotFound is returned by Delete and AssignNow for an unknown id.
var ErrNotFound = errors.New("simulator: not found")

// Delete removes a conversation upstream, as a retention policy or a
// data-deletion request would: from then on its conversation and its
// session are unknown to every endpoint (404, or absent from lists,
// analytics rows, transcripts, recordings and survey responses).
func (s *Simulator) Delete(conversationID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.planByID[conversationID]
	if !ok {
		return fmt.Errorf("%w: conversation %s", ErrNotFound, conversationID)
	}
	delete(s.planByID, conversationID)
	delete(s.planBySession, p.final.BotSessionID)
	s.plans = slices.DeleteFunc(s.plans, func(q *convPlan) bool { return q == p })
	if ss := p.sess; ss != nil {
		delete(s.sessionByID, ss.id)
		s.sessions = slices.DeleteFunc(s.sessions, func(x *session) bool { return x == ss })
		if ss.rec != nil {
			delete(s.recordingByID, ss.rec.fileID)
		}
		s.transcripts.forget(ss)
	}
	return nil
}

// AssignNow assigns a conversation to an agent (a-…) at Clock.Now(), as a
// supervisor's assign-conversation would once carried out, without the HTTP
// call or the callback: a waiting conversation then reads ACTIVE with that
// agent. It fails as the callback would (not live, agent offline, already
// assigned) and with ErrNotFound for an unknown conversation or agent.
func (s *Simulator) AssignNow(conversationID, agentID string) error {
	s.mu.RLock()
	p, ok := s.planByID[conversationID]
	_, agentOK := s.agentByID[agentID]
	s.mu.RUnlock()
	switch {
	case !ok:
		return fmt.Errorf("%w: conversation %s", ErrNotFound, conversationID)
	case !agentOK:
		return fmt.Errorf("%w: agent %s", ErrNotFound, agentID)
	}
	out := s.applyAssignment(assignRequest{OrgID: s.cat.creds.OrgID, AID: agentID, BotSessionID: p.final.BotSessionID})
	if out.Status != "success" {
		return fmt.Errorf("simulator: assign %s to %s: %s (%s)", conversationID, agentID, out.Reason, out.Message)
	}
	return nil
}
