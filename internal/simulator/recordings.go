package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Recordings v2 and the signed media links it hands out.

// MediaURLLifetime is how long a recording link stays valid after it is
// handed out (its e= parameter, epoch seconds, is Clock.Now() plus this).
const MediaURLLifetime = time.Hour

type recordingFile struct {
	FileName string `json:"fileName"`
	FileURL  string `json:"fileUrl"`
}

type recordingAnswer struct {
	Status    string          `json:"status"`
	Recording []recordingFile `json:"recording"`
}

func (s *Simulator) recordings(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("sessionId")
	if id == "" {
		invalid(w, "sessionId is required")
		return
	}
	now := s.now()
	s.mu.RLock()
	ss, ok := s.lookupSession(id, now)
	var status string
	if ok {
		status = ss.recordingAt(now)
	}
	s.mu.RUnlock()
	switch {
	case !ok:
		notFound(w, "Session %s not found", id)
		return
	case status == "": // not a call: there is no media to find
		status = recUnavailable
	}
	answer := recordingAnswer{Status: status, Recording: []recordingFile{}}
	if status == recSuccess {
		answer.Recording = append(answer.Recording, recordingFile{
			FileName: ss.callID() + "-merged.wav",
			FileURL:  s.mediaURL(r, ss, now),
		})
	}
	writeJSON(w, http.StatusOK, answer)
}

// mediaKey signs media links; it derives from the seed's client secret.
func (s *Simulator) mediaKey() []byte {
	k := sha256.Sum256([]byte("media-url:" + s.cat.creds.ClientSecret))
	return k[:]
}

// mediaPath is the path a session's recording is served under.
func (s *Simulator) mediaPath(ss *session) string {
	end := ss.plannedEnd().UTC()
	return MediaPath + "smartassistrecording/SIM/" + s.cat.creds.OrgID + "/" + s.cat.creds.BotID + "/" +
		end.Format("2006") + "/" + end.Format("02-01-2006") + "/" + ss.rec.fileID + ".wav"
}

func (s *Simulator) mediaSignature(path, e, n string) string {
	mac := hmac.New(sha256.New, s.mediaKey())
	mac.Write([]byte(path + "?e=" + e + "&n=" + n))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// mediaURL is the signed, expiring link to a session's recording, on the
// host the request came to.
func (s *Simulator) mediaURL(r *http.Request, ss *session, now time.Time) string {
	path := s.mediaPath(ss)
	e := strconv.FormatInt(now.Add(MediaURLLifetime).Unix(), 10)
	h := fnv.New64a()
	_, _ = h.Write([]byte(ss.rec.fileID + e))
	n := strconv.FormatUint(h.Sum64()%1e10, 10)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := url.Values{"e": {e}, "n": {n}, "s": {s.mediaSignature(path, e, n)}}
	return scheme + "://" + r.Host + path + "?" + q.Encode()
}

// media serves a signed recording link: 403 for a bad signature or an
// expired link, 404 once the recording is gone, else the WAV (with Range
// support).
func (s *Simulator) media(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e, n, sig := q.Get("e"), q.Get("n"), q.Get("s")
	want := s.mediaSignature(r.URL.Path, e, n)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		writeError(w, http.StatusForbidden, "Signature does not match", http.StatusForbidden)
		return
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	now := s.now()
	if err != nil || now.After(time.Unix(exp, 0)) {
		writeError(w, http.StatusForbidden, "Request has expired", http.StatusForbidden)
		return
	}
	file := strings.TrimSuffix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], ".wav")
	s.mu.RLock()
	ss, ok := s.recordingByID[file]
	ok = ok && ss.exists(now) && ss.recordingAt(now) == recSuccess
	var ready time.Time
	if ok {
		ready = ss.endAt(now).Add(ss.rec.delay)
	}
	s.mu.RUnlock()
	if !ok {
		notFound(w, "Media not found")
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, file+".wav", ready, bytes.NewReader(recordingWAV(ss.rec)))
}

// wavRate is the recordings' sample rate (mono, 16-bit PCM).
const wavRate = 8000

// recordingWAV is a recording's audio: a few seconds alternating between
// its two tones every half second, with short fades. A pure function of
// the plan.
func recordingWAV(rec *recordingPlan) []byte {
	samples := rec.seconds * wavRate
	var buf bytes.Buffer
	buf.Grow(44 + 2*samples)
	le := binary.LittleEndian
	buf.WriteString("RIFF")
	_ = binary.Write(&buf, le, uint32(36+2*samples))
	buf.WriteString("WAVEfmt ")
	_ = binary.Write(&buf, le, uint32(16))        // fmt chunk size
	_ = binary.Write(&buf, le, uint16(1))         // PCM
	_ = binary.Write(&buf, le, uint16(1))         // mono
	_ = binary.Write(&buf, le, uint32(wavRate))   // sample rate
	_ = binary.Write(&buf, le, uint32(2*wavRate)) // byte rate
	_ = binary.Write(&buf, le, uint16(2))         // block align
	_ = binary.Write(&buf, le, uint16(16))        // bits per sample
	buf.WriteString("data")
	_ = binary.Write(&buf, le, uint32(2*samples))
	half := wavRate / 2
	sample := make([]byte, 2)
	for i := range samples {
		f := rec.tones[(i/half)%2]
		pos := i % half
		fade := math.Min(1, math.Min(float64(pos), float64(half-pos))/200)
		v := 0.3 * fade * math.Sin(2*math.Pi*f*float64(i)/wavRate)
		le.PutUint16(sample, uint16(int16(v*math.MaxInt16)))
		buf.Write(sample)
	}
	return buf.Bytes()
}
