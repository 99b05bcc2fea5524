/**
 * Checks the characters a conversation links before anything is written: the character the
 * model plays must be the caller's or public (a public NSFW one only for an age-verified user,
 * which RLS decides), and the user's persona must be their own. A private character of another
 * user is "not found", never "forbidden": its existence is not the caller's business. The caller
 * needs a profile (a token can outlive its user), and only admins may open an `admin`
 * conversation (its template is the admins').
 */
import type { Sql } from "../db/client.ts";
import { asService, asUser, type Claims } from "../db/scopes.ts";
import * as characters from "../db/tables/characters.ts";
import * as profiles from "../db/tables/profiles.ts";
import { AppError } from "../errors.ts";

const fieldError = (field: string, message: string, code: "NOT_FOUND" | "FORBIDDEN") =>
  new AppError(code, `Invalid ${field}: ${message}`, { details: [{ field, message }] });

/** Throws unless the caller may link these; returns the characters found. */
export async function checkLinks(
  db: Sql,
  caller: { userId: string; claims: Claims },
  links: {
    characterId?: string | null;
    userCharacterId?: string | null;
    projectId?: string | null;
    conversationType?: string;
  },
): Promise<characters.Character[]> {
  const ids = [links.characterId, links.userCharacterId].filter((id): id is string => !!id);
  const [found, project, standing] = await asUser(db, caller.claims, (tx) =>
    [
      characters.usableByIds(tx, ids),
      profiles.ownProject(tx, links.projectId ?? "00000000-0000-0000-0000-000000000000"),
      profiles.callerStanding(tx),
    ] as const);
  if (standing.length === 0) throw new AppError("FORBIDDEN", "No profile for this user");
  if (links.conversationType === "admin" && !standing[0].admin) {
    throw fieldError("conversation_type", "admin conversations are for admins", "FORBIDDEN");
  }
  if (links.characterId && !found.some((c) => c.id === links.characterId)) {
    throw await hiddenCharacterError(db, links.characterId);
  }
  if (
    links.userCharacterId &&
    !found.some((c) => c.id === links.userCharacterId && c.user_id === caller.userId)
  ) {
    throw fieldError("user_character_id", "not one of your characters", "NOT_FOUND");
  }
  if (links.projectId && project.length === 0) {
    throw fieldError("project_id", "no such project of yours", "NOT_FOUND");
  }
  return found;
}

/**
 * The answer for a character the caller cannot see (`character_id`): 403 for a public NSFW one
 * (the account needs age verification), else 404.
 */
export async function hiddenCharacterError(db: Sql, characterId: string): Promise<AppError> {
  // Service path: only to tell "verify your age" apart from "no such character".
  const [nsfw] = await asService(db, (tx) => characters.isPublicNsfw(tx, characterId));
  return nsfw
    ? fieldError("character_id", "this character needs an age-verified account", "FORBIDDEN")
    : fieldError("character_id", "no such character", "NOT_FOUND");
}
