-- 0017: a village's public duty phone (issue 17). An office number residents with a red or yellow code are told to call;
-- not personal data. One row per village that has one, set by the village's staff or an administrator (audited as
-- 'village.contact.set'); a village without a row has no contact. updated_by is the staff member's username.
CREATE TABLE IF NOT EXISTS village_contacts
(
    village_code text        PRIMARY KEY,
    duty_phone   text        NOT NULL,
    updated_at   timestamptz NOT NULL,
    updated_by   text        NOT NULL
);
