// Package live is the live floor: who waits right now, who can take it,
// and what needs a lead's attention, kept current by one poller per
// upstream account and handed to any number of open pages.
//
// The Floor polls within its part of the rate budget at background
// priority (MakePlan: every poll reads the live list by status and the
// agents' availability; queueStatsById for every queue when the budget
// allows, else a few queues a poll in turn; queue-performance and
// interactionDetails every sixth poll), so lookups are always served
// first and fifty open pages cost upstream what one does. It polls only
// while someone subscribes or a webhook is configured. Each poll builds an
// immutable Snapshot (per queue: waiting, engaged, the longest wait,
// agents by presence with their load against capacity, ASA and service
// level where upstream gives them; every waiting or overdue conversation;
// the alerts) and publishes it. When upstream fails the last figures stay,
// with the error and their age.
//
// Subscribers get coalescing signals (Subscription.C holds at most one),
// so a slow reader skips to the latest state and never holds up the
// others. Topics: every snapshot (the floor page), changes of the live
// conversations only (lists), or one conversation's new versions (the
// audit view; the cache reports them through ConversationChanged).
//
// Alerts (kinds Alert*) are about single conversations and never name the
// customer; a Notifier posts new ones to a Slack-compatible webhook with
// retries and a cooldown per alert. Wait targets per queue, with a
// default, are kept in SQLite by TargetStore.
package live
