-- Signed-in users may read bucket rows (ids, public flag, size limits, MIME lists): the
-- ObjectStore adapter checks a copy, a move or a streamed upload against the destination
-- bucket's rules itself, because Storage does not (storage-fidelity D1, D6), and reads them
-- through the Storage API with whichever key it holds. Nothing in a bucket row is secret.

create policy buckets_select_authenticated on storage.buckets for select to authenticated
  using (true);
