-- 0008: platforms 1 and 6, the 12345 tickets read model. One row per ticket, upserted by the ticket grain on every
-- change (the grain's state is the record; this row is its projection for queues and figures). version is the
-- ticket's version: an older or repeated write never replaces a newer row. No personal data: the caller's contact,
-- the description and the handler's result stay in the grain.
CREATE TABLE IF NOT EXISTS tickets
(
    number           text        PRIMARY KEY,               -- 12345-YYYYMMDD-NNNNNN
    state            text        NOT NULL CHECK (state IN ('Received', 'Accepted', 'Rejected', 'Dispatched', 'Handled', 'FeedbackGiven', 'Supervision', 'Closed')),
    kind             text        NOT NULL,
    category         text        NULL,
    source           text        NOT NULL,
    region_code      text        NOT NULL,                  -- where the ticket is located (city down to village)
    assignee_kind    text        NULL CHECK (assignee_kind IN ('Department', 'Village')),
    assignee         text        NULL,                      -- department code or village code
    overdue          boolean     NOT NULL DEFAULT false,
    overdue_since    timestamptz NULL,
    escalation_level integer     NOT NULL DEFAULT 0,
    escalated_to     text        NULL,
    due_at           timestamptz NULL,                      -- the current state's deadline; null once closed or rejected
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    accepted_at      timestamptz NULL,
    rejected_at      timestamptz NULL,
    closed_at        timestamptz NULL,
    version          bigint      NOT NULL
);

-- Queues read open tickets only (overdue first, then by due time): partial indexes keep them small as tickets close.
CREATE INDEX IF NOT EXISTS tickets_open_by_region ON tickets (region_code text_pattern_ops, due_at, number) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_open_by_assignee ON tickets (assignee_kind, assignee, due_at, number) WHERE due_at IS NOT NULL;
-- Figures count by receipt time within a region prefix.
CREATE INDEX IF NOT EXISTS tickets_by_region_created ON tickets (region_code text_pattern_ops, created_at);
