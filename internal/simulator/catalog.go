package simulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The catalog is the routing configuration: org, roles, skills, agent groups,
// queues and agents. Only agents change after New (PUT replaces them).

type role struct{ ID, Name string }

type hoursOfOperation struct{ ID, Name string }

type skillGroup struct{ ID, Name, Description, Color string }

type skill struct {
	ID, Name, Description, GroupID string
	ExpireEnabled                  bool
	ExpireMin, ExpireSec           int
	CreatedAt                      time.Time
}

type agentGroup struct {
	ID, Name, Description string
	IsDefault             bool
	CreatedAt             time.Time
}

type queueDef struct {
	ID, Name, Description string
	IsDefault             bool
	AdvancedRouting       bool
	Languages             []string
	Voice                 bool // routes voice calls
	SkillIDs              []string
	GroupIDs              []string
	Hours                 hoursOfOperation
	PreferredTimeoutSec   int
	CreatedAt             time.Time
}

// agentRecord is one agent: the document exactly as upstream would store it
// (replaced wholesale by PUT) plus the live presence, which an admin update
// cannot change.
type agentRecord struct {
	doc      map[string]any
	presence string // AVAILABLE, BUSY, AWAY, OFFLINE
}

type catalog struct {
	creds           Credentials
	ownerUserID     string
	ownerName       string
	endUserOrgID    string
	automationBotID string
	dialogID        string
	dialogRefID     string
	roles           []role
	hours           []hoursOfOperation
	skillGroups     []skillGroup
	skills          []skill
	groups          []agentGroup
	queues          []queueDef
}

func (c *catalog) queue(id string) (*queueDef, bool) {
	for i := range c.queues {
		if c.queues[i].ID == id {
			return &c.queues[i], true
		}
	}
	return nil, false
}

func (c *catalog) group(id string) (*agentGroup, bool) {
	for i := range c.groups {
		if c.groups[i].ID == id {
			return &c.groups[i], true
		}
	}
	return nil, false
}

func (c *catalog) skillGroup(id string) (*skillGroup, bool) {
	for i := range c.skillGroups {
		if c.skillGroups[i].ID == id {
			return &c.skillGroups[i], true
		}
	}
	return nil, false
}

func (c *catalog) skill(id string) (*skill, bool) {
	for i := range c.skills {
		if c.skills[i].ID == id {
			return &c.skills[i], true
		}
	}
	return nil, false
}

// Hostile strings every consumer must render safely.
const (
	hostileScript = "<script>alert(1)</script>"
	hostileQuotes = `O'Brien "Danny" \ </b>`
	hostileArabic = "محمد العلي"
	hostileHebrew = "דוד כהן"
	hostileEmoji  = "Zoë 🚀🔥👩🏽‍💻"
)

// hostileLong is a 300+ character name (a real-world paste accident).
var hostileLong = strings.Repeat("Bartholomew-Maximilian ", 14) + "the Third"

var (
	firstNames = []string{"Jane", "John", "Priya", "Carlos", "Aiko", "Fatima", "Lukas", "Sofia", "Kwame", "Mei",
		"Olivia", "Mateo", "Chloe", "Arjun", "Ingrid", "Omar", "Hannah", "Diego", "Elena", "Noah",
		"Amara", "Yusuf", "Camille", "Ravi", "Greta", "Tomás", "Leila", "Ethan", "Nadia", "Felix"}
	lastNames = []string{"Doe", "Smith", "Sharma", "García", "Tanaka", "Khan", "Müller", "Rossi", "Mensah", "Chen",
		"Johnson", "López", "Martin", "Patel", "Larsen", "Haddad", "Schmidt", "Fernández", "Novak", "Williams",
		"Okafor", "Demir", "Dubois", "Iyer", "Berg", "Silva", "Nasser", "Brown", "Petrova", "Weber"}
)

func newCatalog(ids *idSource, r *rand.Rand, base time.Time) *catalog {
	c := &catalog{}
	c.creds = Credentials{
		BotID:        "st-" + ids.uuid(),
		AccountID:    ids.objectID(),
		OrgID:        "o-" + ids.uuid(),
		ClientID:     "cs-" + ids.uuid(),
		ClientSecret: ids.alnum(43) + "=",
	}
	c.endUserOrgID = "o-" + ids.uuid()
	c.automationBotID = "st-" + ids.uuid()
	c.dialogID = "dg-" + ids.uuid()
	c.dialogRefID = ids.uuid()
	c.roles = []role{{ids.objectID(), "Administrator"}, {ids.objectID(), "Supervisor"}, {ids.objectID(), "Agent"}}
	c.hours = []hoursOfOperation{
		{"h-" + ids.uuid(), "US West Coast"},
		{"h-" + ids.uuid(), "EMEA Business Hours"},
		{"h-" + ids.uuid(), "24x7"},
	}
	c.skillGroups = []skillGroup{
		{ids.objectID(), "Default SkillGroup", "Skills every agent starts with", "#D2000D"},
		{ids.objectID(), "Account Management", "Manage Account and its Settings", "#1E90FF"},
		{ids.objectID(), "Technical", "Troubleshooting and product know-how", "#2E8B57"},
		{ids.objectID(), "Service Tier", "Customer value tiers", "#FFD700"},
	}
	skillDefs := []struct {
		group       int
		name, descr string
	}{
		{0, "Default Skill", "Auto created"},
		{1, "Billing Disputes", "Charges, invoices and refunds"},
		{1, "CLOSE ACCOUNT", "Account closures and retention"},
		{1, "UPDATE ACCOUNT", "Profile and plan changes"},
		{2, "Hardware", "Devices and shipping"},
		{2, "Networking", "Connectivity problems"},
		{2, "Software", "Apps and updates"},
		{3, "SILVER", "Silver tier customers"},
		{3, "GOLD", "Gold tier customers"},
	}
	for i, d := range skillDefs {
		s := skill{
			ID: ids.objectID(), Name: d.name, Description: d.descr, GroupID: c.skillGroups[d.group].ID,
			CreatedAt: base.Add(-time.Duration(400+i) * 24 * time.Hour),
		}
		if d.group == 3 { // tier skills expire, as in the vendor's queue sample
			s.ExpireEnabled, s.ExpireMin, s.ExpireSec = true, 10, 20
		}
		c.skills = append(c.skills, s)
	}
	groupDefs := []struct{ name, descr string }{
		{"Default Group", "Default Group (Auto Created)."},
		{"Tier 1 Support", "First line chat and messaging"},
		{"Tier 2 Specialists", "Escalations and technical cases"},
		{"Voice Team", "Inbound calls"},
	}
	for i, d := range groupDefs {
		c.groups = append(c.groups, agentGroup{
			ID: "ag-" + ids.uuidLike(), Name: d.name, Description: d.descr, IsDefault: i == 0,
			CreatedAt: base.Add(-time.Duration(500-i*10) * 24 * time.Hour),
		})
	}
	sk := func(names ...string) []string {
		var out []string
		for _, n := range names {
			for _, s := range c.skills {
				if s.Name == n {
					out = append(out, s.ID)
				}
			}
		}
		return out
	}
	g := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, c.groups[i].ID)
		}
		return out
	}
	queueDefs := []queueDef{
		{Name: "Default Queue", Description: "queue description", IsDefault: true, Languages: []string{"en"}, SkillIDs: sk("Default Skill"), GroupIDs: g(0, 1), Hours: c.hours[2]},
		{Name: "Billing", Description: "Invoices, charges and refunds", AdvancedRouting: true, Languages: []string{"en", "es"}, SkillIDs: sk("Billing Disputes", "SILVER", "GOLD"), GroupIDs: g(1), Hours: c.hours[0]},
		{Name: "Technical Support", Description: "Troubleshooting", AdvancedRouting: true, Languages: []string{"en", "de"}, SkillIDs: sk("Hardware", "Networking", "Software"), GroupIDs: g(2), Hours: c.hours[1]},
		{Name: "Sales", Description: "New plans and upgrades", Languages: []string{"en", "fr"}, SkillIDs: sk("UPDATE ACCOUNT"), GroupIDs: g(1), Hours: c.hours[0]},
		{Name: "VIP Care", Description: "Gold tier customers", AdvancedRouting: true, Languages: []string{"en", "es", "fr"}, SkillIDs: sk("GOLD", "CLOSE ACCOUNT"), GroupIDs: g(2), Hours: c.hours[2]},
		{Name: "Voice Support", Description: "Inbound phone calls", Voice: true, Languages: []string{"en", "es"}, SkillIDs: sk("Default Skill"), GroupIDs: g(3), Hours: c.hours[0]},
		{Name: "Arabic Support", Description: "دعم العملاء باللغة العربية", Languages: []string{"ar"}, SkillIDs: sk("Default Skill"), GroupIDs: g(1), Hours: c.hours[1]},
	}
	for i := range queueDefs {
		q := &queueDefs[i]
		q.ID = "qu-" + ids.uuidLike()
		q.PreferredTimeoutSec = 30 + 15*r.IntN(8)
		q.CreatedAt = base.Add(-time.Duration(450-i) * 24 * time.Hour)
	}
	c.queues = queueDefs
	return c
}

type agentSpec struct {
	first, last string
	role        role
	isOwner     bool
	groups      []int // indexes into catalog.groups; first is the primary
	manager     bool
	queues      []int
	preferred   map[int]bool
	chatLangs   []string
	voiceLangs  []string
	skills      map[int]string // skill index -> proficiency
	presence    string
	maxChat     int
}

// newAgents creates n agents with a deterministic mix of groups, queues,
// languages, skills and presence.
func newAgents(c *catalog, ids *idSource, r *rand.Rand, base time.Time, n int) []*agentRecord {
	hostileSlot := map[int]int{7: 0, 13: 1, 19: 2, 23: 3}
	if n > 1 && n <= 7 {
		hostileSlot = map[int]int{n - 1: 0}
	}
	presences := []string{"AVAILABLE", "BUSY", "AWAY", "OFFLINE"}
	proficiencies := []string{"beginner", "average", "expert"}
	usedEmails := map[string]bool{}
	agents := make([]*agentRecord, 0, n)
	specs := make([]agentSpec, n)
	for i := range n {
		sp := agentSpec{
			first: firstNames[(i+r.IntN(3))%len(firstNames)],
			last:  lastNames[(i*7+r.IntN(len(lastNames)))%len(lastNames)],
		}
		switch {
		case i == 0:
			sp.role, sp.isOwner, sp.manager = c.roles[0], true, true
		case i <= 2:
			sp.role, sp.manager = c.roles[1], true
		default:
			sp.role = c.roles[2]
		}
		sp.groups = []int{i % len(c.groups)}
		if i == 0 {
			sp.groups = []int{0, 1}
		}
		voice := i%len(c.groups) == 3 || r.Float64() < 0.2
		sp.chatLangs = []string{"en"}
		extra := []string{"es", "de", "fr", "ar"}
		for _, l := range extra {
			if r.Float64() < 0.22 {
				sp.chatLangs = append(sp.chatLangs, l)
			}
		}
		if voice {
			sp.voiceLangs = []string{"en"}
			if slices.Contains(sp.chatLangs, "es") {
				sp.voiceLangs = append(sp.voiceLangs, "es")
			}
		}
		sp.preferred = map[int]bool{}
		for qi, q := range c.queues {
			in := false
			switch {
			case q.IsDefault:
				in = r.Float64() < 0.7
			case q.Voice:
				in = voice
			default:
				in = r.Float64() < 0.22 && hasAny(sp.chatLangs, q.Languages)
			}
			if in {
				sp.queues = append(sp.queues, qi)
				sp.preferred[qi] = r.Float64() < 0.25
			}
		}
		sp.skills = map[int]string{0: proficiencies[r.IntN(3)]}
		for range r.IntN(3) {
			sp.skills[1+r.IntN(len(c.skills)-1)] = proficiencies[r.IntN(3)]
		}
		if i < len(presences) {
			sp.presence = presences[i]
		} else {
			switch p := r.Float64(); {
			case p < 0.4:
				sp.presence = "AVAILABLE"
			case p < 0.65:
				sp.presence = "BUSY"
			case p < 0.8:
				sp.presence = "AWAY"
			default:
				sp.presence = "OFFLINE"
			}
		}
		sp.maxChat = 3 + r.IntN(6)
		if slot, ok := hostileSlot[i]; ok {
			switch slot {
			case 0:
				sp.first, sp.last = hostileScript, hostileQuotes
			case 1:
				sp.first, sp.last = "ليلى", "حداد"
			case 2:
				sp.first, sp.last = hostileEmoji, hostileHebrew
			case 3:
				sp.first, sp.last = "Max", hostileLong
			}
		}
		specs[i] = sp
	}
	// Every queue needs someone to route to.
	for qi, q := range c.queues {
		staffed := false
		for _, sp := range specs {
			if slices.Contains(sp.queues, qi) {
				staffed = true
				break
			}
		}
		if !staffed && n > 0 {
			sp := &specs[(qi*5+1)%n]
			sp.queues = append(sp.queues, qi)
			if q.Voice && len(sp.voiceLangs) == 0 {
				sp.voiceLangs = []string{"en"}
			}
		}
	}
	// The live-traffic guarantee (guarantee.go) runs on the default queue and
	// needs two of its agents who are not OFFLINE.
	for qi, q := range c.queues {
		if !q.IsDefault {
			continue
		}
		ready := 0
		for _, sp := range specs {
			if sp.presence != "OFFLINE" && slices.Contains(sp.queues, qi) {
				ready++
			}
		}
		for i := 0; i < n && ready < 2; i++ {
			if sp := &specs[i]; sp.presence != "OFFLINE" && !slices.Contains(sp.queues, qi) {
				sp.queues = append(sp.queues, qi)
				ready++
			}
		}
	}
	for i, sp := range specs {
		email := emailFor(sp.first, sp.last, i)
		if usedEmails[email] {
			email = fmt.Sprintf("agent%02d@contoso.example", i)
		}
		usedEmails[email] = true
		doc := buildAgentDoc(c, ids, r, base, i, sp, email)
		agents = append(agents, &agentRecord{doc: normalizeJSON(doc), presence: sp.presence})
	}
	return agents
}

func hasAny(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

func emailFor(first, last string, i int) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	f, l := clean(first), clean(last)
	if f == "" || l == "" || len(f)+len(l) > 40 {
		return fmt.Sprintf("agent%02d@contoso.example", i)
	}
	return f + "." + l + "@contoso.example"
}

func presenceLabel(p string) string {
	switch p {
	case "AVAILABLE":
		return "Available"
	case "BUSY":
		return "Busy"
	case "AWAY":
		return "Away"
	}
	return "Offline"
}

func langSupport(langs []string, r *rand.Rand) []any {
	out := []any{}
	levels := []string{"beginner", "average", "expert"}
	for i, l := range langs {
		prof := "expert"
		if i > 0 {
			prof = levels[r.IntN(3)]
		}
		out = append(out, map[string]any{"isActive": true, "language": l, "proficiency": prof})
	}
	return out
}

func buildAgentDoc(c *catalog, ids *idSource, r *rand.Rand, base time.Time, i int, sp agentSpec, email string) map[string]any {
	userID := "u-" + ids.uuid()
	agentID := "a-" + ids.uuidLike()
	full := sp.first + " " + sp.last
	if i == 0 { // the account owner created everything else
		c.ownerUserID, c.ownerName = userID, full
	}
	created := base.Add(-time.Duration(120+r.IntN(400)) * 24 * time.Hour)
	updated := base.Add(-time.Duration(1+r.IntN(30)) * 24 * time.Hour)
	lastOnline := base.Add(-time.Duration(r.IntN(72*60)) * time.Minute)
	if sp.presence != "OFFLINE" {
		lastOnline = base.Add(-time.Duration(r.IntN(120)) * time.Second)
	}
	groups := []any{}
	for gi, idx := range sp.groups {
		g := c.groups[idx]
		role := "agent"
		if sp.manager {
			role = "manager"
		}
		access := "full"
		if gi > 0 {
			access = "view"
		}
		groups = append(groups, map[string]any{
			"groupId": g.ID, "role": role, "accessLevel": access, "name": g.Name, "groupName": g.Name,
		})
	}
	skillIdx := make([]int, 0, len(sp.skills))
	for k := range sp.skills {
		skillIdx = append(skillIdx, k)
	}
	slices.Sort(skillIdx)
	skills := []any{}
	for _, k := range skillIdx {
		s := c.skills[k]
		sg, _ := c.skillGroup(s.GroupID)
		skills = append(skills, map[string]any{
			"skillId": s.ID, "proficiencyLevel": sp.skills[k], "userId": userID, "createdBy": c.ownerUserID,
			"accountId": c.creds.AccountID, "orgId": c.creds.OrgID, "createdAt": formatJS(created),
			"updatedAt": formatJS(updated), "id": s.ID, "name": s.Name, "skillGroupId": sg.ID,
			"skillGroupName": sg.Name, "skillGroupColor": sg.Color,
		})
	}
	queues := []any{}
	for _, qi := range sp.queues {
		q := c.queues[qi]
		queues = append(queues, map[string]any{
			"id": q.ID, "name": q.Name, "description": q.Description, "isPreferredAgent": sp.preferred[qi],
		})
	}
	// Like the vendor sample, agents without voice keep an inactive entry.
	voiceSupport := langSupport(sp.voiceLangs, r)
	if len(sp.voiceLangs) == 0 {
		voiceSupport = []any{map[string]any{"isActive": false, "language": "en", "proficiency": "expert"}}
	}
	doc := map[string]any{
		"isAccountOwner":          sp.isOwner,
		"attachmentsEnabled":      true,
		"emojisEnabled":           true,
		"agentAffinity":           r.Float64() < 0.2,
		"status":                  "ACTIVE",
		"firstName":               sp.first,
		"lastName":                sp.last,
		"fullName":                full,
		"lFullName":               strings.ToLower(full),
		"nickName":                sp.first,
		"phoneNumber":             fmt.Sprintf("+1 555 %03d %04d", 100+i, r.IntN(10000)),
		"emailId":                 email,
		"customId":                fmt.Sprintf("EMP-%04d", 1000+i),
		"profImage":               "no-avatar",
		"canSupportChat":          true,
		"canSupportCase":          false,
		"canSupportVoiceMail":     false,
		"maxChatSupport":          sp.maxChat,
		"maxDigitalChatSupport":   sp.maxChat,
		"maxEmailChatSupport":     1 + r.IntN(5),
		"maxMessagingChatSupport": 2 + r.IntN(6),
		"roleId":                  sp.role.ID,
		"role":                    sp.role.Name,
		"chatLanguageSupport":     langSupport(sp.chatLangs, r),
		"canSupportVoice":         len(sp.voiceLangs) > 0,
		"voiceLanguageSupport":    voiceSupport,
		"caseLanguageSupport":     []any{},
		"voiceSupport":            []any{},
		"desktopLayouts":          []any{map[string]any{"isDefault": true, "name": "Default Layout", "id": "ly-" + ids.uuidLike()}},
		"userId":                  userID,
		"accountId":               c.creds.AccountID,
		"createdBy":               c.ownerUserID,
		"createdByAId":            nil,
		"orgId":                   c.creds.OrgID,
		"iId":                     c.creds.BotID,
		"agentGroupId":            c.groups[sp.groups[0]].ID,
		"agentGroups":             groups,
		"dAgentGroups":            []any{},
		"markedAutoAway":          sp.presence == "AWAY" && r.Float64() < 0.5,
		"lastOnlineAt":            formatJS(lastOnline),
		"createdAt":               formatJS(created),
		"updatedAt":               formatJS(updated),
		"onlineStatus":            presenceLabel(sp.presence),
		"onlineStatusType":        sp.presence,
		"id":                      agentID,
		"skills":                  skills,
		"queues":                  queues,
		"sipURI":                  fmt.Sprintf("sip:agent%02d@smartassist-agent.kore.ai:5060", i),
		"hoursOfOperationId":      c.hours[i%len(c.hours)].ID,
	}
	return doc
}

// normalizeJSON round-trips a document through JSON so that generated agents
// hold exactly the value kinds a decoded PUT body holds.
func normalizeJSON(doc map[string]any) map[string]any {
	b, err := json.Marshal(doc)
	if err != nil {
		// Only generator-built maps reach here; they always encode.
		return doc
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return doc
	}
	return out
}

// Accessors for agent documents, which may have any shape after a PUT.

func docString(doc map[string]any, key string) string {
	s, _ := doc[key].(string)
	return s
}

func docObjects(doc map[string]any, key string) []map[string]any {
	arr, _ := doc[key].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, v := range arr {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// agentQueueIDs lists the queue ids in an agent document.
func agentQueueIDs(doc map[string]any) []string {
	var out []string
	for _, q := range docObjects(doc, "queues") {
		if id := docString(q, "id"); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func agentSkillIDs(doc map[string]any) []string {
	var out []string
	for _, s := range docObjects(doc, "skills") {
		id := docString(s, "skillId")
		if id == "" {
			id = docString(s, "id")
		}
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

func agentName(doc map[string]any) string {
	if n := docString(doc, "fullName"); n != "" {
		return n
	}
	return strings.TrimSpace(docString(doc, "firstName") + " " + docString(doc, "lastName"))
}

func agentGroupID(doc map[string]any) string {
	if g := docString(doc, "agentGroupId"); g != "" {
		return g
	}
	for _, g := range docObjects(doc, "agentGroups") {
		if id := docString(g, "groupId"); id != "" {
			return id
		}
	}
	return ""
}
