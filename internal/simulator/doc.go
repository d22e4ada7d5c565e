// Package simulator is a deterministic, in-process stand-in for the Kore.ai
// SmartAssist public API (the contact-center endpoints under
// /agentassist/api/v1/public/). The dashboard uses it as its demo-mode
// upstream, `dashboard sim` serves it standalone, and integration tests run
// it behind net/http/httptest. It speaks to its clients only over HTTP and
// imports nothing else from this repository but internal/clock.
//
// # A planned world, seen through a clock
//
// New plans a whole world from Options.Seed, Options.Anchor,
// Options.Conversations and Options.Agents, and from nothing else: the same
// four give byte-identical data whatever the clock reads. Identifiers come
// from their own random streams and depend on the seed (and the sizes)
// alone, so a seed always yields the same credentials, agents and
// conversation ids. Options.Clock (default clock.Real()) only decides which
// moment of that world the endpoints show: every answer is as of
// Clock.Now(). The anchor defaults to the start of the clock's day (UTC), so
// a demo restarted on the same day shows the same world; tests pin a
// clock.Manual and a fixed anchor and move the clock instead of sleeping.
//
//   - Routing configuration: one org (o-…), bot (st-…), account (24 hex) and
//     API app (cs-… client id plus secret); three roles; 4 agent groups (ag-…);
//     7 queues (qu-…) with languages, skills, agent groups and preferred-agent
//     settings, one of them for voice; 4 skill groups with colours and 9
//     skills (24 hex) some of which expire.
//   - Agents (default 40): a-… id and u-… userId, group, queues (with
//     isPreferredAgent), skills with proficiency (beginner/average/expert),
//     chat and voice language support, capacities (maxChatSupport,
//     maxDigitalChatSupport, maxEmailChatSupport, maxMessagingChatSupport) and
//     a presence mix of AVAILABLE, BUSY, AWAY and OFFLINE (the first four
//     agents have one of each; presence does not change with the clock).
//     Agent 0 is the account owner. The default queue always has two agents
//     who are not OFFLINE (given two agents or more). Agent documents also
//     carry keys a client may not model (sipURI, hoursOfOperationId,
//     desktopLayouts, agentAffinity, …).
//   - Conversations: Options.Conversations (default 3000) start in the 30
//     days before the anchor, and the 7 days after it get the same daily
//     rate, all shaped by time of day and weekday, across livechat,
//     messaging (rtm, whatsapp) and voice (audiocodes), in en, es, de, fr and
//     ar. With the clock exactly at the anchor, exactly Options.Conversations
//     exist (for 5 or more: the vendor sample and the first members of the
//     chains below count among them). Each conversation's complete life is
//     planned: queue wait then offer then accept then handling; agent→agent
//     and agent→queue transfers; OVERDUE system transfers (systemTransfer,
//     systemTransferReason and the participant's reason/conversationTransferred)
//     preceded by an OVERDUE stretch; IDLE stretches in some chats; drop-offs
//     in the queue or after an unanswered offer (SYSTEM_DROP_OFF / DROP-OFF);
//     the vendor's "sent to a queue, nobody took it" story; direct IVR
//     hand-overs (transferredType OTHERS) on voice; a few TERMINATED. The
//     plan also keeps what no endpoint serves yet (offers that agents let
//     time out, after-call work), for analytics, transcripts, recordings and
//     surveys to be derived from the same world later (see world.go).
//   - One conversation (ConversationInfo.VendorSample) replicates the vendor's
//     "Get Conversation Details" sample to the millisecond: 0.495 s in queue,
//     9.998 s to accept, 3 min 18 s handling, an OVERDUE system transfer back
//     into the same queue, 6 min 36 s waiting, then accepted and ended by the
//     same agent. It starts two days before the anchor.
//   - Hostile strings: some customers, notes and summaries, and a few agents,
//     carry <script>alert(1)</script>, quotes and backslashes, Arabic and
//     Hebrew text, emoji (including ZWJ sequences) and a name over 300
//     characters. JSON is written without HTML escaping, as a Node service would.
//
// # Conversations as of now
//
// A conversation does not exist before its start: it is in no list, its ids
// answer 404 and it cannot be reassigned. Between its start and its end it
// is live, and reads as far as its plan has got:
//
//   - status OPEN while it waits with no agent holding it (in a queue, or
//     offered to an agent who has not accepted yet), ACTIVE while an agent
//     holds it (accepted and not left), IDLE or OVERDUE during the planned
//     stretches of a held leg where those apply; an OVERDUE conversation is
//     then taken back into a queue by the system;
//   - queue entries, participants (from their assignedAt) and transferDetails
//     appear once their time has come; the latest queue entry is ACTIVE, the
//     others INACTIVE; timestamps still in the future are absent
//     (startTimeStamp, endTimeStamp, acceptedAt, endTime); a participant that
//     has not ended reads status ACTIVE without its closing flags;
//   - waitTime is 0 until the first accept, then first accept − startTime in
//     ms; updatedAt is the latest event so far;
//   - notes, summary, dispositions, endTime (and the closing participant's
//     endTimeStamp and endedChat: the close is one event) appear at the end.
//
// From its end on it is final (CLOSED or TERMINATED) and never changes again;
// its encodings are made once and reused, so the list and by-id endpoints
// re-project only live conversations and stay fast with tens of thousands.
// Participant times always satisfy queueStartTime ≤ assignedAt ≤
// startTimeStamp ≤ endTimeStamp; a final waitTime is first accept −
// startTime in ms (for drop-offs, the time waited).
// participants[].agentId, transferDetails[].fromAgent and transferredBy
// hold agent userIds (u-…), as upstream does. The list is newest first
// (by startTime) with its status, source and language filters and paging.
//
// # Live traffic by construction
//
// Natural traffic alone is sparse at night and on small datasets, so the
// world also holds two chains of long-running messaging conversations on
// the default queue (ConversationInfo.Guarantee "waiting" and "held"), a
// new member of each every 2 to 3 hours, each overlapping the next two. At
// every instant of [Anchor − 1 h, Anchor + 7 days) at least two
// conversations wait in the default queue (OPEN, no participant yet) and at
// least two others are held there by an agent (ACTIVE), and the queue has
// another agent who is not OFFLINE, so a reassignment to that agent can
// succeed. Chain members are taken by the queue's agents other than the
// account owner. This holds as generated for Agents ≥ 2. A reassignment
// cuts the plan of the conversation it moves, so it may leave one fewer of
// a kind: at least one of each survives any single reassignment. A PUT that
// takes agents out of the default queue, or a clock outside the window,
// can break it. Tests pick conversations with
// ConversationInfo.Status, AgentUserID and QueueID, and agents with
// AgentInfo.QueueIDs and OnlineStatus, rather than "the first live one".
//
// # Accessors for tests
//
// Conversations lists the conversations that exist at Clock.Now(), newest
// first, each as it stands then (Status, QueueID, AgentUserID, the agents,
// queues and transfers so far, PlannedEnd, Guarantee); Agents lists the
// agents as their documents say now; Anchor is the anchor in use;
// Credentials, Requests, ResetRequests and SetFaults are as below.
//
// # Behaviour
//
// Every request is recorded (Requests), then delayed and possibly faulted
// (see Faults below), then authenticated: header `auth` must be an HS256 JWT
// signed with the client secret whose `appId` is the client id (exp and nbf
// are checked when present; a jti is remembered until exp, or one hour, and a
// replay is refused), and header `accountId` (any case) must match. Failures
// answer 401 {"errors":[{"msg":"Invalid JWT token"|"Invalid SDK credentials","code":4002}]}.
// Then the per-account limit applies: RatePerMinute requests per rolling
// minute, beyond which 429 with Retry-After (seconds) and the upstream
// message. Unknown ids answer 404 and validation errors 412, both with the
// error envelope (code 404 / 412). Wrong bot or org ids in the path are 404.
//
// Requests, tokens (exp and nbf), jti memory and the rate limit all use
// Clock.Now().
//
// PUT /agents/{id} is a full replace: the stored document becomes exactly the
// body plus a new updatedAt (Clock.Now()), and queue membership, skills and groups shown by
// the other endpoints follow the stored documents. Presence is not part of
// the document and does not change.
//
// # Assign-conversation callback
//
// POST /{streamId}/assign-conversation validates at once (412 for missing
// fields, a foreign orgId, an unknown agent or queue, a callbackUrl that is
// not absolute http(s); 404 for an unknown botSessionId) and answers like the
// vendor sample: {sessionId, agentId|queueId, status:"transferred",
// requestCompletedAt}. After Options.CallbackDelay (real time) the transfer
// is carried out at Clock.Now() on the conversation as it reads then, which
// cuts the rest of its plan: the active participant (if any) ends as
// INACTIVE with isTransferred (ABANDONED if it had not accepted); the agent
// variant adds a participant for the agent (queueStartTime, assignedAt,
// startTimeStamp = now) and makes the conversation ACTIVE; the queue variant
// adds a TRANSFERRED queue entry and leaves the conversation OPEN in that
// queue. From then on the conversation reads as that record and stays live
// in its new state (ConversationInfo.PlannedEnd is zero). A transferDetails entry
// (AGENT/QUEUE, transferredTo, transferredBy = the account owner, isManager,
// priority MEDIUM, fromQueue, fromAgent) is appended and updatedAt and __v
// change. Then the outcome is POSTed once (no retries) as JSON to callbackUrl:
//
//	{
//	  "sessionId": "<botSessionId>",
//	  "conversationId": "c-…",
//	  "status": "success" | "failed",
//	  "transferredType": "AGENT" | "QUEUE",
//	  "agentId": "a-…",              // agent variant
//	  "queueId": "qu-…",             // queue variant
//	  "reason": "CONVERSATION_NOT_LIVE" | "AGENT_OFFLINE" | "ALREADY_ASSIGNED", // failures only
//	  "message": "Conversation transferred to agent Jane Doe",
//	  "completedAt": 1724587200000   // epoch ms, Clock.Now()
//	}
//
// A conversation that is CLOSED or TERMINATED by then, or an OFFLINE target
// agent, or the agent already holding it, fails through the callback only;
// the immediate answer is the same.
// Close cancels pending transfers and callbacks in flight and waits for them.
//
// # Fault injection
//
// Faults (Options.Faults, SetFaults at any time) apply to every request after
// it is recorded: first Latency, then one seeded random draw picks at most one
// of: ErrorRate → 500 or 503 with the error envelope; RateLimitRate → 429 with
// Retry-After: 60, whatever the real limit; MalformedRate → the request is
// served for real, but the answer is 200 with the body cut to two thirds, so
// it is never valid JSON. Error and rate-limit faults answer before
// authentication and do not count against the limit; malformed answers do.
package simulator
