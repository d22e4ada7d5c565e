package cache

import (
	"container/list"
	"sync"

	"github.com/teamlead/dashboard/internal/api"
)

// decodedCache keeps recently decoded conversations by content hash, so a hot
// audit view (and its snapshot history) does not re-parse the same JSON on
// every request. Content with a given hash never changes, so entries never
// go stale; the bound only limits memory.
type decodedCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recent; values are *decodedItem
	items map[string]*list.Element
}

type decodedItem struct {
	sha  string
	conv *api.Conversation
}

func newDecodedCache(max int) *decodedCache {
	return &decodedCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// decode returns the conversation in body, whose hash is sha. The result is
// shared between callers and must not be modified.
func (d *decodedCache) decode(sha string, body []byte) (*api.Conversation, error) {
	d.mu.Lock()
	if el, ok := d.items[sha]; ok {
		d.order.MoveToFront(el)
		conv := el.Value.(*decodedItem).conv
		d.mu.Unlock()
		return conv, nil
	}
	d.mu.Unlock()
	conv, err := api.DecodeConversation(body)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.items[sha]; !ok {
		d.items[sha] = d.order.PushFront(&decodedItem{sha: sha, conv: conv})
		for d.order.Len() > d.max {
			last := d.order.Back()
			d.order.Remove(last)
			delete(d.items, last.Value.(*decodedItem).sha)
		}
	}
	return conv, nil
}
