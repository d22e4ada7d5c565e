// Package simulator is a deterministic, in-process stand-in for the Kore.ai
// SmartAssist public API (the contact-center endpoints under
// /agentassist/api/v1/public/). The dashboard uses it as its demo-mode
// upstream, `dashboard sim` serves it standalone, and integration tests run
// it behind net/http/httptest. It speaks to its clients only over HTTP and
// imports nothing else from this repository.
//
// # Dataset
//
// New generates everything from Options.Seed and Options.Now: the same seed
// and clock give byte-identical answers, and identifiers depend on the seed
// alone (they come from their own random stream), so a seed always yields
// the same credentials, agents and conversation ids.
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
//     agents have one of each). Agent 0 is the account owner. Agent documents
//     also carry keys a client may not model (sipURI, hoursOfOperationId,
//     desktopLayouts, agentAffinity, …).
//   - Conversations (default 3000) over the 30 days before Now, shaped by
//     time of day and weekday, across livechat, messaging (rtm, whatsapp) and
//     voice (audiocodes), in en, es, de, fr and ar. Histories: queue wait then
//     accept then handling; agent→agent and agent→queue transfers; OVERDUE
//     system transfers (systemTransfer, systemTransferReason and the
//     participant's reason/conversationTransferred); drop-offs in the queue
//     or after an unanswered offer (SYSTEM_DROP_OFF / DROP-OFF); the vendor's
//     "sent to a queue, nobody took it" story; direct IVR hand-overs
//     (transferredType OTHERS) on voice; a few TERMINATED. About 4% are still
//     live (OPEN waiting in a queue; ACTIVE, IDLE or OVERDUE with an agent),
//     all started within the last 90 minutes. Participant times always satisfy
//     queueStartTime ≤ assignedAt ≤ startTimeStamp ≤ endTimeStamp; waitTime is
//     first accept − startTime in ms (for drop-offs, the time waited; 0 while
//     OPEN); endTime and the active leg's endTimeStamp are absent while live.
//     participants[].agentId, transferDetails[].fromAgent and transferredBy
//     hold agent userIds (u-…), as upstream does.
//   - One conversation (ConversationInfo.VendorSample) replicates the vendor's
//     "Get Conversation Details" sample to the millisecond: 0.495 s in queue,
//     9.998 s to accept, 3 min 18 s handling, an OVERDUE system transfer back
//     into the same queue, 6 min 36 s waiting, then accepted and ended by the
//     same agent. It starts two days before Now.
//   - Hostile strings: some customers, notes and summaries, and a few agents,
//     carry <script>alert(1)</script>, quotes and backslashes, Arabic and
//     Hebrew text, emoji (including ZWJ sequences) and a name over 300
//     characters. JSON is written without HTML escaping, as a Node service would.
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
// PUT /agents/{id} is a full replace: the stored document becomes exactly the
// body plus a new updatedAt, and queue membership, skills and groups shown by
// the other endpoints follow the stored documents. Presence is not part of
// the document and does not change.
//
// # Assign-conversation callback
//
// POST /{streamId}/assign-conversation validates at once (412 for missing
// fields, a foreign orgId, an unknown agent or queue, a callbackUrl that is
// not absolute http(s); 404 for an unknown botSessionId) and answers like the
// vendor sample: {sessionId, agentId|queueId, status:"transferred",
// requestCompletedAt}. After Options.CallbackDelay the transfer is carried
// out on the stored conversation: the active participant (if any) ends as
// INACTIVE with isTransferred; the agent variant adds a participant for the
// agent (queueStartTime, assignedAt, startTimeStamp = now) and makes the
// conversation ACTIVE; the queue variant adds a TRANSFERRED queue entry and
// leaves the conversation OPEN in that queue. A transferDetails entry
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
//	  "completedAt": 1724587200000   // epoch ms
//	}
//
// A conversation that is CLOSED or TERMINATED by then, or an OFFLINE target
// agent, fails through the callback only; the immediate answer is the same.
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
