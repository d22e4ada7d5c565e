// Package simulator is a deterministic, in-process stand-in for the Kore.ai
// SmartAssist public API: the contact-center endpoints under
// /agentassist/api/v1/public/ (BasePath), the analytics endpoints under
// /agentassist/api/public/analytics/account/ (AnalyticsPath), the bot
// ("automation") endpoints under /api/public/bot/ (BotPath), and the signed
// recording links under /api/getMediaStream/ (MediaPath). The dashboard
// uses it as its demo-mode upstream, `dashboard sim` serves it standalone,
// and integration tests run it behind net/http/httptest. It speaks to its
// clients only over HTTP and imports nothing else from this repository but
// internal/clock.
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
//     hand-overs (transferredType OTHERS) on voice; a few TERMINATED. Some
//     conversations (about 6%, never the chains below nor the vendor
//     replica) record a supervisor's reassignment while an agent's offer
//     rang: that agent's participant ends ABANDONED with isTransferred, and
//     an AGENT transfer by a Supervisor (isManager) is stamped 80 ms before
//     the agent who then answered was offered it (that leg's queueStartTime
//     is its offer), as assign-conversation records one. The plan also keeps what the conversation record does not
//     show: offers that agents let time out during a queue wait (sometimes
//     the agent who answers on a second offer), after-call work after each
//     answered leg, each answered leg's first response, and consults on
//     about a quarter of the calls an agent held for 90 s or more.
//   - Sessions (see "Sessions" below): one per conversation, and bot-only
//     sessions, 0.35 per conversation at the same daily rate, that never
//     reach an agent.
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
// takes agents out of the default queue, a Delete of a chain member, or a
// clock outside the window, can break it. Tests pick conversations with
// ConversationInfo.Status, AgentUserID and QueueID, and agents with
// AgentInfo.QueueIDs and OnlineStatus, rather than "the first live one".
//
// # Sessions
//
// Every conversation began as a bot session (its botSessionId): the bot
// greets at startSessionTime, learns the intent and hands the customer to a
// queue at startTime. Bot-only sessions (livechat, messaging or voice, 20 s
// to 6 min long) are resolved by the bot (containmentType selfService; a
// few non-interactive: the customer never wrote) or left by the customer
// (dropOff). A session exists from its start, before its conversation does,
// and is final from its end; a reassigned conversation's session stays live.
// Every session draws its extras from random streams keyed by its own
// index, so a seed's conversation records are what they were before
// sessions were planned, apart from the planned supervisor reassignments.
//
//   - Transcripts are planned per session on first use (and cached), from
//     the session's own streams: bot turns only before the hand-off (the
//     last, "Agent transfer initiated", 1 ms before it); customer turns
//     throughout, never inside an IDLE spell, sometimes while waiting; an
//     agent's turns only inside a leg that agent handles, the first at the
//     leg's planned first response; control messages (type ctrlmsg) when an
//     agent joins (accepts), leaves (the leg ends) or the conversation is
//     transferred. A view shows the turns at or before the clock. A
//     reassignment cuts the plan: planned turns from the cut on are gone,
//     and each leg a reassignment created gets a join, a greeting 4 s after
//     the accept, then an exchange every 15 to 75 s up to the clock (at most
//     200). Long transcripts go to the first chats (in generation order)
//     closed by an agent a day or more before the anchor: one of about
//     2,000 messages (a leg of 30 min or more), then five of about 500 (10
//     min or more), when the world has such chats (the default one does).
//     Some customer turns carry the hostile strings above,
//     and 15% of conversations a line with an email, a phone number and a
//     card-like number (4111 1111 1111 1111).
//   - Surveys: 35% of conversations an agent closed, 8% of the other
//     conversations and 15% of the bot-resolved sessions that had an
//     exchange get an answer 5 s to 10 min after their end: CSAT (1–5), NPS
//     (0–10) or Like/Dislike (0/1), with a comment in half of them (some
//     hostile). An answer shows once its timestamp has passed, and never for
//     a session that has not ended.
//   - Recordings: every call (conversation or bot-only) has one, ready 20 s
//     to 3 min after the call ends; about 8% never become available.
//
// # Accessors for tests
//
// Conversations lists the conversations that exist at Clock.Now(), newest
// first, each as it stands then (Status, QueueID, AgentUserID, the agents,
// queues and transfers so far, PlannedEnd, Guarantee); Agents lists the
// agents as their documents say now; Anchor is the anchor in use;
// Credentials, Requests, ResetRequests and SetFaults are as below.
// Sessions(from, to) lists the sessions that exist now and started in
// [from, to), newest first, bot-only ones included (SessionInfo: the
// conversation id once handed over, containment, survey and recording
// status now, the offers not taken so far); Transcript(sessionID) is a session's transcript as it reads
// now. Delete(conversationID) removes a conversation and its session
// upstream: from then on every endpoint answers 404 for it or leaves it
// out. AssignNow(conversationID, agentID) carries out an assignment to an
// agent (a-…) at Clock.Now() synchronously, as the assign-conversation
// callback would, without the HTTP call.
//
// # Behaviour
//
// Every request is recorded (Requests), then delayed and possibly faulted
// (see Faults below), then authenticated by family:
//
//   - header `auth` must be an HS256 JWT signed with the client secret of
//     the app its `appId` names (exp and nbf are checked when present; a jti
//     is remembered until exp, or one hour, and a replay is refused);
//     failures answer 401 {"errors":[{"msg":"Invalid JWT token"|"Invalid SDK credentials","code":4002}]};
//   - contact center: header `accountId` (any case) must match;
//   - analytics: the path names the account (another one is 401 Invalid
//     SDK credentials; an accountId header, if sent, must match too), and
//     header iId must name the bot (missing: 412; another bot: 404);
//   - bot family: `auth` only, the bot in the path (another bot: 404);
//   - media links: no token, the signature is the authority (below).
//
// Then the app's scopes: Options.WithheldScopes takes scopes away, and a
// call that needs one answers 401 {"errors":[{"msg":"Permission denied.
// Scope is incorrect!","code":4002}]}. SmartAssist Analytics covers
// interactionDetails, agentstatusdetails and queueStatsById; Configuration
// queue-performance; WFM Integration callvolume; SmartAssist Recordings
// recordings v2; Chat History getMessages, getMessagesV2, messages-lite and
// conversationDetails; Bot Sessions getSessions; Feedback Analytics
// getFeedbackSurveyResponses. The contact-center endpoints the dashboard
// already used need none. With Options.BotApp a second app
// (Credentials.BotClientID and BotClientSecret, derived from the seed)
// holds the bot family's scopes and the main app everything else's: a token
// of the other app is refused with the same 401.
//
// Then the rate limits, by path family: the contact center and analytics
// share RatePerMinute per rolling minute per account (429, Retry-After in
// seconds, "You've exceeded the per-minute rate limit. Please wait for
// sometime before retrying."); the bot family has its own rolling caps per
// bot, BotRatePerMinute (60) and BotRatePerHour (1,800), checked together,
// so that once the hour is spent calls fail until it rolls even when the
// minute has room (429, Retry-After until both have room, "Rate limit for
// this API has been reached. Please try again after some time.").
// Recordings, messages-lite and queue-performance, which the vendor's rate
// pages do not list, count in their path family. Refused requests (by
// authentication, scope or limit) do not count. Unknown ids answer 404 and
// validation errors 412, both with the error envelope (code 404 / 412).
// Wrong bot or org ids in the path are 404.
//
// Requests, tokens (exp and nbf), jti memory, the rate limits and link
// expiry all use Clock.Now().
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
// # Analytics (12, 13, 15, 16)
//
// Dates: startDate/endDate are yyyy-mm-dd (a whole day, endDate included)
// or yyyy-mm-dd HH:mm:ss (to the second, included), naive times local to
// timeZoneOffset (minutes, required, east of GMT negative: IST −330, New
// York 300); answers write naive local times (2006-01-02T15:04:05) except
// CallbackOptedTime and userCallbackAcceptTime, which are UTC with ms and Z.
//
// POST AnalyticsPath+{accountId}/v2/interactionDetails?offset=&limit= (also
// interactiondetails, calldetails, callDetails, each with or without v2/):
// one row per session that started in the window and exists now, oldest
// first. The range is at most 7 days, limit at most 100 (default 100),
// offset counts pages and is at most 10 (else 412), so at most 1,100 rows
// a window. numResults is the number of rows in the whole window, over all
// pages. Filters: channels (an analytics channel name, a source or a
// conversation type: "Voice", "voice", "rtm", "Web/Mobile Client" …),
// queues (visited by now), direction ("Outbound" matches nothing: every
// session is Inbound). selectedFields adds skills ([]), customerinfo,
// userleveltags ([]) and sessionleveltags (audioCodesCallDisconnect on
// ended calls) to conversation rows. Rows as of now:
//
//   - bot phase or bot-only: no conversationId, destinations or metaInfo;
//     smartStatus "ACTIVE AT BOT" while live (the simulator's spelling),
//     then CLOSED AT BOT with finalStatus BotResolved (selfService) or USER
//     ABANDONED (dropOff); calls end with Bot Hangup or User Hangup.
//   - a conversation while live: smartStatus is the conversation's status
//     (OPEN, ACTIVE, IDLE, OVERDUE), finalStatus "", no sessionEndTime, no
//     dispositions yet. Once ended: closed by an agent → CLOSED/CLOSED,
//     reason = first disposition code, dispositions = the codes,
//     dispositionRemarks = [remarks], Agent Closed (chat) or Agent Hangup
//     (call); TERMINATED → TERMINATED/CLOSED, reason UnKnown, System Hangup;
//     gave up waiting → TERMINATED/USER ABANDONED, reason DROP-OFF, User
//     Hangup; offered but never accepted → ABANDONED WITH AGENT/USER
//     ABANDONED, reason "<queue>:<agent>"; handed to a queue nobody took →
//     TERMINATED/CLOSED, reason DROP-OFF, System Hangup. Drop-offs carry
//     dispositions ["DROP-OFF"] and remarks ["-"].
//   - metaInfo is the conversation's userInfo plus accountId (and
//     dialedNumber and transcribeConfig on calls), its
//     agentTransferConfig.skillsIds the first queue's skills.
//   - destinations, ordered by time: a QueueEntry per queue entry, holding
//     respondingAgent (the first leg answered there) and nonRespondingAgents
//     (offers let time out, "Ignored", and offers a supervisor took away —
//     planned or through assign-conversation —, "Supervisor Reassigned"); a
//     bare AgentSegment for each leg an agent transfer created (a
//     supervisor's reassignment, an agent's hand-over, an IVR hand-over)
//     and for a second leg answered in the same entry. A segment shows
//     assignedAt and acceptedTime, firstResponseTime/Duration once the
//     first response is past, interactionEndTime/Duration (acceptance to
//     the leg's end) once ended, afterCallWorkDuration/EndTime on the leg
//     that closed the conversation once its after-call work is done,
//     ConsultingAgents (name, assignedAt, then acceptedTime and
//     consultingEndTime as they pass, isMerged), JoinedUsers [] and
//     agentNotes (the notes that agent wrote). Durations are whole seconds.
//     The first entry of a conversation whose customer opted for a callback
//     has CallbackOpted with its times.
//   - the survey once answered: surveyType csat, nps or likeDislike with
//     csatScore, npsScore or likeDislikeScore (and csatFeedback, a CSAT
//     comment).
//
// POST AnalyticsPath+{accountId}/agentstatusdetails?limit=&offset= with
// {filter: {agents?: [emails], dateFilter: {date | startDate, endDate,
// timeZoneOffSet}}}: every agent (limit at most 50, offset counts agents)
// with status intervals planned per agent and UTC day (a 7 to 9 hour shift
// of AVAILABLE and BUSY stretches, AWAY Lunch or Break, BUSY NBK, with the
// odd gap); the day of the clock stops at now, where an agent who is not
// OFFLINE has an open interval in the presence the agent endpoints report
// (endTime and duration "-"); agents without intervals carry no status.
//
// POST AnalyticsPath+{accountId}/queue-performance?sortBy=field:order
// (queueName, channel, totalConversation, ASA or AHT; default
// queueName:asc) with {startDate, endDate (ISO, at most 24 h apart),
// queues, channels, direction, limit (≤ 1000, default 100), offset (rows),
// projection}: a row per queue × channel (Voice for calls, else the source:
// rtm, whatsapp; each queue's own channels always, others when they
// reached it) × Inbound. Live counts as of now: waiting, ongoing, idle,
// overdue, queueLoad (their sum); agentStatusCount from the queue's
// members. Period counts over the queue visits that entered in the period
// and have settled (totalConversation = completed + transferred +
// abandonedInQueue + expired + systemTermination.Others): completed (an
// agent answered there and closed it), transferred (it left for another
// queue), abandonedInQueue (the customer left unanswered), expired (handed
// over, nobody took it), Others (terminated); accepted = answered; ASA and
// AHT in milliseconds; resolved and SLA in percent (SLA: accepted within
// 60 s; "N/A" with nothing accepted); topSkills attribute each visit to one
// of the queue's skills by a stable hash of the conversation id, since
// conversations carry no skills. A projection keeps only its keys (and
// queueId, queueName, channel, direction).
//
// POST AnalyticsPath+{accountId}/callvolume with {orgId (must match),
// fromTimeStamp?, toTimeStamp?, skip, limit (≤ 1000, default 100)}: a row
// per 15-minute interval × queue × source with traffic, only for intervals
// that have ended by the clock (and by toTimeStamp), each queue visit in
// the interval it entered; without fromTimeStamp (a first sync) from the
// oldest data. Durations are milliseconds (the vendor calls them seconds,
// its sample's values can only be ms): queue hold times of answered and
// abandoned visits, talk time (accept to leg end), acwDuration,
// conversationHandleTime = talk + ACW; holdDuration and message counts are
// 0; csatResponses and csatScore (their mean) from CSAT answers, counted
// with the conversation's last queue visit. Ordered by interval, queue
// name, source.
//
// # Live queues (14)
//
// POST BasePath+{streamId}/monitor/queueStatsById/{queueId} with
// {languages?, channels?} answers an array of one: waiting (live
// conversations in the queue with no agent holding them) and engaged (held
// there now), dropOff (visits there abandoned or expired since the start
// of the clock's UTC day), agentStatus and noOfAgents from the queue's
// members, queueSummary.avgWait and maxWait over the conversations waiting
// now and ASA over the visits accepted there today. All three are whole
// seconds (the vendor's sample does not say).
//
// # Bot family (17–22)
//
// Dates: dateFrom/dateTo are UTC, yyyy-mm-dd (dateTo a whole day) or ISO,
// at most 7 days apart as given (else 412); dateFrom defaults to 7 days
// before dateTo, dateTo to 7 days after dateFrom, both to the 7 days up to
// now.
//
// GET and POST BotPath+{botId}/getMessages and getMessagesV2: the messages
// of the sessions asked for (sessionId: one on GET, a list on POST; else
// every session of userId, or of the bot, overlapping the dates) whose
// time falls in the dates, newest first (forward: true, oldest first),
// then skip (or offset) and limit (default 100; at most 100 for v1 and
// 10,000 for v2, more is cut to the cap); total and moreAvailable count
// the whole selection. GET needs userId (412) and shows only chnl "rtm"
// unless channelType names another source (calls: audiocodes); POST
// filters by channelType only when given. msgId (not with dates: 412)
// starts at that message: direction > 0 (default) it and later ones, < 0
// it and earlier ones, 0 both. A message has the sample's keys (both chnl
// and channel, since the GET and POST samples disagree), type incoming
// (customer), outgoing (bot status pending, agent status delivered) or
// ctrlmsg (ms 4); createdBy is the end user on every message; tags.userTags
// carries the customer's name; traceId on customer turns with
// includeTraceId; latency {totalMs, asr, bot, tts} on the bot's turns of a
// call with includeLatency; on agent turns, with getAgentsInfo, author
// {id (the agent's u-…), type "AGENT", firstName, lastName, name, email}
// (the vendor shows no agent turn; this is the simulator's shape). GET
// answers carry icon.
//
// GET and POST BotPath+{botId}/messages-lite (userId required): the same
// selection filtered by type[], default limit 5 (at most 100), messages
// without tags and trace ids, channels [{from (the end user), channelUId
// (incoming) or to (outgoing)}].
//
// POST BotPath+{botId}/conversationDetails with {sessionId | callId (a
// call's id, conversationInfo.callId) | conversationId (c-…: the agent leg,
// messages from the hand-off on); sessionId wins; isSummaryRequired, skip,
// limit (default and at most 10,000)}: conversationInfo (userId, callId,
// sessionStartTime, agentHandOffTime once handed over, userDetails,
// currentTask "null" or the running task, sessionId), conversationFlow (the
// bot's tasks with their first message; completedTask, or the simulator's
// inProgressTask and droppedTask), conversationHistory oldest first (the
// sample's message shape, control messages included, author on agent
// turns always) and, when asked and 30 s after the end, summary
// {ConversationSummary, time}.
//
// GET BotPath+{botId}/v2/recordings?sessionId=: unknown (or not started)
// 404; not a call: media_unavailable; a call: call_in_progress while live,
// media_in_progress until its media is ready, then success with
// recording [{fileName "<32 hex>-merged.wav", fileUrl}] — or
// media_unavailable for the few that never are; recording is [] unless
// success. fileUrl is on the host the request came to:
// MediaPath+"smartassistrecording/SIM/{orgId}/{botId}/{yyyy}/{dd-mm-yyyy}/f-….wav?e=&n=&s="
// with e the expiry (epoch seconds, Clock.Now() + MediaURLLifetime) and s
// an HMAC of the path, e and n. GET (or HEAD) of the link needs no token:
// a bad or missing signature, or a clock past e, answers 403 with the error
// envelope; a deleted session 404; else a deterministic WAV (RIFF, 8 kHz
// mono 16-bit PCM, 2 to 4 s alternating two tones) as audio/wav with
// Content-Length, Last-Modified and Range support.
//
// POST BotPath+{botId}/getSessions?containmentType=dropOff|selfService|agent
// with {sessionId: [at most 50, else 412]} (every other filter, the query's
// included, is then ignored; ids that do not exist yet or at all are
// listed in invalidSessions; duplicates show once) or {dateFrom, dateTo,
// userId, sessionType, skip, limit (default and at most 100)}: sessions
// newest first as of now (sessionStatus active or closed, end_time once
// ended, containmentType agent once handed over or the bot-only outcome
// once ended, omitted while with the bot; noOfMessagesExchanged counts the
// transcript's messages but control messages; noOfTasksExecuted the tasks).
//
// POST BotPath+{botId}/getFeedbackSurveyResponses with {filters: {from, to
// (ISO), channel[]}, sort {by: timestamp, order: asc (default) | desc},
// limit (default 50, at most 100), skip}: the survey answers given by now
// in [from, to], with totalCount and moreAvailable.
//
// # Fault injection
//
// Faults (Options.Faults, SetFaults at any time) apply to every request of
// every family, media links included, after it is recorded: first Latency,
// then one seeded random draw picks at most one of: ErrorRate → 500 or 503
// with the error envelope; RateLimitRate → 429 with Retry-After: 60 (or
// Faults.RetryAfter), whatever the real limit; MalformedRate → the request is served for real,
// but the answer is 200 with the body cut to two thirds, so it is never
// valid JSON (a media answer keeps its headers and loses its last third).
// Error and rate-limit faults answer before authentication and do not
// count against the limits; malformed answers do. Down comes before all
// of them: the request is recorded and its connection closed unanswered,
// as by an upstream that was killed.
package simulator
