/**
 * The Supabase CLI's standard local keys, for unit tests beside shared code: they may import the
 * test harness but not scripts/ (scripts/check_boundaries.ts), where the dev stack keeps them.
 */
export {
  LOCAL_ANON_KEY,
  LOCAL_JWT_SECRET,
  LOCAL_SERVICE_ROLE_KEY,
} from "../../scripts/lib/local_keys.ts";
