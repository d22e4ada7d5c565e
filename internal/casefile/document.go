package casefile

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/teamlead/dashboard/internal/cache"
)

// PartDocument is one part of the JSON case file.
//
// Upstream is the part as stored, upstream's bytes exactly (see the
// cache.Part* constants for each part's shape), re-indented only, with the
// customer's contact details masked when the reader's policy masks (then
// Masked is true); SHA256 names the stored, unmasked bytes. Source is live,
// cache or stale as for the conversation, "missing" when the part could not
// be read and there is no copy (Error says why, Scope which API scope
// upstream needs), or "none" when it does not apply (NotApplicable says
// why).
type PartDocument struct {
	Source        string          `json:"source"`
	Scope         string          `json:"scope"`
	FetchedAt     *time.Time      `json:"fetchedAt,omitempty"`
	SHA256        string          `json:"sha256,omitempty"`
	Versions      int             `json:"versions,omitempty"`
	Final         bool            `json:"final,omitempty"`
	Masked        bool            `json:"masked,omitempty"`
	Error         string          `json:"error,omitempty"`
	RefreshError  string          `json:"refreshError,omitempty"`
	NotApplicable string          `json:"notApplicable,omitempty"`
	Upstream      json.RawMessage `json:"upstream,omitempty"`

	// Messages is the transcript read out (transcript only): author, time
	// and text of every message, masked like Upstream.
	Messages []Message `json:"messages,omitempty"`
	// Files lists a call's recordings by the dashboard's own links
	// (recordings only); the signed upstream links are left out of
	// Upstream, since they expire and lead past the dashboard.
	Files []RecordingDocument `json:"files,omitempty"`
}

// RecordingDocument is one recording in the JSON case file.
type RecordingDocument struct {
	N        int    `json:"n"`
	FileName string `json:"fileName"`
	Href     string `json:"href"` // the dashboard's streaming route
}

// RecordingHref is the dashboard's route that streams recording n of a
// session.
func RecordingHref(sessionID string, n int) string {
	return "/sessions/" + sessionID + "/recordings/" + itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }

func partDocument(p Part, mask func([]byte) ([]byte, error), masked bool) (PartDocument, error) {
	d := PartDocument{Scope: p.Scope}
	switch {
	case p.NotApplicable != "":
		d.Source, d.NotApplicable = "none", p.NotApplicable
		return d, nil
	case p.Err != nil:
		d.Source, d.Error = "missing", p.Err.Error()
		return d, nil
	}
	at := p.FetchedAt.UTC()
	d.Source, d.FetchedAt, d.SHA256, d.Versions, d.Final, d.Masked = p.Source.String(), &at, p.SHA256, p.Versions, p.Final, masked
	if p.RefreshErr != nil {
		d.RefreshError = p.RefreshErr.Error()
	}
	if mask != nil {
		up, err := mask(p.Raw)
		if err != nil {
			return PartDocument{}, err
		}
		d.Upstream = up
	}
	return d, nil
}

// eachElement applies fn to every element of a stored array body.
func eachElement(fn func([]byte) ([]byte, error)) func([]byte) ([]byte, error) {
	return func(raw []byte) ([]byte, error) {
		items, err := cache.SplitRaw(raw)
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			out, err := fn(it)
			if err != nil {
				return nil, err
			}
			items[i] = out
		}
		// Joined by hand: json.Marshal would escape < > & inside them.
		return append(append([]byte{'['}, joinComma(items)...), ']'), nil
	}
}

func (f File) partDocuments(doc *Document) error {
	pol, masked := f.Privacy, f.Privacy.Masked
	names := customerNames(f.Conversation)
	withNames := func(fn func([]byte, ...string) ([]byte, error)) func([]byte) ([]byte, error) {
		return func(raw []byte) ([]byte, error) { return fn(raw, names...) }
	}
	var err error
	if doc.Transcript, err = partDocument(f.Transcript.Part, eachElement(withNames(pol.MessagePage)), masked); err != nil {
		return err
	}
	doc.Transcript.Messages = f.Transcript.Messages
	if doc.Summary, err = partDocument(f.Summary.Part, withNames(pol.ConversationDetails), masked); err != nil {
		return err
	}
	if doc.Interaction, err = partDocument(f.Interaction.Part, eachElement(pol.Interaction), masked); err != nil {
		return err
	}
	if doc.Survey, err = partDocument(f.Survey.Part, eachElement(withNames(pol.SurveyResponse)), masked); err != nil {
		return err
	}
	if doc.Recordings, err = partDocument(f.Recordings.Part, nil, masked); err != nil {
		return err
	}
	for _, r := range f.Recordings.Files {
		doc.Recordings.Files = append(doc.Recordings.Files, RecordingDocument{N: r.N, FileName: r.FileName,
			Href: RecordingHref(doc.SessionID, r.N)})
	}
	return nil
}
