-- Every event the saga observer applies updates its saga and some of its steps. An index on a column an
-- update changes makes PostgreSQL write a new entry in every index of the table (no HOT update). No query
-- reads these four: lookups of a workflow's steps use workflow_steps_workflow_step_key (workflow_id first),
-- and the figures by status scan by time, not by status (docs/decisions.md).
DROP INDEX IF EXISTS "idx_workflow_steps_workflow_id";
DROP INDEX IF EXISTS "idx_workflow_steps_status";
DROP INDEX IF EXISTS "idx_sagas_saga_type";
DROP INDEX IF EXISTS "idx_sagas_status";

-- Room in each page for the new versions of its rows, so that updates stay on the page (HOT).
ALTER TABLE "workflow_steps" SET (fillfactor = 80);
ALTER TABLE "sagas" SET (fillfactor = 80);
