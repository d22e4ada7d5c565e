package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

type assignRequest struct {
	CallbackURL     string `json:"callbackUrl"`
	OrgID           string `json:"orgId"`
	AID             string `json:"aId"`
	TransferredType string `json:"transferredType"`
	QueueID         string `json:"queueId"`
	BotSessionID    string `json:"botSessionId"`
}

func (r assignRequest) toQueue() bool { return r.TransferredType == "QUEUE" }

type assignResponse struct {
	SessionID          string `json:"sessionId"`
	AgentID            string `json:"agentId,omitempty"`
	QueueID            string `json:"queueId,omitempty"`
	Status             string `json:"status"`
	RequestCompletedAt int64  `json:"requestCompletedAt"`
}

// CallbackPayload is what the simulator POSTs to callbackUrl once an
// assignment has been carried out (or could not be). Upstream does not
// document its payload; this one is the simulator's design, see doc.go.
type CallbackPayload struct {
	SessionID       string `json:"sessionId"`
	ConversationID  string `json:"conversationId"`
	Status          string `json:"status"`          // "success" or "failed"
	TransferredType string `json:"transferredType"` // "AGENT" or "QUEUE"
	AgentID         string `json:"agentId,omitempty"`
	QueueID         string `json:"queueId,omitempty"`
	Reason          string `json:"reason,omitempty"` // failures: CONVERSATION_NOT_LIVE, AGENT_OFFLINE, ALREADY_ASSIGNED
	Message         string `json:"message"`
	CompletedAt     int64  `json:"completedAt"` // epoch ms
}

// Failure reasons reported in CallbackPayload.Reason.
const (
	ReasonNotLive         = "CONVERSATION_NOT_LIVE"
	ReasonAgentOffline    = "AGENT_OFFLINE"
	ReasonAlreadyAssigned = "ALREADY_ASSIGNED"
)

func (s *Simulator) assignConversation(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var req assignRequest
	if _, err := decodeObject(raw); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		invalid(w, "Invalid request body: %v", err)
		return
	}
	if msg := s.validateAssign(req); msg != "" {
		invalid(w, "%s", msg)
		return
	}
	s.mu.RLock()
	p, known := s.planBySession[req.BotSessionID]
	known = known && p.exists(s.now())
	s.mu.RUnlock()
	if !known {
		notFound(w, "Conversation not found for session %s", req.BotSessionID)
		return
	}
	delay := s.opts.CallbackDelay
	started := s.goTracked(func(ctx context.Context) {
		if delay > 0 {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		outcome := s.applyAssignment(req)
		s.postCallback(ctx, req.CallbackURL, outcome)
	})
	if !started {
		writeError(w, http.StatusServiceUnavailable, "Service is shutting down", 503)
		return
	}
	resp := assignResponse{SessionID: req.BotSessionID, Status: "transferred", RequestCompletedAt: s.now().UnixMilli()}
	if req.toQueue() {
		resp.QueueID = req.QueueID
	} else {
		resp.AgentID = req.AID
	}
	writeJSON(w, http.StatusOK, resp)
}

// validateAssign returns the 412 message for a bad request, or "".
func (s *Simulator) validateAssign(req assignRequest) string {
	switch {
	case req.CallbackURL == "":
		return "callbackUrl is required"
	case req.OrgID == "":
		return "orgId is required"
	case req.BotSessionID == "":
		return "botSessionId is required"
	}
	if u, err := url.Parse(req.CallbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "callbackUrl must be an absolute http(s) URL"
	}
	if req.OrgID != s.cat.creds.OrgID {
		return fmt.Sprintf("orgId %s does not match this account", req.OrgID)
	}
	switch req.TransferredType {
	case "QUEUE":
		if req.QueueID == "" {
			return "queueId is required when transferredType is QUEUE"
		}
		if _, ok := s.cat.queue(req.QueueID); !ok {
			return fmt.Sprintf("queue %s does not exist", req.QueueID)
		}
		return ""
	case "", "AGENT":
	default:
		return fmt.Sprintf("transferredType must be QUEUE (or omitted for an agent), got %q", req.TransferredType)
	}
	if req.AID == "" {
		return "aId is required"
	}
	s.mu.RLock()
	_, ok := s.agentByID[req.AID]
	s.mu.RUnlock()
	if !ok {
		return fmt.Sprintf("agent %s does not exist", req.AID)
	}
	return ""
}

// applyAssignment carries out a transfer at the clock's reading, as
// upstream's routing engine would, and describes the outcome. A successful
// transfer cuts the conversation's plan: from now on it reads as the record
// kept here, live in its new state.
func (s *Simulator) applyAssignment(req assignRequest) CallbackPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := s.planBySession[req.BotSessionID]
	out := CallbackPayload{SessionID: req.BotSessionID, Status: "failed", CompletedAt: now.UnixMilli()}
	if req.toQueue() {
		out.TransferredType, out.QueueID = "QUEUE", req.QueueID
	} else {
		out.TransferredType, out.AgentID = "AGENT", req.AID
	}
	if p == nil { // deleted since the request was accepted
		out.Reason, out.Message = ReasonNotLive, "Conversation not found"
		return out
	}
	out.ConversationID = p.final.ID
	if !p.exists(now) { // the clock was set back before its start
		out.Reason, out.Message = ReasonNotLive, "Conversation has not started"
		return out
	}
	view := p.viewAt(now)
	if !view.live() {
		out.Reason, out.Message = ReasonNotLive, fmt.Sprintf("Conversation is no longer live (status %s)", view.Status)
		return out
	}
	var agent *agentRecord
	if !req.toQueue() {
		agent = s.agentByID[req.AID]
		if agent == nil {
			out.Reason, out.Message = ReasonAgentOffline, fmt.Sprintf("Agent %s not found", req.AID)
			return out
		}
		if agent.presence == "OFFLINE" {
			out.Reason, out.Message = ReasonAgentOffline, fmt.Sprintf("Agent %s is offline", agentName(agent.doc))
			return out
		}
		if i := view.activeParticipant(); i >= 0 && view.Participants[i].AgentID == docString(agent.doc, "userId") {
			out.Reason, out.Message = ReasonAlreadyAssigned, "Conversation is already assigned to this agent"
			return out
		}
	}
	if !p.mutatedAt(now) {
		// Cut the plan here: the view at now becomes the stored record.
		p.mut = &mutation{at: now, rec: *p.liveView(now)}
	}
	c := &p.mut.rec

	detail := transferDetail{
		FromAgent: jsonNull, TransferredBy: s.cat.ownerUserID, TransferredByAgentName: s.cat.ownerName,
		Priority: "MEDIUM", TransferredAt: jt(now), IsManager: ptr(true),
	}
	current, hasQueue := c.currentQueue()
	if hasQueue {
		detail.FromQueue = current.ID
	}
	if i := c.activeParticipant(); i >= 0 {
		p := &c.Participants[i]
		detail.FromAgent = jsonString(p.AgentID)
		p.EndTimeStamp, p.Status, p.IsTransferred = jt(now), "INACTIVE", ptr(true)
		if p.StartTimeStamp.IsZero() {
			p.Status = "ABANDONED"
		}
	}
	if req.toQueue() {
		q, _ := s.cat.queue(req.QueueID)
		detail.TransferredType = "QUEUE"
		detail.TransferredTo = []transferTarget{{Type: "QUEUE", ID: q.ID, Name: q.Name}}
		for i := range c.Queues {
			c.Queues[i].Status = "INACTIVE"
		}
		c.Queues = append(c.Queues, queueEntry{Type: "TRANSFERRED", Status: "ACTIVE", ID: q.ID, Name: q.Name, StartTime: jt(now)})
		c.Status = "OPEN" // waiting in the new queue
		out.Message = fmt.Sprintf("Conversation transferred to queue %s", q.Name)
	} else {
		userID, name := docString(agent.doc, "userId"), agentName(agent.doc)
		email := docString(agent.doc, "emailId")
		detail.TransferredType = "AGENT"
		detail.TransferredTo = []transferTarget{{Type: "AGENT", ID: userID, Name: name, EmailID: &email}}
		p := participant{
			AgentID: userID, Name: name, Status: "ACTIVE",
			QueueStartTime: jt(now), AssignedAt: jt(now), StartTimeStamp: jt(now),
		}
		if hasQueue {
			p.QueueID, p.QueueName = current.ID, current.Name
		}
		c.Participants = append(c.Participants, p)
		if c.AcceptedAt.IsZero() {
			c.AcceptedAt = jt(now)
			c.WaitTime = now.Sub(c.StartTime.Time()).Milliseconds()
		}
		c.Status = "ACTIVE"
		out.Message = fmt.Sprintf("Conversation transferred to agent %s", name)
	}
	c.TransferDetails = append(c.TransferDetails, detail)
	c.UpdatedAt = jt(now)
	c.Version++
	out.Status = "success"
	return out
}

// postCallback delivers the outcome once; failures are logged, not retried.
func (s *Simulator) postCallback(ctx context.Context, target string, payload CallbackPayload) {
	body, err := json.Marshal(payload)
	if err != nil {
		s.log.Error("simulator: encode callback", "err", err)
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		s.log.Warn("simulator: build callback request", "url", target, "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "smartassist-simulator")
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.Warn("simulator: callback failed", "url", target, "session", payload.SessionID, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	s.log.Info("simulator: callback delivered", "url", target, "session", payload.SessionID,
		"outcome", payload.Status, "status", resp.StatusCode)
}
