-- A user's next run-cost message waits while an earlier one is still pending (docs/telegram.md):
-- each flush asks, per user, whether such a row exists. Few rows match: at most one per user.
CREATE INDEX notifications_pending_run_costs_idx ON notifications (chat_id)
  WHERE kind = 'run_costs' AND status = 'pending';
