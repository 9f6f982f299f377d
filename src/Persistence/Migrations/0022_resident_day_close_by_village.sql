-- 0022: residents no longer hold a daily "day-close" reminder each (2.63M rows firing on the clock, with no
-- back-pressure: docs/reminders.md). Their village closes their days after its own day roll, waking only those whose
-- code changes or who have something else due. The old rows are deleted here so they do not fire once more as a storm;
-- a resident whose row is gone loses nothing (its next summary tells the village what is due, and until then the
-- village wakes it as one stored before the change). Checkpoints keep their "day-close" reminder: only residents' go.
DELETE FROM orleans_reminder
WHERE reminder_name = 'day-close'
  AND grain_id LIKE 'resident/%';
