-- Every update of a job row that is not HOT (and its status is indexed, so none is) inserts an
-- entry into each of the table's indexes, NULLs included. project_id and reviewed_by are NULL on
-- almost every job, and their indexes exist only for the foreign keys' ON DELETE SET NULL
-- lookups (`where project_id = $1`), which a partial index on the non-NULL rows serves just the
-- same. Each job's three updates (claim, submitted, completed) write two index entries fewer.
drop index public.jobs_project_id_idx;
create index jobs_project_id_idx on public.jobs (project_id) where project_id is not null;
drop index public.jobs_reviewed_by_idx;
create index jobs_reviewed_by_idx on public.jobs (reviewed_by) where reviewed_by is not null;
