package api_test

import (
	"testing"

	"github.com/teamlead/dashboard/internal/api"
)

// No vendor sample shows an attachment; the component is read leniently.
func TestMessageAttachmentsAreReadLeniently(t *testing.T) {
	m, err := api.DecodeMessage([]byte(`{"_id":"ms-1","type":"incoming","components":[
		{"cT":"text","data":{"text":"here is the invoice"}},
		{"cT":"file","data":{"fileName":"invoice-0421.pdf","type":"application/pdf","url":"https://files.example/x"}},
		{"cT":"image","data":{"name":"photo.png"}},
		{"cT":"audio","data":{}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		attachment bool
		name, typ  string
	}{{false, "", ""}, {true, "invoice-0421.pdf", "application/pdf"}, {true, "photo.png", "image"}, {true, "", "audio"}}
	if len(m.Components) != len(want) {
		t.Fatalf("%d components", len(m.Components))
	}
	for i, w := range want {
		c := m.Components[i]
		if c.IsAttachment() != w.attachment || c.FileName != w.name || c.MediaType != w.typ {
			t.Errorf("component %d: %+v attachment=%v", i, c, c.IsAttachment())
		}
	}
	if m.Text() != "here is the invoice" {
		t.Errorf("text %q", m.Text())
	}
}
