-- The body temperature (°C, one decimal) checkpoint staff measured with a pass, when they entered one (issue 17). A
-- reading at or above the policy's fever threshold refuses the pass (reason 'fever.refused'); null: no reading taken.
ALTER TABLE checkpoint_passes ADD COLUMN IF NOT EXISTS temperature numeric(3,1) NULL;
