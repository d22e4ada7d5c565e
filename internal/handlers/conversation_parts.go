package handlers

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/ids"
	"github.com/teamlead/dashboard/web/templates/pages"
)

// printConversation answers GET …/print: the whole case file on one page,
// every message of the transcript included, for the browser's print
// dialog; audited as an export.
func (h *Handler) printConversation(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	cid := casefile.ID{Kind: kind, Value: id}
	f, err := h.casefiles.Read(r.Context(), reader(r), casefile.Print, cid)
	if err != nil {
		h.renderProblem(w, r, cid.String(), err)
		return
	}
	vm := h.conversationVM(r, f)
	base := caseBase(kind, id)
	vm.ExportJSON, vm.ExportCSV = base+"/export.json", base+"/timeline.csv"
	vm.CaseFile = caseFileView(f, viewerLocation(r), base, true)
	p := h.page(r, "Case file "+firstNonEmpty(f.SessionID, f.ConversationID), "conversations")
	if b := freshnessBanner(f.Result, false); b.Message != "" {
		p.Banners = append(p.Banners, b)
	}
	h.render(w, r, http.StatusOK, p, pages.ConversationPage(vm))
}

// transcriptPage answers GET …/transcript?from=N: the next messages of the
// transcript, in place of the "more" link for htmx, or as a page of their
// own without JavaScript.
func (h *Handler) transcriptPage(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	from, err := strconv.Atoi(r.URL.Query().Get("from"))
	if err != nil || from < 0 || from > 1_000_000 {
		h.renderError(w, r, http.StatusBadRequest, "Not a page of the transcript",
			"The page of the transcript asked for is not a number of messages.", "Open the conversation and use its “Show more” link.")
		return
	}
	cid := casefile.ID{Kind: kind, Value: id}
	pg, err := h.casefiles.TranscriptPage(r.Context(), reader(r), cid, from, transcriptPageSize)
	if err != nil {
		h.renderProblem(w, r, "the transcript of "+cid.String(), err)
		return
	}
	base := caseBase(kind, id)
	vm := transcriptPageView(pg, viewerLocation(r), base)
	if isHTMX(r) {
		h.render(w, r, http.StatusOK, h.page(r, "Transcript", "conversations"), pages.TranscriptPageFragment(vm))
		return
	}
	h.render(w, r, http.StatusOK, h.page(r, "Transcript of "+pg.SessionID, "conversations"), pages.TranscriptPage(vm))
}

// maxRecordings bounds the recording number in the path.
const maxRecordings = 100

// recordingStream answers GET (and HEAD) …/recordings/{n}: the call's
// recording n streamed through the dashboard from upstream's signed link,
// with the browser's Range passed on, so the page's player never needs the
// media host and its link never expires. Audited as a read.
func (h *Handler) recordingStream(w http.ResponseWriter, r *http.Request, kind ids.Kind, id string) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > maxRecordings {
		h.renderError(w, r, http.StatusBadRequest, "Not a recording",
			"Recordings are numbered from 1.", "Open the conversation and use its player.")
		return
	}
	cid := casefile.ID{Kind: kind, Value: id}
	st, err := h.casefiles.Recording(r.Context(), reader(r), cid, n, r.Header.Get("Range"))
	if err != nil {
		h.renderProblem(w, r, "the recording of "+cid.String(), err)
		return
	}
	defer st.Body.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", st.ContentType)
	hdr.Set("Cache-Control", "private, no-store")
	hdr.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": st.FileName}))
	if st.AcceptRanges != "" {
		hdr.Set("Accept-Ranges", st.AcceptRanges)
	}
	if st.ContentRange != "" && st.Status == http.StatusPartialContent {
		hdr.Set("Content-Range", st.ContentRange)
	}
	if st.LastModified != "" {
		hdr.Set("Last-Modified", st.LastModified)
	}
	if st.Length >= 0 {
		hdr.Set("Content-Length", strconv.FormatInt(st.Length, 10))
	}
	w.WriteHeader(st.Status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, st.Body); err != nil {
		h.logger.Info("recording stream ended early", "path", r.URL.Path, "err", err)
	}
}
